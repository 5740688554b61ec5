/**
 * The demo's API keys, so its dashboards can be logged into at once: one key per role (and a body
 * key for the first body), written to `demo-keys.txt` beside the database, readable by the owner
 * only (0600). Each demo start revokes the previous start's demo keys and makes new ones: the
 * secrets are shown once, as for `spend keys create`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../lib/db.ts';
import { createKey, listKeys, type Role, revokeKey } from '../lib/keys.ts';

const DEMO_KEY_PREFIX = 'demo-';
export const DEMO_KEYS_FILE = 'demo-keys.txt';

export type DemoKey = { role: Role; name: string; bodyId?: string; key: string };

export async function createDemoKeys(
  db: Database,
  dir: string,
  bodyId: string,
): Promise<{ path: string; keys: DemoKey[] }> {
  const wanted: { role: Role; bodyId?: string }[] = [
    { role: 'procurement' },
    { role: 'finance' },
    { role: 'admin' },
    { role: 'body', bodyId },
  ];
  const keys = await db.withConnection(async (conn) => {
    for (const old of await listKeys(conn)) {
      if (old.name.startsWith(DEMO_KEY_PREFIX) && old.revokedAt === null) await revokeKey(conn, old.keyId);
    }
    const made: DemoKey[] = [];
    for (const { role, bodyId: body } of wanted) {
      const name = `${DEMO_KEY_PREFIX}${role}${body ? `-${body}` : ''}`;
      const created = await createKey(conn, { name, role, ...(body ? { bodyId: body } : {}) });
      made.push({ role, name, ...(body ? { bodyId: body } : {}), key: created.key });
    }
    return made;
  });
  const path = join(dir, DEMO_KEYS_FILE);
  const lines = [
    '# collective-spend demo: API keys to log in to the dashboards (revoked at the next demo start)',
    ...keys.map((k) => `${k.role.padEnd(12)}${k.key}${k.bodyId ? `  (${k.bodyId})` : ''}`),
    '',
  ];
  await writeFile(path, lines.join('\n'), { mode: 0o600 });
  return { path, keys };
}

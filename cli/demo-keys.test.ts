/** The demo's keys file: one working key per role, owner-only, and a new start revokes the last one's keys. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { addBody } from '../lib/bodies.ts';
import { Database } from '../lib/db.ts';
import { createKey, verifyKey } from '../lib/keys.ts';
import { createDemoKeys, DEMO_KEYS_FILE } from './demo-keys.ts';

let db: Database;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'demo-keys-'));
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
  await db.withConnection((conn) =>
    addBody(conn, { bodyId: 'north-shire-cc', name: 'North Shire', joinedOn: '2023-04-01' }),
  );
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `<role> <key> [(<body>)]` lines under a comment, read here without the code under test. */
function keysIn(path: string): { role: string; key: string }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [role = '', key = ''] = line.split(/\s+/);
      return { role, key };
    });
}

describe('createDemoKeys', () => {
  it('writes one working key per role, readable by the owner only', async () => {
    const { path } = await createDemoKeys(db, dir, 'north-shire-cc');
    expect(path).toBe(join(dir, DEMO_KEYS_FILE));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const keys = keysIn(path);
    expect(keys.map((k) => k.role)).toEqual(['procurement', 'finance', 'admin', 'body']);
    for (const { role, key } of keys) expect(await verifyKey(db, key)).toMatchObject({ kind: 'key', role });
    expect(await verifyKey(db, keys[3]?.key ?? '')).toMatchObject({ bodyId: 'north-shire-cc' });
  });

  it("revokes the previous start's demo keys, and no one else's", async () => {
    const other = await db.withConnection((conn) => createKey(conn, { name: 'alice', role: 'finance' }));
    const before = keysIn(join(dir, DEMO_KEYS_FILE));
    await createDemoKeys(db, dir, 'north-shire-cc');
    for (const { key } of before) expect(await verifyKey(db, key)).toBeNull();
    for (const { key } of keysIn(join(dir, DEMO_KEYS_FILE))) expect(await verifyKey(db, key)).not.toBeNull();
    expect(await verifyKey(db, other.key)).toMatchObject({ name: 'alice' });
  });
});

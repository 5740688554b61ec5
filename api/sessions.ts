/**
 * The dashboards' login sessions, in DuckDB (migration 011) so that they outlive a restart of
 * `spend serve`. The cookie carries a random session id; the table holds its SHA-256, the key it
 * was opened with, the SHA-256 of its CSRF token and its expiry. Reading a session joins the key,
 * so an expired or revoked key ends its sessions at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../lib/db.ts';
import { queryRows } from '../lib/db.ts';
import type { Principal, Role } from '../lib/keys.ts';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const SESSION_MS = 8 * 60 * 60 * 1000;

export type OpenedSession = { sessionId: string; csrfToken: string };
export type FoundSession = {
  principal: Principal & { kind: 'key' };
  csrfSha256: string;
  /** When the session or its key stops working, whichever is first (epoch ms). */
  endsAtMs: number;
};

export async function openSession(db: Database, keyId: string): Promise<OpenedSession> {
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  await db.withConnection(async (conn) => {
    // ended sessions are of no use to anyone: tidy them as new ones open
    await conn.run('delete from api_sessions where expires_at <= current_timestamp::timestamp');
    await conn.run(
      `insert into api_sessions (session_sha256, key_id, csrf_sha256, expires_at)
       values ($session, $keyId, $csrf, current_timestamp::timestamp + to_milliseconds($ms::bigint))`,
      { session: sha256(sessionId), keyId, csrf: sha256(csrfToken), ms: SESSION_MS },
    );
  });
  return { sessionId, csrfToken };
}

export async function findSession(db: Database, sessionId: string): Promise<FoundSession | null> {
  const [row] = await db.withConnection((conn) =>
    queryRows<{
      key_id: string;
      name: string;
      role: Role;
      body_id: string | null;
      csrf_sha256: string;
      remaining_ms: number;
    }>(
      conn,
      `select s.key_id, k.name, k.role, k.body_id, s.csrf_sha256,
              (epoch_ms(least(s.expires_at, coalesce(k.expires_at, s.expires_at)))
                 - epoch_ms(current_timestamp::timestamp))::double as remaining_ms
       from api_sessions s join api_keys k on k.key_id = s.key_id
       where s.session_sha256 = $session
         and s.expires_at > current_timestamp::timestamp
         and k.revoked_at is null
         and (k.expires_at is null or k.expires_at > current_timestamp::timestamp)`,
      { session: sha256(sessionId) },
    ),
  );
  if (!row) return null;
  return {
    principal: {
      kind: 'key',
      keyId: row.key_id,
      name: row.name,
      role: row.role,
      bodyId: row.body_id,
      viaSession: true,
    },
    csrfSha256: row.csrf_sha256,
    endsAtMs: Date.now() + row.remaining_ms,
  };
}

export async function closeSession(db: Database, sessionId: string): Promise<void> {
  await db.withConnection((conn) =>
    conn.run('delete from api_sessions where session_sha256 = $session', { session: sha256(sessionId) }),
  );
}

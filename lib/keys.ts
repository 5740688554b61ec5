/**
 * API keys, stored hashed. A key is `cs_<keyId>_<secret>`: the key id finds the row, the
 * secret's SHA-256 is compared in constant time; the secret is shown once, at creation, and never
 * stored or logged (32 random bytes: a slow hash would add nothing). Keys expire and can be
 * revoked. `spend keys` and the API's admin routes both use these functions (owner/operations.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { requireBody } from './bodies.ts';
import { type Database, queryRows } from './db.ts';
import { UserError } from './errors.ts';
import { bodyId } from './fields.ts';

export const ROLES = ['body', 'procurement', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'key'; keyId: string; name: string; role: Role; bodyId: string | null; viaSession: boolean };

const KEY_PATTERN = /^cs_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Called after any key is created or revoked in this process (the API's cache of verified keys
 * listens: api/auth.ts). Both `spend keys` (through the owner's control socket) and the admin
 * routes change keys in the owning process, so one process-local signal covers every change.
 */
const keyChangeListeners = new Set<() => void>();
export function onKeysChanged(listener: () => void): () => void {
  keyChangeListeners.add(listener);
  return () => keyChangeListeners.delete(listener);
}
const keysChanged = () => {
  for (const listener of keyChangeListeners) listener();
};

export const newKeyParams = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  bodyId: bodyId.optional(),
  /** Days until the key stops working; default 90, at most 5 years. */
  expiresInDays: z.number().int().positive().max(1826).default(90),
});

export type KeyListing = {
  keyId: string;
  name: string;
  role: Role;
  bodyId: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
};

export async function createKey(
  conn: DuckDBConnection,
  input: z.input<typeof newKeyParams>,
): Promise<KeyListing & { key: string }> {
  const params = newKeyParams.parse(input);
  if ((params.role === 'body') !== (params.bodyId !== undefined)) {
    throw new UserError('invalid-input', 'A body key needs --body <id>; other roles take none.');
  }
  if (params.bodyId) await requireBody(conn, params.bodyId);
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await conn.run(
    `insert into api_keys (key_id, name, role, body_id, secret_sha256, expires_at)
     values ($keyId, $name, $role, $bodyId, $hash, current_timestamp + to_days($days::integer))`,
    {
      keyId,
      name: params.name,
      role: params.role,
      bodyId: params.bodyId ?? null,
      hash: sha256(secret),
      days: params.expiresInDays,
    },
  );
  keysChanged();
  const [listing] = await listKeys(conn, keyId);
  return { ...(listing as KeyListing), key: `cs_${keyId}_${secret}` };
}

export async function listKeys(conn: DuckDBConnection, keyId?: string): Promise<KeyListing[]> {
  return queryRows<KeyListing>(
    conn,
    `select key_id as "keyId", name, role, body_id as "bodyId", created_at::varchar as "createdAt",
            expires_at::varchar as "expiresAt", revoked_at::varchar as "revokedAt"
     from api_keys ${keyId ? 'where key_id = $keyId' : ''} order by created_at, key_id`,
    keyId ? { keyId } : {},
  );
}

export async function revokeKey(conn: DuckDBConnection, keyId: string): Promise<KeyListing> {
  const [before] = await listKeys(conn, keyId);
  if (!before) throw new UserError('not-found', `No key ${keyId}.`);
  await conn.run(
    'update api_keys set revoked_at = coalesce(revoked_at, current_timestamp) where key_id = $keyId',
    { keyId },
  );
  // its dashboard sessions end with it (api/sessions.ts checks the key on every request as well)
  await conn.run('delete from api_sessions where key_id = $keyId', { keyId });
  keysChanged();
  return (await listKeys(conn, keyId))[0] as KeyListing;
}

/** A verified key's principal and when it stops working (epoch ms; null: never). */
export type VerifiedKey = { principal: Principal & { kind: 'key' }; expiresAtMs: number | null };

/** The key's principal, or null when it is unknown, wrong, expired or revoked. */
export async function verifyKey(db: Database, presented: string): Promise<Principal | null> {
  return (await verifyKeyWithExpiry(db, presented))?.principal ?? null;
}

/** verifyKey, also saying when the key expires (for caches that must not outlive it). */
export async function verifyKeyWithExpiry(db: Database, presented: string): Promise<VerifiedKey | null> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return null;
  const [, keyId, secret] = match as unknown as [string, string, string];
  const [row] = await db.withConnection((conn) =>
    queryRows<{
      name: string;
      role: Role;
      body_id: string | null;
      secret_sha256: string;
      usable: boolean;
      remaining_ms: number | null;
    }>(
      conn,
      `select name, role, body_id, secret_sha256, (epoch_ms(expires_at) - epoch_ms(current_timestamp::timestamp))::double as remaining_ms,
              revoked_at is null and (expires_at is null or expires_at > current_timestamp) as usable
       from api_keys where key_id = $keyId`,
      { keyId },
    ),
  );
  if (!row) return null;
  const same = timingSafeEqual(Buffer.from(row.secret_sha256, 'hex'), Buffer.from(sha256(secret), 'hex'));
  if (!same || !row.usable) return null;
  return {
    principal: { kind: 'key', keyId, name: row.name, role: row.role, bodyId: row.body_id, viaSession: false },
    // both sides of the difference are in the session's time zone, so the remainder is exact
    expiresAtMs: row.remaining_ms === null ? null : Date.now() + row.remaining_ms,
  };
}

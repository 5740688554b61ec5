/**
 * Who is calling: an API key (lib/keys.ts) in `Authorization: Bearer`, or a session. Dashboards log in with a key and get an
 * HttpOnly, SameSite=Strict session cookie; a state-changing call made with that cookie must
 * also carry the session's CSRF token in `X-CSRF-Token` (a cross-site page can send the cookie
 * in some browsers' edge cases, never read the token).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import type { Database } from '../lib/db.ts';
import { onKeysChanged, type Principal, verifyKeyWithExpiry } from '../lib/keys.ts';
import { HttpError } from './problem.ts';
import type { Access } from './route.ts';
import { closeSession, findSession, openSession, SESSION_MS, sha256 } from './sessions.ts';

export { type KeyListing, newKeyParams, type Principal, ROLES, type Role } from '../lib/keys.ts';
export const SESSION_COOKIE = 'spend_session';

/** How long a verified key or session is trusted without asking DuckDB again (unless keys change). */
export const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX_ENTRIES = 1_000;

type Verified = { principal: Principal & { kind: 'key' }; csrfSha256?: string };

/**
 * Keys and sessions are checked in DuckDB (lib/keys.ts, api/sessions.ts, so sessions survive a
 * restart), and what was verified is kept for a minute in a small per-process cache, so that a
 * dashboard's requests do not each query DuckDB. The cache is emptied whenever a key is created
 * or revoked (both happen in this, the owning, process) and when a session is closed, so a
 * revocation takes effect on the next request; an entry never outlives its key's or session's
 * expiry. Only successes are cached: an unknown key is asked about every time (and rate-limited).
 */
export class AccessControl {
  private readonly verified = new LRUCache<string, Verified>({
    max: VERIFIED_MAX_ENTRIES,
    ttl: VERIFIED_TTL_MS,
  });
  /** Bumped on every key change: a check that began before the change must not fill the cache. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly db: Database) {
    this.unsubscribe = onKeysChanged(() => this.forgetAll());
  }

  /** Stops listening for key changes (the server closed). */
  dispose(): void {
    this.unsubscribe();
    this.forgetAll();
  }

  private forgetAll(): void {
    this.generation += 1;
    this.verified.clear();
  }

  /** The cached answer for `cacheKey`, or `check()`'s, remembered until `endsAtMs` at most. */
  private async remembered<T extends Verified>(
    cacheKey: string,
    check: () => Promise<(T & { endsAtMs: number | null }) | null>,
  ): Promise<Verified | null> {
    const hit = this.verified.get(cacheKey);
    if (hit) return hit;
    const generation = this.generation;
    const found = await check();
    if (!found) return null;
    const { endsAtMs, ...entry } = found;
    const ttl = Math.min(VERIFIED_TTL_MS, (endsAtMs ?? Number.POSITIVE_INFINITY) - Date.now());
    if (generation === this.generation && ttl > 0) this.verified.set(cacheKey, entry, { ttl });
    return entry;
  }

  private verifyKey(key: string): Promise<Verified | null> {
    return this.remembered(`key:${sha256(key)}`, async () => {
      const found = await verifyKeyWithExpiry(this.db, key);
      return found ? { principal: found.principal, endsAtMs: found.expiresAtMs } : null;
    });
  }

  async login(
    key: string,
  ): Promise<{ sessionId: string; csrfToken: string; principal: Principal; maxAgeMs: number }> {
    const verified = await this.verifyKey(key);
    if (!verified) throw new HttpError(401, 'That key is unknown, expired or revoked.');
    const principal = verified.principal;
    const { sessionId, csrfToken } = await openSession(this.db, principal.keyId);
    return { sessionId, csrfToken, principal, maxAgeMs: SESSION_MS };
  }

  async logout(sessionId: string | undefined): Promise<void> {
    if (!sessionId) return;
    await closeSession(this.db, sessionId);
    this.generation += 1;
    this.verified.delete(`session:${sha256(sessionId)}`);
  }

  /** The caller, from `Authorization: Bearer <key>` or the session cookie, checked against the route's access. */
  async authorize(req: Request, access: Access): Promise<Principal> {
    // public routes answer anyone: a stale key in the header does not lock out /healthz or login
    if (access === 'public') return this.identify(req).catch((): Principal => ({ kind: 'anonymous' }));
    const principal = await this.identify(req);
    if (principal.kind === 'anonymous') {
      throw new HttpError(401, 'This needs an API key: Authorization: Bearer cs_… (or log in).', {
        'WWW-Authenticate': 'Bearer realm="collective-spend"',
      });
    }
    if (access === 'session') return principal;
    if (!access.includes(principal.role)) {
      throw new HttpError(403, `A ${principal.role} key may not do this (allowed: ${access.join(', ')}).`);
    }
    return principal;
  }

  private async identify(req: Request): Promise<Principal> {
    const header = req.get('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const verified = match ? await this.verifyKey(match[1] as string) : null;
      if (!verified) throw new HttpError(401, 'That API key is unknown, expired or revoked.');
      return verified.principal;
    }
    const sessionId = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (!sessionId) return { kind: 'anonymous' };
    const session = await this.remembered(`session:${sha256(sessionId)}`, () =>
      findSession(this.db, sessionId),
    );
    if (!session)
      throw new HttpError(401, 'The session has ended, or the key behind it was revoked: log in again.');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const token = req.get('x-csrf-token') ?? '';
      const expected = Buffer.from(session.csrfSha256 ?? '', 'hex');
      const given = Buffer.from(sha256(token), 'hex');
      const ok = expected.length === given.length && timingSafeEqual(given, expected);
      if (!ok) throw new HttpError(403, 'A change made with a session cookie needs its X-CSRF-Token header.');
    }
    return session.principal;
  }
}

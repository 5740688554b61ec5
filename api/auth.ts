/**
 * Who is calling: an API key (lib/keys.ts) in `Authorization: Bearer`, or a session. Dashboards log in with a key and get an
 * HttpOnly, SameSite=Strict session cookie; a state-changing call made with that cookie must
 * also carry the session's CSRF token in `X-CSRF-Token` (a cross-site page can send the cookie
 * in some browsers' edge cases, never read the token).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Database } from '../lib/db.ts';
import { type Principal, verifyKey } from '../lib/keys.ts';
import { HttpError } from './problem.ts';
import type { Access } from './route.ts';

export { type KeyListing, newKeyParams, type Principal, ROLES, type Role } from '../lib/keys.ts';
export const SESSION_COOKIE = 'spend_session';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type Session = { keyId: string; csrfToken: string; expiresAt: number };
const SESSION_MS = 8 * 60 * 60 * 1000;

/**
 * Sessions live in the serving process (a restart logs dashboards out). Each request re-checks
 * the key behind the session, so revoking a key ends its sessions at once.
 */
export class AccessControl {
  private readonly sessions = new Map<string, Session & { key: string }>();

  constructor(private readonly db: Database) {}

  async login(
    key: string,
  ): Promise<{ sessionId: string; csrfToken: string; principal: Principal; maxAgeMs: number }> {
    const principal = await verifyKey(this.db, key);
    if (principal?.kind !== 'key') throw new HttpError(401, 'That key is unknown, expired or revoked.');
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    this.sessions.set(sha256(sessionId), {
      key,
      keyId: principal.keyId,
      csrfToken,
      expiresAt: Date.now() + SESSION_MS,
    });
    return { sessionId, csrfToken, principal, maxAgeMs: SESSION_MS };
  }

  logout(sessionId: string | undefined): void {
    if (sessionId) this.sessions.delete(sha256(sessionId));
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
      const principal = match ? await verifyKey(this.db, match[1] as string) : null;
      if (!principal) throw new HttpError(401, 'That API key is unknown, expired or revoked.');
      return principal;
    }
    const sessionId = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (!sessionId) return { kind: 'anonymous' };
    const session = this.sessions.get(sha256(sessionId));
    if (!session || session.expiresAt < Date.now())
      throw new HttpError(401, 'The session has ended: log in again.');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const token = req.get('x-csrf-token') ?? '';
      const ok =
        token.length === session.csrfToken.length &&
        timingSafeEqual(Buffer.from(token), Buffer.from(session.csrfToken));
      if (!ok) throw new HttpError(403, 'A change made with a session cookie needs its X-CSRF-Token header.');
    }
    const principal = await verifyKey(this.db, session.key);
    if (principal?.kind !== 'key') {
      this.sessions.delete(sha256(sessionId));
      throw new HttpError(401, 'The key behind this session is expired or revoked.');
    }
    return { ...principal, viaSession: true };
  }
}

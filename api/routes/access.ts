/** API keys (admin), the audit log (admin), and the dashboards' login session. */
import type { Response } from 'express';
import { z } from 'zod';
import { runOperation } from '../../owner/operations.ts';
import { readAudit } from '../audit.ts';
import { type KeyListing, newKeyParams, SESSION_COOKIE } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { route } from '../route.ts';

const keyId = z.string().regex(/^[a-f0-9]{16}$/, 'a key id');

function setSessionCookie(res: Response, value: string, maxAgeMs: number): void {
  res.cookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: res.req.secure,
    path: '/',
    maxAge: maxAgeMs,
  });
}

export function accessRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/keys',
      tag: 'access',
      summary: 'API keys (never their secrets)',
      access: ['admin'],
      handler: async () => ({ keys: await runOperation(context.db, 'keys.list', {}) }),
    }),
    route({
      method: 'post',
      path: '/api/v1/keys',
      tag: 'access',
      summary: 'Create a key; its secret is in this answer only',
      access: ['admin'],
      body: newKeyParams,
      status: 201,
      handler: async ({ body, audit }) => {
        const created = (await runOperation(context.db, 'keys.create', body)) as KeyListing & { key: string };
        audit({ target: `key:${created.keyId}`, after: created });
        return created;
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/keys/:keyId',
      tag: 'access',
      summary: 'Revoke a key (at once, sessions included)',
      access: ['admin'],
      params: z.strictObject({ keyId }),
      handler: async ({ params, audit }) => {
        const [before] = (await runOperation(context.db, 'keys.list', {
          keyId: params.keyId,
        })) as KeyListing[];
        const after = await runOperation(context.db, 'keys.revoke', { keyId: params.keyId });
        audit({ target: `key:${params.keyId}`, before, after });
        return after;
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/audit',
      tag: 'access',
      summary: 'The audit log, newest first',
      access: ['admin'],
      query: z.strictObject({ limit: z.coerce.number().int().positive().max(10_000).default(100) }),
      handler: async ({ query }) => ({ entries: await readAudit(context.db, query.limit) }),
    }),
    route({
      method: 'post',
      path: '/api/v1/session',
      tag: 'access',
      summary:
        'Log in with a key: sets an HttpOnly SameSite session cookie; answers the CSRF token for changes',
      access: 'public',
      body: z.strictObject({ key: z.string().min(1).max(200) }),
      status: 201,
      handler: async ({ res, body }) => {
        const session = await context.access.login(body.key);
        setSessionCookie(res, session.sessionId, session.maxAgeMs);
        const p = session.principal;
        return p.kind === 'key'
          ? { csrfToken: session.csrfToken, keyId: p.keyId, name: p.name, role: p.role, bodyId: p.bodyId }
          : { csrfToken: session.csrfToken };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/session',
      tag: 'access',
      summary: 'Who the caller is',
      access: 'session',
      handler: async ({ principal }) =>
        principal.kind === 'key'
          ? { keyId: principal.keyId, name: principal.name, role: principal.role, bodyId: principal.bodyId }
          : {},
    }),
    route({
      method: 'delete',
      path: '/api/v1/session',
      tag: 'access',
      summary: 'Log out',
      access: 'public',
      handler: async ({ req, res }) => {
        await context.access.logout((req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE]);
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        return undefined;
      },
    }),
  ];
}

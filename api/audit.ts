/** The audit log: every state-changing call that succeeded, with who, when, what, before and after. */
import type { Request, Response } from 'express';
import { type Database, queryRows } from '../lib/db.ts';
import type { Logger } from '../lib/log.ts';
import type { Principal } from './auth.ts';

/** Secrets never reach the log: a created key's secret is replaced. */
const withoutSecrets = (value: unknown): unknown =>
  value && typeof value === 'object' && 'key' in value
    ? { ...(value as object), key: '(shown once)' }
    : value;

export function recordAudit(db: Database, log: Logger, req: Request, res: Response): void {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || res.statusCode >= 400) return;
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) return;
  const entry = (res.locals.audit ?? {}) as { target?: string; before?: unknown; after?: unknown };
  const key = principal.kind === 'key' ? principal : undefined;
  const text = (value: unknown) => (value === undefined ? null : JSON.stringify(withoutSecrets(value)));
  db.withConnection((conn) =>
    conn.run(
      `insert into audit_log (key_id, role, body_id, method, path, status, request_id, target, before_state, after_state)
       values ($keyId, $role, $bodyId, $method, $path, $status, $requestId, $target, $before, $after)`,
      {
        keyId: key?.keyId ?? null,
        role: key?.role ?? null,
        bodyId: key?.bodyId ?? null,
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? '',
        status: res.statusCode,
        requestId: String(req.id ?? ''),
        target: entry.target ?? null,
        before: text(entry.before),
        after: text(entry.after),
      },
    ),
  ).catch((error: unknown) => log.error({ err: error, requestId: req.id }, 'audit log write failed'));
}

export async function readAudit(db: Database, limit: number) {
  const rows = await db.withConnection((conn) =>
    queryRows<Record<string, unknown> & { before: string | null; after: string | null }>(
      conn,
      `select audit_id as "auditId", occurred_at::varchar as "at", key_id as "keyId", role, body_id as "bodyId",
              method, path, status, request_id as "requestId", target,
              before_state as "before", after_state as "after"
       from audit_log order by audit_id desc limit $limit`,
      { limit },
    ),
  );
  const parse = (text: string | null) => (text === null ? null : JSON.parse(text));
  return rows.map((row) => ({ ...row, before: parse(row.before), after: parse(row.after) }));
}

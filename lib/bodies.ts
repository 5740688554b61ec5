/** The opt-in register: bodies join the partnership when they are ready, and may leave. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { queryRows } from './db.ts';
import { UserError } from './errors.ts';
import { bodyId, isoDate } from './fields.ts';
import { recordMembershipEvent } from './membership-events.ts';

export const BODY_KINDS = ['council', 'fire', 'police', 'school', 'health', 'other'] as const;
export const BODY_STATUSES = ['prospective', 'active', 'left'] as const;

/**
 * The amount (whole pounds) from which a body publishes its spend: the Transparency Code's £500,
 * £250 for many councils, 0 for everything (AP extracts, e-invoices).
 */
export const publishingThreshold = z.coerce
  .number()
  .int('a publishing threshold is whole pounds, e.g. 500, 250 or 0')
  .min(0)
  .max(1_000_000);

export const newBody = z.strictObject({
  bodyId,
  name: z.string().trim().min(1).max(200),
  kind: z.enum(BODY_KINDS).default('council'),
  status: z.enum(BODY_STATUSES).default('active'),
  joinedOn: isoDate,
  leftOn: isoDate.optional(),
  servicesInScope: z.array(z.string().trim().min(1).max(100)).default([]),
  /** The body's usual threshold: the default for its uploads (each upload records its own). */
  publishingThreshold: publishingThreshold.optional(),
});
export type NewBody = z.input<typeof newBody>;

export type Body = {
  bodyId: string;
  name: string;
  kind: string;
  status: string;
  joinedOn: string | null;
  leftOn: string | null;
  servicesInScope: string[];
  publishingThreshold: number | null;
};

/** Registers a body; registering the same body again with the same details changes nothing. */
export async function addBody(
  conn: DuckDBConnection,
  input: NewBody,
): Promise<{ body: Body; created: boolean }> {
  const body = newBody.parse(input);
  if (body.leftOn && body.leftOn < body.joinedOn) {
    throw new UserError('invalid-input', `leftOn ${body.leftOn} is before joinedOn ${body.joinedOn}`);
  }
  const existing = (await listBodies(conn)).find((b) => b.bodyId === body.bodyId);
  const wanted: Body = {
    bodyId: body.bodyId,
    name: body.name,
    kind: body.kind,
    status: body.status,
    joinedOn: body.joinedOn,
    leftOn: body.leftOn ?? null,
    servicesInScope: body.servicesInScope,
    publishingThreshold: body.publishingThreshold ?? null,
  };
  if (existing) {
    if (JSON.stringify(existing) === JSON.stringify(wanted)) return { body: existing, created: false };
    throw new UserError(
      'conflict',
      `body ${body.bodyId} is already registered as ${JSON.stringify(existing)}`,
    );
  }
  await conn.run(
    `insert into bodies (body_id, name, kind, status, joined_on, left_on, services_in_scope, publishing_threshold)
     values ($bodyId, $name, $kind, $status, $joinedOn::date, $leftOn::date, $services::varchar[], $threshold::decimal(18, 2))`,
    {
      bodyId: body.bodyId,
      name: body.name,
      kind: body.kind,
      status: body.status,
      joinedOn: body.joinedOn,
      leftOn: body.leftOn ?? null,
      services: JSON.stringify(body.servicesInScope),
      threshold: body.publishingThreshold ?? null,
    },
  );
  // the lifecycle's first event (docs/membership.md): a prospective body's joining date is only planned
  const registeredOn = body.status === 'prospective' ? new Date().toISOString().slice(0, 10) : body.joinedOn;
  await recordMembershipEvent(conn, wanted, 'registered', registeredOn, 'register');
  return { body: wanted, created: true };
}

/** Refuses a body id nobody registered: a typo, never a body with nothing to show. */
export async function requireBody(conn: DuckDBConnection, id: string): Promise<void> {
  const rows = await queryRows(conn, 'select 1 from bodies where body_id = $id', { id });
  if (rows.length === 0) {
    throw new UserError(
      'not-found',
      `Body "${id}" is not registered. Register it first: spend bodies add ${id} --name "…" --joined YYYY-MM-DD`,
    );
  }
}

export async function listBodies(conn: DuckDBConnection): Promise<Body[]> {
  const rows = await queryRows<{
    body_id: string;
    name: string;
    kind: string;
    status: string;
    joined_on: string | null;
    left_on: string | null;
    services: string;
    publishing_threshold: number | null;
  }>(
    conn,
    `select body_id, name, kind, status, joined_on::varchar as joined_on, left_on::varchar as left_on,
            to_json(services_in_scope)::varchar as services, publishing_threshold::integer as publishing_threshold
     from bodies order by joined_on nulls last, body_id`,
  );
  return rows.map((r) => ({
    bodyId: r.body_id,
    name: r.name,
    kind: r.kind,
    status: r.status,
    joinedOn: r.joined_on,
    leftOn: r.left_on,
    servicesInScope: JSON.parse(r.services) as string[],
    publishingThreshold: r.publishing_threshold,
  }));
}

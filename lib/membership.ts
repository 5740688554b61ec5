/**
 * The membership lifecycle of the opt-in register: prospective → active → left, with the
 * services each body has in scope. `bodies` holds the current state; `membership_events`
 * (migration 009) is its history, one row per change, never rewritten. See docs/membership.md.
 *
 * One membership period per body: a body that left and comes back is not supported yet (its
 * earlier period would be lost from `bodies`), so `join` refuses a body that has left.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { type Body, listBodies } from './bodies.ts';
import { inTransaction } from './db.ts';
import { UserError } from './errors.ts';
import { bodyId, isoDate } from './fields.ts';
import {
  listMembershipEvents,
  type MembershipChange,
  type MembershipEvent,
  recordMembershipEvent,
} from './membership-events.ts';
import { op } from './operation.ts';

export { listMembershipEvents, MEMBERSHIP_CHANGES, type MembershipEvent } from './membership-events.ts';

const services = z.array(z.string().trim().min(1).max(100));

export const membershipChangeParams = z.strictObject({
  bodyId,
  /** join: a prospective body becomes active on `on`; leave: an active body leaves on `on`. */
  change: z.enum(['join', 'leave', 'services']),
  on: isoDate.optional(),
  servicesInScope: services.optional(),
  note: z.string().trim().max(500).optional(),
  by: z.string().trim().min(1).max(200).default('cli'),
});
export type MembershipChangeParams = z.input<typeof membershipChangeParams>;

export const membershipEventsParams = z.strictObject({
  from: isoDate.optional(),
  to: isoDate.optional(),
  bodyId: bodyId.optional(),
});

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Moves a body along its lifecycle, or changes its services in scope, and records the event.
 * join: prospective → active from `on` (its joining date); leave: active → left on `on` (its last
 * day in the partnership: spend dated after it drops out of partnership figures).
 */
export async function changeMembership(
  conn: DuckDBConnection,
  input: MembershipChangeParams,
): Promise<{ body: Body; event: MembershipEvent }> {
  const params = membershipChangeParams.parse(input);
  return inTransaction(conn, async () => {
    const before = (await listBodies(conn)).find((b) => b.bodyId === params.bodyId);
    if (!before) throw new UserError('not-found', `Body "${params.bodyId}" is not registered.`);
    const after: Body = { ...before, servicesInScope: params.servicesInScope ?? before.servicesInScope };
    let change: MembershipChange;
    let effectiveOn: string;
    if (params.change === 'join') {
      if (before.status !== 'prospective') {
        throw new UserError(
          'conflict',
          `${params.bodyId} is ${before.status}: only a prospective body can join (one membership period per body).`,
        );
      }
      if (!params.on)
        throw new UserError('invalid-input', 'joining needs the date the body joins (--on YYYY-MM-DD).');
      Object.assign(after, { status: 'active', joinedOn: params.on });
      change = 'joined';
      effectiveOn = params.on;
    } else if (params.change === 'leave') {
      if (before.status !== 'active') {
        throw new UserError(
          'conflict',
          `${params.bodyId} is ${before.status}: only an active body can leave.`,
        );
      }
      if (!params.on)
        throw new UserError('invalid-input', 'leaving needs the body’s last day (--on YYYY-MM-DD).');
      if (before.joinedOn && params.on < before.joinedOn) {
        throw new UserError(
          'invalid-input',
          `the leaving date ${params.on} is before ${params.bodyId} joined (${before.joinedOn}).`,
        );
      }
      Object.assign(after, { status: 'left', leftOn: params.on });
      change = 'left';
      effectiveOn = params.on;
    } else {
      if (!params.servicesInScope)
        throw new UserError('invalid-input', 'a services change needs the services in scope.');
      change = 'services';
      effectiveOn = params.on ?? today();
    }
    await conn.run(
      `update bodies set status = $status, joined_on = $joinedOn::date, left_on = $leftOn::date,
         services_in_scope = $services::varchar[], updated_at = current_timestamp
       where body_id = $bodyId`,
      {
        bodyId: after.bodyId,
        status: after.status,
        joinedOn: after.joinedOn,
        leftOn: after.leftOn,
        services: JSON.stringify(after.servicesInScope),
      },
    );
    await recordMembershipEvent(conn, after, change, effectiveOn, params.by, params.note);
    const [event] = await listMembershipEvents(conn, { bodyId: params.bodyId, last: true });
    return { body: after, event: event as MembershipEvent };
  });
}

export type MembershipRegister = {
  bodies: (Body & { history: MembershipEvent[] })[];
  counts: Record<'prospective' | 'active' | 'left', number>;
};

/** The register with each body's history: what `spend members list` and the API show. */
export async function membershipRegister(conn: DuckDBConnection): Promise<MembershipRegister> {
  const [bodies, events] = [await listBodies(conn), await listMembershipEvents(conn)];
  const counts = { prospective: 0, active: 0, left: 0 };
  for (const body of bodies) counts[body.status as keyof typeof counts] += 1;
  return {
    bodies: bodies.map((body) => ({ ...body, history: events.filter((e) => e.bodyId === body.bodyId) })),
    counts,
  };
}

/** Served by the owning process like every operation (owner/operations.ts spreads them in). */
export const MEMBERSHIP_OPERATIONS = {
  'members.register': op({ params: z.object({}), run: (db) => db.withConnection(membershipRegister) }),
  'members.change': op({
    params: membershipChangeParams,
    run: (db, params) => db.withConnection((conn) => changeMembership(conn, params)),
  }),
  'members.events': op({
    params: membershipEventsParams,
    run: (db, filter) => db.withConnection((conn) => listMembershipEvents(conn, filter)),
  }),
};

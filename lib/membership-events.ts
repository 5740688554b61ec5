/** The membership history table (migration 009): appending an event, reading them back. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Body } from './bodies.ts';
import { queryRows } from './db.ts';

export const MEMBERSHIP_CHANGES = ['registered', 'joined', 'left', 'services'] as const;
export type MembershipChange = (typeof MEMBERSHIP_CHANGES)[number];

export type MembershipEvent = {
  eventId: number;
  bodyId: string;
  change: MembershipChange;
  status: string;
  effectiveOn: string;
  joinedOn: string | null;
  leftOn: string | null;
  servicesInScope: string[];
  note: string | null;
  recordedBy: string;
  recordedAt: string;
};

/** Appends one event: the body's state after the change. */
export async function recordMembershipEvent(
  conn: DuckDBConnection,
  body: Body,
  change: MembershipChange,
  effectiveOn: string,
  recordedBy: string,
  note?: string,
): Promise<void> {
  await conn.run(
    `insert into membership_events
       (event_id, body_id, change, status, effective_on, joined_on, left_on, services_in_scope, note, recorded_by)
     values (nextval('membership_event_seq'), $bodyId, $change, $status, $effectiveOn::date, $joinedOn::date,
             $leftOn::date, $services::varchar[], $note, $recordedBy)`,
    {
      bodyId: body.bodyId,
      change,
      status: body.status,
      effectiveOn,
      joinedOn: body.joinedOn,
      leftOn: body.leftOn,
      services: JSON.stringify(body.servicesInScope),
      note: note ?? null,
      recordedBy,
    },
  );
}

/** The membership history, oldest first: every body's, or one body's; optionally a period's. */
export async function listMembershipEvents(
  conn: DuckDBConnection,
  filter: { bodyId?: string; from?: string; to?: string; last?: boolean } = {},
): Promise<MembershipEvent[]> {
  const rows = await queryRows<{
    event_id: string;
    body_id: string;
    change: MembershipChange;
    status: string;
    effective_on: string;
    joined_on: string | null;
    left_on: string | null;
    services: string;
    note: string | null;
    recorded_by: string;
    recorded_at: string;
  }>(
    conn,
    `select event_id, body_id, change, status, effective_on::varchar as effective_on,
            joined_on::varchar as joined_on, left_on::varchar as left_on,
            to_json(services_in_scope)::varchar as services, note, recorded_by,
            strftime(recorded_at, '%Y-%m-%dT%H:%M:%S') as recorded_at
     from membership_events
     where ($bodyId::varchar is null or body_id = $bodyId)
       and ($from::date is null or effective_on >= $from::date)
       and ($to::date is null or effective_on <= $to::date)
     order by ${filter.last ? 'event_id desc limit 1' : 'effective_on, event_id'}`,
    { bodyId: filter.bodyId ?? null, from: filter.from ?? null, to: filter.to ?? null },
  );
  return rows.map((r) => ({
    eventId: Number(r.event_id),
    bodyId: r.body_id,
    change: r.change,
    status: r.status,
    effectiveOn: r.effective_on,
    joinedOn: r.joined_on,
    leftOn: r.left_on,
    servicesInScope: JSON.parse(r.services) as string[],
    note: r.note,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at,
  }));
}

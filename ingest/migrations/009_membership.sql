-- Membership lifecycle (docs/membership.md): every change of a body's place in the partnership
-- (registered as prospective or active, joined, left, services in scope changed) is an event
-- that is never rewritten. `bodies` holds the current state; this table is how it got there,
-- and the partnership report's "membership changes" read it by date.

create sequence if not exists membership_event_seq start 1;

create table if not exists membership_events (
  event_id bigint primary key,
  body_id varchar not null,
  -- registered, joined, left, services (a change of services in scope only)
  change varchar not null check (change in ('registered', 'joined', 'left', 'services')),
  status varchar not null check (status in ('prospective', 'active', 'left')),
  -- the day the change takes effect: the joining or leaving date, else the day it was recorded
  effective_on date not null,
  joined_on date,
  left_on date,
  services_in_scope varchar[] not null,
  note varchar,
  recorded_by varchar not null,
  recorded_at timestamp not null default current_timestamp
);

-- Bodies registered before the history was kept: their current state is their first event.
insert into membership_events
  (event_id, body_id, change, status, effective_on, joined_on, left_on, services_in_scope, note, recorded_by)
select
  nextval('membership_event_seq'),
  body_id,
  'registered',
  status,
  coalesce(joined_on, created_at::date),
  joined_on,
  left_on,
  services_in_scope,
  'as registered before membership history was kept',
  'migration 009'
from bodies
order by created_at, body_id;

-- Partnership performance (docs/partnership.md): the service levels and the partner's investment
-- commitments the agreement sets (stored with each agreement version, like its guarantees), and
-- the investment the partner delivered, loaded as a register (a version per load, never rewritten).

-- One row per contract year × measure the agreement sets targets for.
create table if not exists partnership_service_levels (
  load_id bigint not null,          -- the agreement version (savings_loads)
  contract_year integer not null,   -- the calendar year the contract year starts in
  measure varchar not null,         -- days_to_pay, paid_within_30_days_pct, … (docs/partnership.md)
  contractual decimal(9, 2) not null,
  stretch decimal(9, 2) not null,
  primary key (load_id, contract_year, measure)
);

-- One row per contract year × category of investment the partner committed.
create table if not exists partnership_commitments (
  load_id bigint not null,
  contract_year integer not null,
  category varchar not null,        -- maintaining_services, improving_services, community_development, savings_team
  committed decimal(18, 2) not null,
  primary key (load_id, contract_year, category)
);

-- The investment register: what the partner delivered, entry by entry, with its evidence.
create table if not exists partnership_investment (
  load_id bigint not null,
  source_row integer not null,
  investment_id varchar not null,
  category varchar not null,
  dated date not null,
  description varchar not null,
  amount decimal(18, 2) not null,
  evidence_ref varchar not null,
  approver varchar not null,
  body_id varchar,                  -- the body it benefits, when it is one body's
  primary key (load_id, investment_id)
);

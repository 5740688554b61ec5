-- Savings against guarantees (docs/savings.md): the agreement, the registers finance loads, and
-- the sign-offs that freeze validated figures. Every load is a version of its kind that is
-- never rewritten: a new file is a new version, and the models read the latest one.

create sequence if not exists savings_load_seq start 1;

-- One row per load: what it was (kind), its version of that kind, the file, who and when.
create table if not exists savings_loads (
  load_id bigint primary key,
  kind varchar not null,            -- agreement, register, service-charges, sales, evidence, price-index
  version integer not null,         -- 1, 2, … per kind
  file_name varchar not null,
  content_sha256 varchar not null,
  loaded_by varchar not null,
  loaded_at timestamp not null,
  rows_loaded integer not null,
  rows_rejected integer not null,
  unique (kind, version)
);

-- The agreement (one partnership agreement per database; each load a new version).
create table if not exists savings_agreements (
  load_id bigint primary key,
  agreement_id varchar not null,
  partner varchar not null,
  start_date date not null,
  end_date date not null,           -- the day after the last day of the term
  year_start_month integer not null, -- contract years run from this month (4: April–March)
  revenue_share_pct decimal(9, 4) not null,
  document json not null            -- the validated agreement as loaded
);

create table if not exists savings_agreement_bodies (
  load_id bigint not null,
  body_id varchar not null,
  joined_on date not null,
  left_on date,
  services_in_scope varchar[] not null,
  baseline_start date not null,     -- first day of the baseline period
  baseline_end date not null,       -- day after its last day
  primary key (load_id, body_id)
);

-- One row per contract year × stream of the term (years the file leaves out guarantee 0).
create table if not exists savings_guarantees (
  load_id bigint not null,
  contract_year integer not null,   -- the calendar year the contract year starts in
  stream varchar not null,          -- procurement, services_transferred, consequential, third_party_revenue_share
  guaranteed decimal(18, 2) not null,
  stretch decimal(18, 2) not null,
  indexation boolean not null,
  cost_avoidance_counts boolean not null,
  net_price_increases boolean not null,
  split varchar not null,           -- pro-rata-months
  partner_pays_shortfall boolean not null,
  partner_share_above_guarantee_pct decimal(9, 4) not null,
  primary key (load_id, contract_year, stream)
);

-- Savings register: contracts let through the partnership, with the price they replace.
create table if not exists savings_register (
  load_id bigint not null,
  source_row integer not null,
  register_id varchar not null,
  body_id varchar not null,
  supplier_name varchar not null,
  contract_ref varchar,
  item_code varchar,
  previous_unit_price decimal(18, 4),
  agreed_saving_pct decimal(9, 4),
  agreed_annual_saving decimal(18, 2),
  starts_on date not null,
  ends_on date,
  primary key (load_id, register_id)
);

-- Service-charge ledger: a transferred service's baseline cost against the charge now, by month.
create table if not exists savings_service_charges (
  load_id bigint not null,
  source_row integer not null,
  body_id varchar not null,
  service varchar not null,
  month date not null,
  baseline_cost decimal(18, 2) not null,
  charge decimal(18, 2) not null,
  primary key (load_id, body_id, service, month)
);

-- Third-party sales of the partnership's services; the agreement's share of each is a saving.
create table if not exists savings_sales (
  load_id bigint not null,
  source_row integer not null,
  sale_id varchar not null,
  body_id varchar not null,
  sale_date date not null,
  customer varchar not null,
  amount decimal(18, 2) not null,
  primary key (load_id, sale_id)
);

-- Consequential savings: only what evidence shows and someone approved, never inferred.
create table if not exists savings_evidence (
  load_id bigint not null,
  source_row integer not null,
  evidence_id varchar not null,
  body_id varchar not null,
  dated date not null,
  description varchar not null,
  amount decimal(18, 2) not null,
  evidence_ref varchar not null,
  approver varchar not null,
  primary key (load_id, evidence_id)
);

-- The price index the agreement indexes baselines with, by month.
create table if not exists savings_price_index (
  load_id bigint not null,
  source_row integer not null,
  month date not null,
  index_value decimal(18, 4) not null,
  primary key (load_id, month)
);

-- Finance's sign-off of a contract year's figures up to a date: a frozen snapshot of the
-- traced records, identified by the sha256 of their content.
create sequence if not exists savings_signoff_seq start 1;

create table if not exists savings_signoffs (
  signoff_id bigint primary key,
  contract_year integer not null,
  through_date date not null,       -- records dated up to and including this day
  signed_by varchar not null,
  signed_at timestamp not null,
  comment varchar not null,
  content_sha256 varchar not null,
  records integer not null,
  total decimal(18, 2) not null
);

create table if not exists savings_signoff_records (
  signoff_id bigint not null,
  record_id varchar not null,
  stream varchar not null,
  body_id varchar not null,
  contract_year integer not null,
  record_date date not null,
  amount decimal(18, 2) not null,
  primary key (signoff_id, record_id)
);

-- Savings against guarantees, continued (docs/savings.md).

-- Which month's index a baseline is indexed to (the agreement's `index_month` rule, per contract
-- year and stream): the invoice's month, or the first month of the record's contract year.
-- Agreements loaded before the rule existed index to the invoice month, as they always did.
-- (DuckDB cannot add a column with a not-null constraint: the loader always writes it.)
alter table savings_guarantees add column index_month varchar default 'invoice-month';

-- Baselines, versioned. A baseline's period is versioned with the agreement, but its price is
-- computed from invoices on every transforms run, so a late invoice or credit note dated in the
-- period would change it silently. After each run int_savings_baseline_versions compares each
-- body × item × unit baseline with the last version recorded here, and records a new version
-- (never rewriting an old one) and an audit row when it differs.
create table if not exists savings_baseline_versions (
  body_id varchar not null,
  item_code varchar not null,
  unit varchar not null,
  version integer not null,          -- 1, 2, … per body × item × unit
  baseline_unit_price decimal(18, 4), -- null: no baseline any more (its lines netted to nothing, or left the period)
  baseline_lines integer not null,
  baseline_quantity decimal(18, 4),
  baseline_net_amount decimal(18, 2),
  baseline_start date,
  baseline_end date,                  -- the day after the period's last day
  baseline_mid_month date,
  transform_run_id bigint not null,   -- the run that first computed this version
  recorded_at timestamp not null,
  primary key (body_id, item_code, unit, version)
);

-- One row per new version: what changed (price and period before and after), which lines of
-- the baseline period caused it (against the lines of the version before), when and by whom.
create sequence if not exists savings_baseline_change_seq start 1;

create table if not exists savings_baseline_changes (
  change_id bigint primary key,
  body_id varchar not null,
  item_code varchar not null,
  unit varchar not null,
  from_version integer,               -- null: the baseline's first version
  to_version integer not null,
  price_before decimal(18, 4),
  price_after decimal(18, 4),
  period_before varchar,              -- 'YYYY-MM-DD..YYYY-MM-DD' (the end exclusive), null when none
  period_after varchar,
  lines_added integer not null,
  lines_removed integer not null,
  lines_changed integer not null,
  causes json not null,               -- up to 50 of those lines: invoice, line, how it changed, its quantity, amount, ingest batch
  changed_at timestamp not null,
  changed_by varchar not null         -- 'transforms run <id>'
);

-- The lines behind each baseline's latest version (replaced when a new version is recorded):
-- what the next recomputation is compared with to name the lines that changed it.
create table if not exists savings_baseline_version_lines (
  body_id varchar not null,
  item_code varchar not null,
  unit varchar not null,
  invoice_id varchar not null,
  line_no integer not null,
  quantity decimal(18, 4) not null,
  net_amount decimal(18, 2) not null,
  primary key (body_id, item_code, unit, invoice_id, line_no)
);

-- Transforms (transforms/): the run log, which ingest batches each incremental model has
-- consumed, analysts' supplier decisions and the editable classification rules.

-- One row per model per run: what ran, for how long, how many rows, and how it ended.
create sequence transform_run_seq start 1;
create table transform_runs (
  run_id bigint not null,
  model varchar not null,
  started_at timestamp not null,
  duration_ms integer not null,
  rows_written bigint,
  status varchar not null check (status in ('success', 'failed', 'skipped')),
  mode varchar not null check (mode in ('full', 'incremental', 'none')),
  error varchar,
  primary key (run_id, model)
);

-- The incremental watermark: the ingest batches an incremental model has consumed. A set rather
-- than one number because two partitions' transactions can commit out of batch-id order.
create table transform_consumed_batches (
  model varchar not null,
  ingest_batch_id bigint not null,
  primary key (model, ingest_batch_id)
);

-- Analysts' decisions on supplier entities (spend suppliers confirm|merge|split). Each row pins
-- one raw supplier name of one body to an entity; the latest row for a name wins, and pins win
-- over the resolver on every run.
create sequence supplier_decision_seq start 1;
create table supplier_decisions (
  decision_id bigint not null,
  row_no integer not null,
  decided_at timestamp not null default current_timestamp,
  action varchar not null check (action in ('confirm', 'merge', 'split')),
  body_id varchar not null,
  supplier_name varchar not null,
  entity_id varchar not null,
  note varchar,
  primary key (decision_id, row_no)
);

-- Editable classification rules: a spend row whose own code is missing gets the category of
-- the first rule (lowest priority number) whose pattern (SQL ILIKE) matches the field.
create table classification_rules (
  rule_id varchar primary key,
  priority integer not null,
  field varchar not null check (field in ('expense_type', 'description', 'service_area')),
  pattern varchar not null,
  proclass_code varchar,
  cpv_code varchar,
  note varchar
);

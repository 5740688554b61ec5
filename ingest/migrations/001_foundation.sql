-- Foundation schema: the opt-in register, invoices and purchase orders as they arrived from
-- Kafka (every version kept: the latest offset per key is current), the consumer's offsets,
-- rejected messages and uploads. Money is DECIMAL, never DOUBLE.

-- The opt-in register: bodies join when they are ready and may leave.
create table bodies (
  body_id varchar primary key,
  name varchar not null,
  kind varchar not null check (kind in ('council', 'fire', 'police', 'school', 'health', 'other')),
  status varchar not null check (status in ('prospective', 'active', 'left')),
  joined_on date,
  left_on date,
  services_in_scope varchar[] not null default [],
  created_at timestamp not null default current_timestamp,
  updated_at timestamp not null default current_timestamp,
  check (left_on is null or joined_on is null or left_on >= joined_on)
);

-- One row per consumer transaction: the watermark that incremental transforms follow
-- (late invoices for old months exist, so invoice dates cannot be the watermark).
create sequence ingest_batch_seq start 1;
create table ingest_batches (
  ingest_batch_id bigint primary key,
  topic varchar not null,
  kafka_partition integer not null,
  first_offset bigint not null,
  last_offset bigint not null,
  messages integer not null,
  accepted integer not null,
  rejected integer not null,
  committed_at timestamp not null default current_timestamp
);

-- Where each topic partition has been read up to, committed in the same transaction as the
-- rows it produced. The database, not Kafka, is the source of truth for what is ingested.
create table consumer_offsets (
  topic varchar not null,
  kafka_partition integer not null,
  next_offset bigint not null,
  updated_at timestamp not null default current_timestamp,
  primary key (topic, kafka_partition)
);

-- Every version of every invoice (and credit note). A tombstone is a row with retracted = true.
create table invoices (
  topic varchar not null,
  kafka_partition integer not null,
  kafka_offset bigint not null,
  ingest_batch_id bigint not null,
  body_id varchar not null,
  invoice_id varchar not null,
  retracted boolean not null,
  document_type varchar,
  supplier_name varchar,
  supplier_ref varchar,
  supplier_vat_number varchar,
  supplier_company_number varchar,
  supplier_charity_number varchar,
  supplier_redacted boolean,
  invoice_date date,
  payment_date date,
  currency varchar,
  net_amount decimal(18, 2),
  vat_amount decimal(18, 2),
  po_number varchar,
  contract_ref varchar,
  description varchar,
  expense_type varchar,
  service_area varchar,
  cost_centre varchar,
  category_scheme varchar,
  category_code varchar,
  category_label varchar,
  upload_id varchar,
  source_file varchar,
  source_row integer,
  produced_at timestamp
);

create table invoice_lines (
  topic varchar not null,
  kafka_partition integer not null,
  kafka_offset bigint not null,
  body_id varchar not null,
  invoice_id varchar not null,
  line_no integer not null,
  description varchar,
  item_code varchar,
  quantity decimal(18, 4),
  unit varchar,
  unit_price decimal(18, 4),
  net_amount decimal(18, 2) not null,
  category_scheme varchar,
  category_code varchar,
  category_label varchar
);

create table purchase_orders (
  topic varchar not null,
  kafka_partition integer not null,
  kafka_offset bigint not null,
  ingest_batch_id bigint not null,
  body_id varchar not null,
  po_number varchar not null,
  retracted boolean not null,
  supplier_name varchar,
  supplier_ref varchar,
  supplier_vat_number varchar,
  supplier_company_number varchar,
  supplier_charity_number varchar,
  supplier_redacted boolean,
  order_date date,
  currency varchar,
  status varchar,
  contract_ref varchar,
  description varchar,
  total_net decimal(18, 2),
  upload_id varchar,
  source_file varchar,
  source_row integer,
  produced_at timestamp
);

create table purchase_order_lines (
  topic varchar not null,
  kafka_partition integer not null,
  kafka_offset bigint not null,
  body_id varchar not null,
  po_number varchar not null,
  line_no integer not null,
  description varchar,
  item_code varchar,
  quantity decimal(18, 4) not null,
  unit varchar,
  unit_price decimal(18, 4) not null,
  net_amount decimal(18, 2) not null,
  category_scheme varchar,
  category_code varchar,
  category_label varchar
);

-- Messages set aside with a precise reason; also sent to the dead-letter topic.
create table rejected_messages (
  topic varchar not null,
  kafka_partition integer not null,
  kafka_offset bigint not null,
  ingest_batch_id bigint not null,
  message_key varchar,
  body_id varchar,
  reason_code varchar not null,
  reason varchar not null,
  raw_value varchar,
  raw_truncated boolean not null,
  produced_at timestamp,
  rejected_at timestamp not null default current_timestamp
);

-- Files uploaded by bodies (filled by the upload path; see docs/messages.md).
create table uploads (
  upload_id varchar primary key,
  body_id varchar not null,
  file_name varchar not null,
  content_sha256 varchar not null,
  bytes bigint not null,
  format varchar,
  status varchar not null,
  rows_read integer,
  accepted integer,
  rejected integer,
  skipped integer,
  accepted_net_total decimal(18, 2),
  control_total decimal(18, 2),
  report json,
  created_at timestamp not null default current_timestamp
);

-- Current documents: for one key the highest offset wins; a retraction removes the document.
-- Keys always land on one partition, so offsets of one key are comparable.
create view current_invoices as
select * exclude (version_rank)
from (
  select *, row_number() over (partition by body_id, invoice_id order by kafka_offset desc) as version_rank
  from invoices
)
where version_rank = 1 and not retracted;

create view current_invoice_lines as
select l.*
from invoice_lines as l
join current_invoices as i using (topic, kafka_partition, kafka_offset);

create view current_purchase_orders as
select * exclude (version_rank)
from (
  select *, row_number() over (partition by body_id, po_number order by kafka_offset desc) as version_rank
  from purchase_orders
)
where version_rank = 1 and not retracted;

create view current_purchase_order_lines as
select l.*
from purchase_order_lines as l
join current_purchase_orders as o using (topic, kafka_partition, kafka_offset);

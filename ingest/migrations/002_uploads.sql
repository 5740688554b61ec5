-- Uploads: what each upload did (the reconciliation report), the rows it rejected, and the
-- column mappings bodies saved for their own layouts. See docs/uploads.md.

-- The layout (header fingerprint) and the mapping used: the same file under another mapping is
-- a new upload, under the same mapping a duplicate.
alter table uploads add column mapping_fingerprint varchar;
alter table uploads add column mapping_digest varchar;
alter table uploads add column control_total_agrees boolean;
alter table uploads add column period_start date;
alter table uploads add column period_end date;
alter table uploads add column finished_at timestamp;

-- Every rejected row of an upload (up to a limit per upload), with the column and the reason.
create table upload_rejections (
  upload_id varchar not null,
  row_number integer not null,
  column_name varchar,
  field varchar,
  value varchar,
  reason varchar not null
);

-- Mappings a body saved for a layout; later uploads whose header has this fingerprint use it.
create table upload_mappings (
  body_id varchar not null,
  fingerprint varchar not null,
  header json not null,
  mapping json not null,
  saved_at timestamp not null default current_timestamp,
  primary key (body_id, fingerprint)
);

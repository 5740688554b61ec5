-- Recovery after a crash (docs/reliability.md, "Fault tests").

-- Whole transform runs. A run is complete only once finished_at is set, after every model it
-- selected was built, failed or skipped; a run whose process died (kill -9, power loss) keeps a
-- null finished_at. The next whole run in another process builds every model in full, since
-- models of another grain may have missed a change an upstream model committed before the
-- crash, and records itself in recovered_by.
create table transform_run_log (
  run_id bigint primary key,
  started_at timestamp not null,
  finished_at timestamp,
  selection varchar,
  full_build boolean not null,
  failed integer,
  skipped integer,
  recovered_by bigint
);

-- The process that reads an upload's file (`spend upload`, or `spend serve` for an HTTP upload).
-- An upload still 'uploading' whose process is gone was interrupted: marked so by the owner.
alter table uploads add column uploader_pid integer;

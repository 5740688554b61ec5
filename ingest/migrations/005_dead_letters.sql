-- Dead letters that never block ingestion, and replay (docs/reliability.md, "Dead letters").
-- A rejected value longer than raw_value keeps (64 KiB) is kept whole here, byte for byte: the
-- dead-letter topic cannot always carry it (it then gets a reference to this row), and a replay
-- needs the exact value.
alter table rejected_messages add column raw_value_whole blob;
-- Set when `spend dead-letters replay` ingested the message: it no longer counts as rejected,
-- and a second replay leaves it alone. replay_batch_id is the ingest_batches row of that replay.
alter table rejected_messages add column replayed_at timestamp;
alter table rejected_messages add column replay_batch_id bigint;

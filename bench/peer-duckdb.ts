/**
 * Peer C, run as a child process by bench/ingest.ts: DuckDB's own load of the same messages, what
 * the store alone can do. The messages were dumped as NDJSON (one line per Kafka message: topic,
 * partition, offset, timestamp and the value as it was sent); here ONE transaction reads them
 * with `read_json` into the staging table the ingest service uses and runs the very same
 * set-based inserts (the topic handler's `from_json` shredding into the invoice and line tables,
 * with their types and NOT NULL constraints), on a fresh database file opened with the same
 * migrations, memory limit and threads. No Kafka, no JavaScript per message: the contract's own
 * rules (checked in JavaScript by the consumer) are NOT applied, so this is an upper bound.
 *
 * Input: the configuration in the environment (SPEND_DB, DUCKDB_*, SPEND_TOPIC_INVOICES) and
 * BENCH_NDJSON (the dump). Output: one JSON line on stdout.
 */
import { dirname } from 'node:path';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { invoicesHandler } from '../ingest/topics/invoices/handler.ts';
import { loadConfig } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';

export type DuckdbLoadResult = {
  /** From BEGIN to COMMIT returning: read_json, both inserts, the commit. */
  loadMs: number;
  invoices: number;
  lines: number;
  netTotal: string;
};

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const ndjson = process.env.BENCH_NDJSON;
  if (!ndjson) throw new Error('BENCH_NDJSON must be set');
  const db = await Database.open({
    path: config.dbPath,
    migrationsDir: MIGRATIONS_DIR,
    memoryLimit: config.duckdb.memoryLimit,
    threads: config.duckdb.threads,
    allowedDirectories: [dirname(ndjson)],
  });
  try {
    const result = await db.withConnection(async (conn) => {
      const topic = config.topics.invoices;
      const began = performance.now();
      await conn.run('begin transaction');
      await conn.run(
        `create temp table staged_documents as
           select topic, kafka_partition, ingest_batch_id, kafka_offset, produced_at, raw
             from read_json($file, format = 'newline_delimited', columns = {
               topic: 'VARCHAR', kafka_partition: 'INTEGER', ingest_batch_id: 'BIGINT',
               kafka_offset: 'BIGINT', produced_at: 'TIMESTAMP', raw: 'VARCHAR'})`,
        { file: ndjson },
      );
      await conn.run(invoicesHandler.insertDocumentsSql, { topic });
      await conn.run(invoicesHandler.insertLinesSql, { topic });
      await conn.run('commit');
      const loadMs = performance.now() - began;
      const [counts] = await queryRows<Omit<DuckdbLoadResult, 'loadMs'>>(
        conn,
        `select (select count(*) from invoices)::integer as invoices,
                (select count(*) from invoice_lines)::integer as lines,
                (select coalesce(sum(net_amount), 0)::varchar from invoices) as "netTotal"`,
      );
      return { loadMs, ...(counts as Omit<DuckdbLoadResult, 'loadMs'>) };
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    db.close();
  }
}

await main();

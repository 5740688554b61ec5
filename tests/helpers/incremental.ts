/**
 * Shared by the incremental-refresh tests: runs the transforms on a connection (failing on any
 * model that did not build), sends invoice versions in a new ingest batch as the consumer writes
 * them, and compares every model's rows after an incremental refresh with a rebuild from scratch.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { expect } from 'vitest';
import { queryRows } from '../../lib/db.ts';
import type { Model } from '../../transforms/models.ts';
import { runOnConnection } from '../../transforms/runner.ts';

/** Runs the transforms (all models, or a selection); returns each model's mode and rows written. */
export async function runModelsChecked(
  conn: DuckDBConnection,
  options: { full?: boolean; select?: string[] } = {},
): Promise<Record<string, { mode: string; rows: number | null }>> {
  const summary = await runOnConnection(conn, { ...options, codelistsDir: null });
  const failed = summary.models.filter((m) => m.status !== 'success');
  expect(failed.map((m) => `${m.model}: ${m.error}`)).toEqual([]);
  return Object.fromEntries(summary.models.map((m) => [m.model, { mode: m.mode, rows: m.rows }]));
}

export const scalar = async (conn: DuckDBConnection, sql: string): Promise<string> =>
  String((await queryRows<{ v: string }>(conn, `select (${sql})::varchar as v`))[0]?.v);

/**
 * The models' rows now, then rebuilt from scratch (the same selection): the models whose rows
 * differ, and how (EXCEPT ALL, both ways).
 */
export async function differencesFromFullRebuild(
  conn: DuckDBConnection,
  models: Model[],
  select?: string[],
): Promise<string[]> {
  for (const m of models)
    await conn.run(`create or replace temp table "inc__${m.name}" as select * from "${m.name}"`);
  await runModelsChecked(conn, { full: true, ...(select ? { select } : {}) });
  const differences: string[] = [];
  for (const m of models) {
    const onlyIncremental = await scalar(
      conn,
      `select count(*) from (select * from "inc__${m.name}" except all select * from main."${m.name}")`,
    );
    const onlyFull = await scalar(
      conn,
      `select count(*) from (select * from main."${m.name}" except all select * from "inc__${m.name}")`,
    );
    if (onlyIncremental !== '0' || onlyFull !== '0')
      differences.push(`${m.name}: ${onlyIncremental} rows only incremental, ${onlyFull} only full`);
  }
  return differences;
}

/**
 * One new ingest batch holding the invoice messages (with their lines) the SQL selects; `$offset`
 * in the SQL is each message's new Kafka offset.
 */
export async function sendInvoices(
  conn: DuckDBConnection,
  batch: number,
  versions: { select: string; lines?: string }[],
): Promise<void> {
  let offset = Number(await scalar(conn, 'select max(kafka_offset) + 1 from invoices'));
  for (const version of versions) {
    await conn.run(
      `create or replace temp table next_version as ${version.select.replaceAll('$offset', String(offset))}`,
    );
    await conn.run(
      `insert into invoices by name select * replace (${batch} as ingest_batch_id) from next_version`,
    );
    if (version.lines)
      await conn.run(
        `insert into invoice_lines by name ${version.lines.replaceAll('$offset', String(offset))}`,
      );
    offset++;
  }
  await conn.run(
    `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
     select ${batch}, 'bench.invoices.v1', 0, min(kafka_offset), max(kafka_offset), count(*), count(*), 0
     from invoices where ingest_batch_id = ${batch}`,
  );
}

/** The current version of each invoice message, as the raw table holds it (alias-free subquery text). */
export const CURRENT_INVOICES = `select i.* from invoices as i inner join stg_invoices as s using (topic, kafka_partition, kafka_offset)`;

/** The lines of the current invoice messages matching `where` (over `c`), copied to `$offset`, changed by `change`. */
export const copyLines = (where: string, change = '') =>
  `select * replace ($offset as kafka_offset${change}) from invoice_lines as l
   where (topic, kafka_partition, kafka_offset) in (select (topic, kafka_partition, kafka_offset) from (${CURRENT_INVOICES}) as c where ${where})`;

/** The condition (over `c`) naming one document. */
export const documentIs = (doc: Record<string, string>) =>
  `c.body_id = '${doc.body_id}' and c.invoice_id = '${doc.invoice_id}'`;

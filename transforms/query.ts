/**
 * Reading the results before any dashboard exists: `spend query <model>` with simple filters
 * (column, operator, value: the column from the model's own columns, the value always bound),
 * and `spend sql` for analysts: exactly one statement, which must be a SELECT (or a
 * read-only form of one), run in a transaction that is rolled back, reading no files.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { queryRows } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import { loadModels } from './models.ts';

export type QueryResult = { columns: string[]; rows: Record<string, unknown>[]; truncated: boolean };

export const OPERATORS = ['=', '!=', '<=', '>=', '<', '>', '~'] as const;

export const martQueryParams = z.object({
  model: z.string().min(1),
  where: z
    .array(z.object({ column: z.string().min(1), op: z.enum(OPERATORS), value: z.string() }))
    .default([]),
  limit: z.number().int().positive().max(1_000_000).default(1000),
});
export type MartQuery = z.input<typeof martQueryParams>;

/** `body_id=north-shire-cc`, `net_total>1000`, `entity_name~edf` (contains, any case). */
export function parseWhere(text: string): { column: string; op: (typeof OPERATORS)[number]; value: string } {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*(!=|<=|>=|=|<|>|~)\s*(.*)$/s.exec(text);
  if (!match) {
    throw new UserError(
      'invalid-input',
      `--where "${text}" is not <column><operator><value>, with an operator among ${OPERATORS.join(' ')} (e.g. body_id=north-shire-cc).`,
    );
  }
  return {
    column: match[1] as string,
    op: match[2] as (typeof OPERATORS)[number],
    value: match[3] as string,
  };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function queryModel(conn: DuckDBConnection, input: MartQuery): Promise<QueryResult> {
  const params = martQueryParams.parse(input);
  const models = loadModels().map((m) => m.name);
  if (!models.includes(params.model)) {
    throw new UserError('not-found', `No model named ${params.model}. Models: ${models.join(', ')}.`);
  }
  const columns = (
    await queryRows<{ column_name: string; data_type: string }>(
      conn,
      `select column_name, data_type from information_schema.columns
       where table_schema = 'main' and table_name = $table order by ordinal_position`,
      { table: params.model },
    )
  ).map((c) => c.column_name);
  if (columns.length === 0) {
    throw new UserError('not-found', `${params.model} has not been built yet: run "spend transforms run".`);
  }
  const bound: Record<string, DuckDBValue> = {};
  const conditions = params.where.map((filter, i) => {
    if (!columns.includes(filter.column)) {
      throw new UserError(
        'invalid-input',
        `${params.model} has no column ${filter.column}. Columns: ${columns.join(', ')}.`,
      );
    }
    bound[`v${i}`] = filter.value;
    const column = quoteIdent(filter.column);
    // Compare as text for = / != / ~ (any type reads as its text), else in the column's own type.
    if (filter.op === '~') return `${column}::varchar ilike '%' || $v${i} || '%'`;
    if (filter.op === '=' || filter.op === '!=')
      return `${column}::varchar ${filter.op === '=' ? '=' : '<>'} $v${i}`;
    return `${column} ${filter.op} $v${i}`;
  });
  const sql = `select * from ${quoteIdent(params.model)}${conditions.length ? ` where ${conditions.join(' and ')}` : ''} order by all limit ${params.limit + 1}`;
  const rows = await queryRows(conn, sql, bound);
  return { columns, rows: rows.slice(0, params.limit), truncated: rows.length > params.limit };
}

export const sqlQueryParams = z.object({
  sql: z.string().min(1).max(100_000),
  limit: z.number().int().positive().max(1_000_000).default(1000),
});

/** Table functions that read files or the network: an analyst's query reads the database only. */
const FILE_READERS =
  /\b(read_\w+|glob|sniff_csv|parquet_\w+|iceberg_\w+|delta_scan|httpfs|http_get|attach|copy|install|load|pragma|set|export|import)\b|'[^']*(\/|\\|:\/\/)[^']*\.(csv|parquet|json|tsv|txt)/i;

export async function runReadOnlySql(
  conn: DuckDBConnection,
  input: z.input<typeof sqlQueryParams>,
): Promise<QueryResult> {
  const params = sqlQueryParams.parse(input);
  const refuse = (why: string) => {
    throw new UserError('invalid-input', `spend sql runs one read-only SELECT statement: ${why}.`);
  };
  let statements: Awaited<ReturnType<DuckDBConnection['extractStatements']>>;
  try {
    statements = await conn.extractStatements(params.sql);
  } catch (error) {
    throw new UserError('invalid-input', `the SQL does not parse: ${(error as Error).message}`);
  }
  if (statements.count !== 1) refuse(`found ${statements.count} statements`);
  if (FILE_READERS.test(params.sql)) refuse('reading files, settings and extensions is not allowed');
  const prepared = await statements.prepare(0);
  // 1 = SELECT in DuckDB's statement types (a WITH … SELECT is a SELECT too).
  if (Number(prepared.statementType) !== 1) refuse('this statement changes or manages the database');
  let rows: Record<string, unknown>[] = [];
  let columns: string[] = [];
  await conn.run('begin transaction');
  try {
    const reader = await prepared.runAndReadUntil(params.limit + 1);
    columns = reader.columnNames();
    rows = reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    // Nothing a SELECT did is kept.
    await conn.run('rollback');
  }
  return { columns, rows: rows.slice(0, params.limit), truncated: rows.length > params.limit };
}

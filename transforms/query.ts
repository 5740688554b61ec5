/**
 * Reading the results before any dashboard exists: `spend query <model>` with simple filters
 * (column, operator, value: the column from the model's own columns, the value always bound),
 * and `spend sql` for analysts: exactly one statement, which DuckDB's own parser must read as a
 * SELECT reading only the database's tables and views (no files, network, settings), run in a
 * transaction that is rolled back.
 */
import { type DuckDBConnection, type DuckDBValue, StatementType } from '@duckdb/node-api';
import { z } from 'zod';
import { queryRows, quoteIdent } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import type { Column, Row } from '../lib/output.ts';
import { loadModels } from './models.ts';

/** Columns carry their DuckDB types so every output format (lib/output.ts) keeps them. */
export type QueryResult = { columns: Column[]; rows: Row[]; truncated: boolean };

export const OPERATORS = ['=', '!=', '<=', '>=', '<', '>', '~'] as const;

export const martQueryParams = z.object({
  model: z.string().min(1),
  where: z
    .array(z.object({ column: z.string().min(1), op: z.enum(OPERATORS), value: z.string() }))
    .default([]),
  limit: z.number().int().positive().max(1_000_000).default(1000),
  /** Rows to skip (the API's page cursor): the order is total (order by all), so pages are stable. */
  offset: z.number().int().min(0).default(0),
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

/**
 * The SELECT for a model with filters: the model and every column from the allow-list of
 * the database's own models and their columns, every value bound. Callers add the limit.
 */
export async function buildModelQuery(
  conn: DuckDBConnection,
  input: MartQuery,
): Promise<{ sql: string; params: Record<string, DuckDBValue>; columns: Column[] }> {
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
  ).map((c) => ({ name: c.column_name, type: c.data_type }));
  if (columns.length === 0) {
    throw new UserError('not-found', `${params.model} has not been built yet: run "spend transforms run".`);
  }
  const names = columns.map((c) => c.name);
  const bound: Record<string, DuckDBValue> = {};
  const conditions = params.where.map((filter, i) => {
    if (!names.includes(filter.column)) {
      throw new UserError(
        'invalid-input',
        `${params.model} has no column ${filter.column}. Columns: ${names.join(', ')}.`,
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
  const sql = `select * from ${quoteIdent(params.model)}${conditions.length ? ` where ${conditions.join(' and ')}` : ''} order by all`;
  return { sql, params: bound, columns };
}

export async function queryModel(conn: DuckDBConnection, input: MartQuery): Promise<QueryResult> {
  const params = martQueryParams.parse(input);
  const query = await buildModelQuery(conn, params);
  const rows = await queryRows<Row>(
    conn,
    `${query.sql} limit ${params.limit + 1} offset ${params.offset}`,
    query.params,
  );
  return { columns: query.columns, rows: rows.slice(0, params.limit), truncated: rows.length > params.limit };
}

export const sqlQueryParams = z.object({
  sql: z.string().min(1).max(100_000),
  limit: z.number().int().positive().max(1_000_000).default(1000),
});

/**
 * Table functions an analyst's SELECT may use: they compute rows or describe the database. Any
 * other (read_csv, read_parquet, read_json, read_text, glob, query, iceberg_scan, duckdb_secrets…)
 * is refused: a query reads the database, never files, the network or its settings.
 */
const ALLOWED_TABLE_FUNCTIONS = new Set([
  'range',
  'generate_series',
  'unnest',
  'json_each',
  'json_tree',
  'duckdb_tables',
  'duckdb_views',
  'duckdb_columns',
  'duckdb_schemas',
  'duckdb_constraints',
  'duckdb_indexes',
  'duckdb_types',
  'duckdb_functions',
  'pragma_table_info',
  'summary',
]);

/** Functions that read settings or variables, or change state, even inside a SELECT. */
const REFUSED_FUNCTIONS = new Set(['getvariable', 'current_setting', 'nextval', 'setseed']);

type AstNode = { [key: string]: unknown };

/**
 * Why DuckDB's own parse tree of a SELECT (json_serialize_sql) shows it reaching past the
 * database, or null. Every node is visited: subqueries, CTEs, set operations, DESCRIBE/SUMMARIZE.
 * A table name that is neither a table or view of the database nor a CTE would be read as a file
 * (`from 'spend.csv'`, DuckDB's replacement scans), so it is refused too.
 */
export function reachesOutside(ast: unknown, relations: Set<string>): string | null {
  const ctes = new Set<string>();
  const tables: string[] = [];
  let problem: string | null = null;
  const visit = (value: unknown): void => {
    if (problem || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    const node = value as AstNode;
    if (node.type === 'TABLE_FUNCTION') {
      const name = String((node.function as AstNode | undefined)?.function_name ?? '').toLowerCase();
      if (!ALLOWED_TABLE_FUNCTIONS.has(name)) {
        problem = `the table function ${name}() reads outside the database`;
        return;
      }
    }
    if (node.class === 'FUNCTION' && REFUSED_FUNCTIONS.has(String(node.function_name).toLowerCase())) {
      problem = `${String(node.function_name)}() reads settings or changes state`;
      return;
    }
    if (node.type === 'BASE_TABLE') tables.push(String(node.table_name));
    const cteMap = (node.cte_map as { map?: { key: string }[] } | undefined)?.map;
    for (const cte of cteMap ?? []) ctes.add(cte.key.toLowerCase());
    for (const child of Object.values(node)) visit(child);
  };
  visit(ast);
  if (problem) return problem;
  const unknown = tables.find((t) => !relations.has(t.toLowerCase()) && !ctes.has(t.toLowerCase()));
  return unknown === undefined
    ? null
    : `"${unknown}" is not a table or view of the database (files are not read)`;
}

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
  // DuckDB's parser decides, never a pattern on the text: only a SELECT serialises to JSON
  // (INSERT, COPY, ATTACH, SET, PRAGMA, EXPLAIN… do not), and its tree shows what it reads.
  // Checked before preparing: binding read_csv(…) would already open the file.
  const [serialised] = await queryRows<{ ast: string }>(
    conn,
    'select json_serialize_sql($sql::varchar)::varchar as ast',
    { sql: params.sql },
  );
  const ast = JSON.parse(serialised?.ast ?? '{}') as { error?: boolean; error_message?: string };
  if (ast.error) {
    refuse(
      /Only SELECT/i.test(ast.error_message ?? '')
        ? 'this statement is not a SELECT'
        : `the SQL does not parse (${ast.error_message})`,
    );
  }
  const relations = new Set(
    (
      await queryRows<{ name: string }>(
        conn,
        `select lower(table_name) as name from duckdb_tables()
         union select lower(view_name) from duckdb_views()`,
      )
    ).map((r) => r.name),
  );
  const outside = reachesOutside(ast, relations);
  if (outside) refuse(outside);
  const prepared = await statements.prepare(0);
  if (prepared.statementType !== StatementType.SELECT) refuse('this statement is not a SELECT');
  let rows: Row[] = [];
  let columns: Column[] = [];
  await conn.run('begin transaction');
  try {
    const reader = await prepared.runAndReadUntil(params.limit + 1);
    const types = reader.columnTypes();
    columns = reader.columnNames().map((name, i) => ({ name, type: String(types[i]) }));
    rows = reader.getRowObjectsJson() as Row[];
  } finally {
    // Nothing a SELECT did is kept.
    await conn.run('rollback');
  }
  return { columns, rows: rows.slice(0, params.limit), truncated: rows.length > params.limit };
}

/**
 * Reading the results before any dashboard exists: `spend query <model>` with simple filters
 * (column, operator, value: the column from the model's own columns, the value always bound),
 * and `spend sql` for analysts: exactly one statement, which DuckDB's own parser must read as a
 * SELECT reading only the database's tables and views (no files, network, settings), run in a
 * transaction that is rolled back, interrupted past a time limit and cut short past a size.
 * DuckDB's own lockdown (lib/db.ts) backs this guard: it is the first line, not the only one.
 */
import { type DuckDBConnection, type DuckDBResult, type DuckDBValue, StatementType } from '@duckdb/node-api';
import { z } from 'zod';
import {
  DEFAULT_USER_SQL_LIMITS,
  queryRows,
  quoteIdent,
  type UserSqlLimits,
  withTimeout,
} from '../lib/db.ts';
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

let knownModelNames: string[] | undefined;
/** The models' names, read once: the model files are code, and reading and checking all of them
 * took 2–30 ms of the event loop on every uncached API request for a mart. */
const modelNames = (): string[] => (knownModelNames ??= loadModels().map((m) => m.name));

/**
 * The SELECT for a model with filters: the model and every column from the allow-list of
 * the database's own models and their columns, every value bound. Callers add the order
 * (`order by all`: every column, so pages are stable) and the limit.
 */
export async function buildModelQuery(
  conn: DuckDBConnection,
  input: MartQuery,
): Promise<{ sql: string; params: Record<string, DuckDBValue>; columns: Column[] }> {
  const params = martQueryParams.parse(input);
  const models = modelNames();
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
  // unordered: the caller orders (and pages) once, outside; an order here was a second full sort
  const sql = `select * from ${quoteIdent(params.model)}${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`;
  return { sql, params: bound, columns };
}

export async function queryModel(
  conn: DuckDBConnection,
  input: MartQuery,
  limits: UserSqlLimits = DEFAULT_USER_SQL_LIMITS,
): Promise<QueryResult> {
  const params = martQueryParams.parse(input);
  const query = await buildModelQuery(conn, params);
  return withTimeout(conn, limits.timeoutMs, async () => {
    const { rows, truncated } = await readCapped(
      await conn.stream(
        `${query.sql} order by all limit ${params.limit + 1} offset ${params.offset}`,
        query.params,
      ),
      params.limit,
      limits.maxResultBytes,
    );
    return { columns: query.columns, rows, truncated };
  });
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
const REFUSED_FUNCTIONS = new Set(['getvariable', 'current_setting', 'getenv', 'nextval', 'setseed']);

type AstNode = { [key: string]: unknown };

/** What `show …` may list (DuckDB's SHOW_REF names): the database's own tables and databases. */
const ALLOWED_SHOW_NAMES = new Set(['"tables"', '__show_tables_expanded', '"databases"']);

/** Schemas a bare table name is looked up in (DuckDB's default search path). */
const SEARCH_PATH = ['main', 'pg_catalog'];

/**
 * The database's tables and views by every name a query may use for them: `name` (in the
 * search path), `schema.name` and `database.schema.name`, lower case.
 */
export async function databaseRelations(conn: DuckDBConnection): Promise<Set<string>> {
  const rows = await queryRows<{ db: string; schema: string; name: string }>(
    conn,
    `select lower(database_name) as db, lower(schema_name) as schema, lower(table_name) as name from duckdb_tables()
     union select lower(database_name), lower(schema_name), lower(view_name) from duckdb_views()`,
  );
  const names = new Set<string>();
  for (const r of rows) {
    if (SEARCH_PATH.includes(r.schema)) names.add(r.name);
    names.add(`${r.schema}.${r.name}`);
    names.add(`${r.db}.${r.schema}.${r.name}`);
  }
  return names;
}

/**
 * Why DuckDB's own parse tree of a SELECT (json_serialize_sql) shows it reaching past the
 * database, or null. Every node is visited: subqueries, CTEs, set operations, DESCRIBE/SUMMARIZE.
 * A table name that is neither a table or view of the database nor a CTE in scope would be read
 * as a file (`from 'spend.csv'`, DuckDB's replacement scans), so it is refused too.
 *
 * CTE names are scoped as DuckDB binds them: a CTE is visible in the query that declares it and
 * in the CTEs declared after it, never in its own body (there the same name would be a file:
 * `with "/f.csv" as (from '/f.csv') from "/f.csv"`), except in the recursive part of a
 * recursive CTE (RECURSIVE_CTE_NODE's right side), nor outside its query.
 */
export function reachesOutside(ast: unknown, relations: Set<string>): string | null {
  let problem: string | null = null;
  const refuse = (why: string) => {
    problem ??= why;
  };
  const visit = (value: unknown, scope: ReadonlySet<string>): void => {
    if (problem || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, scope);
      return;
    }
    const node = value as AstNode;
    if (node.type === 'TABLE_FUNCTION') {
      const name = String((node.function as AstNode | undefined)?.function_name ?? '').toLowerCase();
      if (!ALLOWED_TABLE_FUNCTIONS.has(name)) {
        refuse(`the table function ${name}() reads outside the database`);
        return;
      }
    }
    if (node.class === 'FUNCTION' && REFUSED_FUNCTIONS.has(String(node.function_name).toLowerCase())) {
      refuse(`${String(node.function_name)}() reads settings or changes state`);
      return;
    }
    if (node.type === 'BASE_TABLE') {
      const name = String(node.table_name).toLowerCase();
      const qualified = [node.catalog_name, node.schema_name, node.table_name]
        .map((part) => String(part ?? '').toLowerCase())
        .filter((part) => part !== '')
        .join('.');
      const known = qualified === name ? scope.has(name) || relations.has(name) : relations.has(qualified);
      if (!known) {
        refuse(`"${String(node.table_name)}" is not a table or view of the database (files are not read)`);
        return;
      }
    }
    if (node.type === 'SHOW_REF' && node.table_name && !ALLOWED_SHOW_NAMES.has(String(node.table_name))) {
      refuse(`"${String(node.table_name)}" is not a table or view of the database (files are not read)`);
      return;
    }
    let inner = scope;
    const cteMap = (node.cte_map as { map?: { key: string; value: unknown }[] } | undefined)?.map ?? [];
    if (cteMap.length > 0) {
      const declared = new Set(scope);
      for (const cte of cteMap) {
        visit(cte.value, declared); // sees the CTEs before it, not itself
        declared.add(cte.key.toLowerCase());
      }
      inner = declared;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'cte_map') continue;
      if (node.type === 'RECURSIVE_CTE_NODE' && key === 'right') {
        visit(child, new Set([...inner, String(node.cte_name).toLowerCase()]));
      } else visit(child, inner);
    }
  };
  visit(ast, new Set());
  return problem;
}

/**
 * Reads a result chunk by chunk until it has `limit` rows (plus one, to tell whether there were
 * more) or `maxBytes` of JSON: a result never grows past either in memory.
 */
async function readCapped(result: DuckDBResult, limit: number, maxBytes: number): Promise<QueryResult> {
  const rows: Row[] = [];
  let bytes = 0;
  let truncated = false;
  for await (const chunk of result.yieldRowObjectJson()) {
    for (const row of chunk) {
      bytes += JSON.stringify(row).length + 1;
      if (rows.length === limit || bytes > maxBytes) {
        truncated = true;
        break;
      }
      rows.push(row as Row);
    }
    if (truncated) break;
  }
  const types = result.columnTypes();
  const columns = result.columnNames().map((name, i) => ({ name, type: String(types[i]) }));
  return { columns, rows, truncated };
}

export async function runReadOnlySql(
  conn: DuckDBConnection,
  input: z.input<typeof sqlQueryParams>,
  limits: UserSqlLimits = DEFAULT_USER_SQL_LIMITS,
): Promise<QueryResult> {
  const params = sqlQueryParams.parse(input);
  const refuse = (why: string) => {
    throw new UserError('invalid-input', `spend sql runs one read-only SELECT statement: ${why}.`);
  };
  // DuckDB's parser decides, never a pattern on the text: only a SELECT serialises to JSON
  // (INSERT, COPY, ATTACH, SET, PRAGMA, EXPLAIN… do not), and its tree shows what it reads.
  // Checked before anything else: extracting statements expands IMPORT DATABASE, which reads
  // files, and binding read_csv(…) would already open the file; serialising only parses.
  const [serialised] = await queryRows<{ ast: string }>(
    conn,
    'select json_serialize_sql($sql::varchar)::varchar as ast',
    { sql: params.sql },
  );
  const ast = JSON.parse(serialised?.ast ?? '{}') as {
    error?: boolean;
    error_message?: string;
    statements?: unknown[];
  };
  if (ast.error) {
    if (!/Only SELECT/i.test(ast.error_message ?? '')) {
      throw new UserError('invalid-input', `the SQL does not parse: ${ast.error_message}`);
    }
    // Refused either way; counted only to say why. Counting an IMPORT DATABASE would read its
    // folder: the engine's lockdown refuses that (a failed count says "not a SELECT").
    const count = await conn.extractStatements(params.sql).then(
      (extracted) => extracted.count,
      () => 1,
    );
    refuse(count === 1 ? 'this statement is not a SELECT' : `found ${count} statements`);
  }
  if (ast.statements?.length !== 1) refuse(`found ${ast.statements?.length ?? 0} statements`);
  const outside = reachesOutside(ast, await databaseRelations(conn));
  if (outside) refuse(outside);
  const prepared = await (await conn.extractStatements(params.sql)).prepare(0);
  if (prepared.statementType !== StatementType.SELECT) refuse('this statement is not a SELECT');
  await conn.run('begin transaction');
  try {
    return await withTimeout(conn, limits.timeoutMs, async () =>
      readCapped(await prepared.stream(), params.limit, limits.maxResultBytes),
    );
  } finally {
    // Nothing a SELECT did is kept.
    await conn.run('rollback');
  }
}

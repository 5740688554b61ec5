/**
 * Given/expect fixture tests for models, as data files beside each model:
 * `models/<layer>/<model>.<case>.test.yaml` (adding a case is adding a file).
 *
 *   # what the case shows
 *   given:                       # rows of source tables or upstream models; unlisted columns are null
 *     invoices:
 *       - { body_id: b1, invoice_id: I1, net_amount: '10.00', … }
 *   given_sql:                   # more rows, made by a SELECT (cases that need many rows: no row files)
 *     invoice_lines: select 'b1' as body_id, 'I' || i as invoice_id, … from range(100000) as t(i)
 *   expect:                      # the model's rows, in any order; only the columns listed are compared
 *     - { invoice_id: I1, net_amount: '10.00' }
 *
 * A value written `$name` in `expect` is a placeholder: every `$name` must be the same value and
 * different placeholders different values (entity ids are hashes; what matters is which rows
 * share one). Decimals compare by value (`'10.5'` equals `10.50`).
 *
 * The case runs in a fresh in-memory DuckDB with the real migrations: source rows are inserted,
 * the model's upstream models are built (so their tables have their real columns), given model
 * rows replace theirs, the models between those and this one are built again from them, then
 * the model is built and read. A table's `given_sql` rows are inserted after its `given` rows, by
 * column name (columns the SELECT does not name are null).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'yaml';
import { MIGRATIONS_DIR } from '../../ingest/schema-migrations.ts';
import { Database, queryRows } from '../../lib/db.ts';
import { ensureContractTables } from '../../transforms/contracts/store.ts';
import { ancestors, LAYERS, loadModels, MODELS_DIR, type Model } from '../../transforms/models.ts';
import { runOnConnection } from '../../transforms/runner.ts';
import { ensureSeedTables } from '../../transforms/seeds.ts';

type Row = Record<string, unknown>;
export type FixtureCase = {
  file: string;
  model: string;
  name: string;
  given: Record<string, Row[]>;
  /** Per table, a SELECT whose rows are inserted after the given ones. */
  givenSql: Record<string, string>;
  expect: Row[];
};

export function listFixtures(dir = MODELS_DIR): FixtureCase[] {
  const cases: FixtureCase[] = [];
  for (const layer of LAYERS) {
    for (const file of readdirSync(join(dir, layer)).sort()) {
      const match = /^([a-z0-9_]+)\.([a-z0-9-]+)\.test\.yaml$/.exec(file);
      if (!match) continue;
      const path = join(dir, layer, file);
      const doc = parse(readFileSync(path, 'utf8')) as {
        given?: Record<string, Row[]>;
        given_sql?: Record<string, string>;
        expect?: Row[];
      };
      cases.push({
        file: path,
        model: match[1] as string,
        name: `${match[1]} ${match[2]}`,
        given: doc.given ?? {},
        givenSql: doc.given_sql ?? {},
        expect: doc.expect ?? [],
      });
    }
  }
  return cases;
}

async function columnTypes(conn: DuckDBConnection, table: string): Promise<Map<string, string>> {
  const rows = await queryRows<{ column_name: string; data_type: string }>(
    conn,
    `select column_name, data_type from information_schema.columns
     where table_name = $table and table_schema = 'main'`,
    { table },
  );
  return new Map(rows.map((r) => [r.column_name, r.data_type]));
}

async function insertRows(conn: DuckDBConnection, table: string, rows: Row[]): Promise<void> {
  const types = await columnTypes(conn, table);
  if (types.size === 0) throw new Error(`fixture: no table ${table}`);
  for (const row of rows) {
    const columns = Object.keys(row);
    const params: Record<string, string | null> = {};
    const values = columns.map((column, i) => {
      const type = types.get(column);
      if (!type) throw new Error(`fixture: ${table} has no column ${column}`);
      const value = row[column];
      params[`p${i}`] =
        value === null || value === undefined
          ? null
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
      return type.endsWith('[]') ? `cast($p${i}::json as ${type})` : `cast($p${i} as ${type})`;
    });
    await conn.run(
      `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${values.join(', ')})`,
      params,
    );
  }
}

/** The rows of a table: the given ones, then those of its given SELECT. */
async function insertGiven(conn: DuckDBConnection, fixture: FixtureCase, table: string): Promise<void> {
  await insertRows(conn, table, fixture.given[table] ?? []);
  const sql = fixture.givenSql[table];
  if (sql !== undefined) await conn.run(`insert into "${table}" by name (${sql})`);
}

/** Runs a case; returns the model's rows projected on the expected columns, and the expectation. */
export async function runFixture(
  fixture: FixtureCase,
  models: Model[] = loadModels(),
): Promise<{ actual: Row[]; expected: Row[] }> {
  const db = await Database.open({
    path: ':memory:',
    migrationsDir: MIGRATIONS_DIR,
    threads: 1,
    timeZone: 'UTC',
  });
  try {
    return await db.withConnection(async (conn) => {
      // hand-made code list rows, if any, go into empty seed tables; the real lists are never read
      await ensureSeedTables(conn);
      await ensureContractTables(conn);
      const modelNames = new Set(models.map((m) => m.name));
      const givenTables = [...new Set([...Object.keys(fixture.given), ...Object.keys(fixture.givenSql)])];
      const givenModels = givenTables.filter((t) => modelNames.has(t));
      for (const table of givenTables) {
        if (!modelNames.has(table)) await insertGiven(conn, fixture, table);
      }
      const upstream = [...ancestors(models, fixture.model)];
      if (upstream.length > 0) await mustBuild(conn, models, upstream);
      for (const table of givenModels) {
        await conn.run(`delete from "${table}"`);
        await insertGiven(conn, fixture, table);
      }
      // models between the given ones and this one are built again from the given rows
      const between = upstream.filter(
        (name) => !givenModels.includes(name) && givenModels.some((g) => ancestors(models, name).has(g)),
      );
      await mustBuild(conn, models, [...between, fixture.model]);
      const rows = await queryRows<Row>(conn, `select * from "${fixture.model}"`);
      const columns = [...new Set(fixture.expect.flatMap((r) => Object.keys(r)))];
      return { actual: rows.map((r) => project(r, columns)), expected: fixture.expect };
    });
  } finally {
    db.close();
  }
}

async function mustBuild(conn: DuckDBConnection, models: Model[], select: string[]): Promise<void> {
  const summary = await runOnConnection(conn, { models, select, full: true });
  const failed = summary.models.find((m) => m.status !== 'success');
  if (failed) throw new Error(`fixture: ${failed.model} ${failed.status}: ${failed.error}`);
}

function project(row: Row, columns: string[]): Row {
  return Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));
}

/** Canonical text of a value: decimals without trailing zeros, lists as JSON. */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  if (/^-?\d+\.\d+$/.test(text)) return text.replace(/0+$/, '').replace(/\.$/, '');
  return text;
}

/**
 * Whether the actual rows are exactly the expected ones (any order), binding `$placeholders`
 * consistently. Returns null when they match, else a description of the first difference.
 */
export function compareRows(actual: Row[], expected: Row[]): string | null {
  if (actual.length !== expected.length) return `expected ${expected.length} rows, got ${actual.length}`;
  const bindings = new Map<string, string>();
  const used = new Set<number>();
  const matches = (want: Row, got: Row, trial: Map<string, string>) =>
    Object.entries(want).every(([column, value]) => {
      const actualText = canonical(got[column]);
      if (typeof value === 'string' && /^\$[A-Za-z0-9_]+$/.test(value)) {
        const bound = trial.get(value);
        if (bound !== undefined) return bound === actualText;
        if ([...trial.values()].includes(actualText)) return false;
        trial.set(value, actualText);
        return true;
      }
      return canonical(value) === actualText;
    });
  for (const want of expected) {
    const index = actual.findIndex((got, i) => {
      if (used.has(i)) return false;
      const trial = new Map(bindings);
      if (!matches(want, got, trial)) return false;
      for (const [k, v] of trial) bindings.set(k, v);
      return true;
    });
    if (index < 0) return `no row matches ${JSON.stringify(want)}; rows: ${JSON.stringify(actual)}`;
    used.add(index);
  }
  return null;
}

/**
 * A fuzz test of `spend sql`'s guard (fast-check): queries generated from the forms that read
 * files, the network or settings, or change state, placed in every context a query can hide
 * them in (CTEs, quoted CTE names shadowing a path, subqueries, set operations, joins,
 * DESCRIBE), are all refused by the guard itself, before DuckDB's own lockdown is reached.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database } from '../lib/db.ts';
import { runReadOnlySql } from './query.ts';

let db: Database;
const run = (sql: string) => db.withConnection((conn) => runReadOnlySql(conn, { sql }));

beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1 });
});
afterAll(() => db.close());

const REFUSAL = 'spend sql runs one read-only SELECT statement';

const path = fc.constantFrom(
  '/etc/passwd',
  '/tmp/f.csv',
  '/tmp/f.json',
  '/tmp/**/*.csv',
  '**/*.csv',
  '../shared/datasets/codelists/cpv_codes.csv',
  'data/spend.duckdb',
  '~/.ssh/id_rsa',
  'https://example.org/x.csv',
  's3://bucket/x.parquet',
  'file:///etc/hostname',
);

/** A name as DuckDB reads it case-insensitively, sometimes schema-qualified. */
const functionName = (name: string) =>
  fc
    .tuple(
      fc.constantFrom(name, name.toUpperCase(), name[0]?.toUpperCase() + name.slice(1)),
      fc.constantFrom('', 'main.', 'system.main.'),
    )
    .map(([n, schema]) => `${schema}${n}`);

/** Table references that read outside the database. */
const fileSource = fc.oneof(
  path.map((p) => `'${p}'`),
  path.map((p) => `"${p}"`),
  fc
    .tuple(
      fc.constantFrom(
        'read_csv',
        'read_csv_auto',
        'read_json',
        'read_json_auto',
        'read_json_objects',
        'read_ndjson',
        'read_parquet',
        'parquet_scan',
        'parquet_metadata',
        'parquet_schema',
        'read_text',
        'read_blob',
        'sniff_csv',
        'glob',
        'iceberg_scan',
        'delta_scan',
        'read_xlsx',
      ),
      path,
      fc.constantFrom('', ', header = true', ', union_by_name = true'),
    )
    .chain(([fn, p, options]) => functionName(fn).map((name) => `${name}('${p}'${options})`)),
  fc
    .constantFrom(
      'duckdb_settings()',
      'duckdb_secrets()',
      'duckdb_extensions()',
      'duckdb_databases()',
      'duckdb_temporary_files()',
      "which_secret('s3://b/x', 's3')",
      "query('select 1')",
      "query_table('bodies')",
      'pragma_database_list()',
      'pragma_version()',
      'test_all_types()',
    )
    .map((f) => f),
);

/** A file source placed in a query, in the many places a SELECT can read a table. */
const readingSelect = fc.oneof(
  fileSource.map((s) => `select * from ${s}`),
  fileSource.map((s) => `from ${s}`),
  fileSource.map((s) => `with c as (select * from ${s}) select * from c`),
  fc.tuple(path, fileSource).map(([p, s]) => `with "${p}" as (from ${s}) from "${p}"`),
  // a CTE in scope beside the file source (its name is not one of the paths: that one would be the CTE)
  fileSource.map((s) => `with "/tmp/cte.csv" as (select 1 as x), c as (from ${s}) from c, "/tmp/cte.csv"`),
  fc.tuple(path, fileSource).map(([p, s]) => `with a as (from "${p}"), "${p}" as (from ${s}) from a`),
  fc
    .tuple(path, fileSource)
    .map(([p, s]) => `with recursive "${p}" as (from ${s} union all from "${p}") from "${p}"`),
  fc.tuple(path, fileSource).map(([p, s]) => `select * from (with "${p}" as (select 1) from "${p}") t, ${s}`),
  fileSource.map((s) => `select * from bodies where name in (select * from ${s})`),
  fileSource.map((s) => `select (select count(*) from ${s}) as n`),
  fileSource.map((s) => `select * from bodies union all select * from ${s}`),
  fileSource.map((s) => `select * from bodies b join ${s} f on true`),
  fileSource.map((s) => `select * from bodies, lateral (select * from ${s}) x`),
  fileSource.map((s) => `select exists (select 1 from ${s})`),
  fileSource.map((s) => `describe select * from ${s}`),
  fileSource.map((s) => `summarize select * from ${s}`),
  path.map((p) => `describe '${p}'`),
  path.map((p) => `summarize "${p}"`),
  path.map((p) => `show "${p}"`),
);

/** Statements and functions that are not a read of the database. */
const notASelect = fc.oneof(
  path.map((p) => `copy bodies to '${p}'`),
  path.map((p) => `copy bodies from '${p}'`),
  path.map((p) => `copy (select 1) to '${p}' (format csv)`),
  path.map((p) => `attach '${p}' as other`),
  path.map((p) => `attach '${p}' as other (read_only)`),
  fc.constantFrom('detach other', 'use other', 'checkpoint', 'vacuum', 'call pragma_version()'),
  fc
    .constantFrom('httpfs', 'aws', 'postgres_scanner', 'sqlite', 'json')
    .chain((ext) => fc.constantFrom(`install ${ext}`, `load ${ext}`, `force install ${ext}`)),
  path.map((p) => `load '${p}'`),
  fc.constantFrom(
    'pragma database_list',
    'pragma enable_profiling',
    "pragma memory_limit = '100GB'",
    'pragma show_tables',
  ),
  fc
    .constantFrom(
      'enable_external_access',
      'allowed_directories',
      'allowed_paths',
      'lock_configuration',
      'memory_limit',
      'threads',
      'temp_directory',
      'home_directory',
      's3_secret_access_key',
    )
    .chain((setting) =>
      fc.constantFrom(
        `set ${setting} = 'x'`,
        `reset ${setting}`,
        `set global ${setting} = true`,
        `set variable ${setting} = 1`,
      ),
    ),
  path.map((p) => `export database '${p}'`),
  path.map((p) => `import database '${p}'`),
  fc.constantFrom(
    "create secret (type s3, key_id 'k', secret 's')",
    'create table stolen as select 1',
    'create temp table t as select 1',
    'create macro m() as 1',
    "insert into bodies (body_id) values ('x')",
    "update bodies set name = 'x'",
    'delete from bodies',
    'drop table bodies',
    'explain analyze select 1',
    'begin transaction',
    'commit',
  ),
  fc.constantFrom(
    "select getvariable('x')",
    "select current_setting('allowed_directories')",
    "select getenv('HOME')",
    "select nextval('transform_run_seq')",
    'select setseed(0.5)',
  ),
);

/** Sometimes a harmless statement before or after: still more than one statement. */
const withNeighbour = (query: fc.Arbitrary<string>) =>
  fc.oneof(
    query,
    query.map((q) => `${q};`),
    query.map((q) => `select 1; ${q}`),
    query.map((q) => `/* a comment */ ${q} -- trailing`),
  );

describe('the spend sql guard, fuzzed', () => {
  it('refuses every generated query that reads files, the network or settings, or changes state', async () => {
    await fc.assert(
      fc.asyncProperty(withNeighbour(fc.oneof(readingSelect, notASelect)), async (sql) => {
        await expect(run(sql), sql).rejects.toThrow(REFUSAL);
      }),
      { numRuns: 400 },
    );
  });

  it('lets the same shapes through when they read only the database (so refusals are not blanket)', async () => {
    const tableSource = fc.constantFrom('bodies', 'main.bodies', 'information_schema.tables', 'range(3)');
    const harmless = fc.oneof(
      tableSource.map((s) => `select count(*) from ${s}`),
      tableSource.map((s) => `with c as (select * from ${s}) select count(*) from c`),
      tableSource.map((s) => `with "/tmp/f.csv" as (from ${s}) select count(*) from "/tmp/f.csv"`),
      tableSource.map((s) => `select (select count(*) from ${s}) as n`),
    );
    await fc.assert(
      fc.asyncProperty(harmless, async (sql) => {
        await expect(run(sql), sql).resolves.toMatchObject({ truncated: false });
      }),
      { numRuns: 50 },
    );
  });
});

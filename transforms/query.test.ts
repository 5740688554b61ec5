/**
 * `spend sql`'s guard: DuckDB's own parser decides what a statement is and what it reads, so
 * harmless SELECTs that merely contain words like set, copy or load pass, and anything but one
 * SELECT over the database's own tables is refused with a sentence saying why.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database } from '../lib/db.ts';
import { runReadOnlySql } from './query.ts';

let db: Database;
const run = (sql: string) => db.withConnection((conn) => runReadOnlySql(conn, { sql }));

// Files an attacker would read: a folder DuckDB is not allowed into.
const secrets = mkdtempSync(join(tmpdir(), 'spend-secrets-'));
mkdirSync(join(secrets, 'nested'));
writeFileSync(join(secrets, 'f.csv'), 'secret,amount\nleaked,1\n');
writeFileSync(join(secrets, 'nested', 'g.csv'), 'secret,amount\nleaked,2\n');
writeFileSync(join(secrets, 'f.json'), '[{"secret": "leaked"}]');

beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1 });
  await db.withConnection(async (conn) => {
    await conn.run(
      `insert into bodies (body_id, name, kind, status, joined_on) values ('b1', 'Copy Set Load Council', 'council', 'active', '2024-01-01')`,
    );
  });
});
afterAll(() => db.close());

describe('spend sql', () => {
  it('runs SELECTs whose text holds words like set, copy, load, attach or pragma', async () => {
    const result = await run(
      `with settings as (select name as "copy", 'set x = 1; load y' as note from bodies where name ilike '%load%')
       select "copy", note, 'attach' as attach, 'pragma' as pragma, (select count(*) from range(3)) as n
       from settings union all select 'export', 'import', 'install', 'read_csv(''x.csv'')', 0`,
    );
    expect(result.rows).toEqual([
      {
        copy: 'Copy Set Load Council',
        note: 'set x = 1; load y',
        attach: 'attach',
        pragma: 'pragma',
        n: '3',
      },
      { copy: 'export', note: 'import', attach: 'install', pragma: "read_csv('x.csv')", n: '0' },
    ]);
    expect((await run('select count(*) as n from information_schema.tables')).rows).toHaveLength(1);
    expect((await run('describe bodies')).rows.length).toBeGreaterThan(0);
  });

  it.each([
    ["insert into bodies (body_id) values ('x')", 'this statement is not a SELECT'],
    ['delete from supplier_decisions', 'this statement is not a SELECT'],
    ["copy bodies to '/tmp/bodies.csv'", 'this statement is not a SELECT'],
    ["attach '/tmp/other.duckdb' as other", 'this statement is not a SELECT'],
    ["set memory_limit = '10GB'", 'this statement is not a SELECT'],
    ['pragma database_list', 'this statement is not a SELECT'],
    ['explain select 1', 'this statement is not a SELECT'],
    ['select 1; select 2', 'found 2 statements'],
    ['select 1; drop table bodies', 'found 2 statements'],
    ["select * from read_csv('/etc/passwd')", 'the table function read_csv() reads outside the database'],
    [
      "select * from bodies where name in (select * from read_text('/etc/hostname'))",
      'the table function read_text() reads outside the database',
    ],
    [
      "with x as (select * from read_parquet('/no/such/file.parquet')) select * from x",
      'the table function read_parquet() reads outside the database',
    ],
    ["select * from glob('/etc/*')", 'the table function glob() reads outside the database'],
    ["select * from query('select 1')", 'the table function query() reads outside the database'],
    ["select * from '/etc/passwd.csv'", '"/etc/passwd.csv" is not a table or view of the database'],
    ["select getvariable('secret')", 'getvariable() reads settings or changes state'],
    ["select current_setting('memory_limit')", 'current_setting() reads settings or changes state'],
  ])('refuses %s', async (sql, why) => {
    await expect(run(sql)).rejects.toThrow(`spend sql runs one read-only SELECT statement: ${why}`);
  });

  it('kept nothing a refused statement tried', async () => {
    // a complete row: were the statement run, it would be kept
    const insert = `insert into bodies (body_id, name, kind, status, joined_on)
      values ('x', 'Refused Council', 'council', 'active', '2024-01-01')`;
    await expect(run(insert)).rejects.toThrow('this statement is not a SELECT');
    await expect(run(`with t as (select 1) ${insert}`)).rejects.toThrow(
      'spend sql runs one read-only SELECT',
    );
    expect((await run("select count(*) as n from bodies where body_id = 'x'")).rows).toEqual([{ n: '0' }]);
  });
});

describe('spend sql: CTE names are tables only inside their scope', () => {
  const f = join(secrets, 'f.csv');
  const json = join(secrets, 'f.json');
  const glob = join(secrets, '**', '*.csv');
  it.each([
    [`with "${f}" as (from '${f}') from "${f}"`, f],
    [`with "${json}" as (from '${json}') from "${json}"`, json],
    [`with "${glob}" as (from '${glob}') from "${glob}"`, glob],
    [`with "${f}" as (select * from "${f}") select * from "${f}"`, f],
    // declared after the CTE that reads it
    [`with a as (from "${f}"), "${f}" as (select 1) from a`, f],
    // declared inside a subquery, read outside it
    [`select * from (with "${f}" as (select 1 as x) from "${f}") s, "${f}"`, f],
    // a recursive CTE's anchor (not its recursive part) is read before the name exists
    [`with recursive "${f}" as (from '${f}' union all select * from "${f}") from "${f}"`, f],
    [`with recursive "${f}" as (from '${f}') from "${f}"`, f],
    // a CTE name qualified by a schema is not the CTE
    [`with "${f}" as (select 1) from main."${f}"`, f],
    [`describe "${f}"`, f],
    [`summarize '${f}'`, f],
  ])('refuses %s', async (sql, file) => {
    await expect(run(sql)).rejects.toThrow(`"${file}" is not a table or view of the database`);
  });

  it('reads CTEs where they are in scope: the main query, later CTEs, subqueries, recursion', async () => {
    const result = await run(
      `with "b.csv" as (select name from bodies), c as (select count(*) as n from "b.csv")
       select (select n from c) as n, (with d as (select 2 as two) select two from d) as two,
              (with recursive r as (select 1 as i union all select i + 1 from r where i < 3) select sum(i) from r) as six,
              (from 'b.csv' limit 1) as quoted
       from "b.csv"`,
    );
    // 'b.csv' in a subquery, inside the CTE's scope, is the CTE (DuckDB binds CTEs before files)
    expect(result.rows).toEqual([{ n: '1', two: 2, six: '6', quoted: 'Copy Set Load Council' }]);
  });
});

describe('the engine backs the guard (DuckDB locked down at open)', () => {
  // The guard bypassed: straight onto a connection of a database opened the product's way.
  const raw = (sql: string) => db.withConnection((conn) => conn.run(sql));
  it.each([
    `select * from '${join(secrets, 'f.csv')}'`,
    `select * from read_json('${join(secrets, 'f.json')}')`,
    `select * from glob('${join(secrets, '**')}')`,
    `copy bodies to '${join(secrets, 'out.csv')}'`,
    `attach '${join(secrets, 'other.duckdb')}' as other`,
    `install httpfs`,
    `select * from read_csv('https://example.org/x.csv')`,
  ])('refuses %s', async (sql) => {
    await expect(raw(sql)).rejects.toThrow(/Permission Error|disabled by configuration/);
  });

  it('keeps its settings locked', async () => {
    for (const sql of [
      'set enable_external_access = true',
      'reset allowed_directories',
      "set allowed_directories = ['/']",
      "set memory_limit = '100GB'",
      'set lock_configuration = false',
    ]) {
      await expect(raw(sql), sql).rejects.toThrow(/configuration has been locked/);
    }
  });

  it('reads the reference folders it is allowed', async () => {
    const allowed = mkdtempSync(join(tmpdir(), 'spend-allowed-'));
    writeFileSync(join(allowed, 'codes.csv'), 'code,label\n1,One\n');
    const own = await Database.open({
      path: ':memory:',
      migrationsDir: MIGRATIONS_DIR,
      threads: 1,
      allowedDirectories: [allowed],
    });
    try {
      const rows = await own.withConnection(async (conn) =>
        (
          await conn.runAndReadAll(`select * from read_csv('${join(allowed, 'codes.csv')}')`)
        ).getRowObjectsJson(),
      );
      expect(rows).toEqual([{ code: '1', label: 'One' }]);
      // a sibling whose name starts the same is not inside it
      writeFileSync(`${allowed}x.csv`, 'a\n1\n');
      await expect(own.withConnection((conn) => conn.run(`select * from '${allowed}x.csv'`))).rejects.toThrow(
        /Permission Error/,
      );
    } finally {
      own.close();
    }
  });
});

describe('spend sql bounds', () => {
  it('interrupts a query past its time limit, and the connection works again', async () => {
    await expect(
      db.withConnection((conn) =>
        runReadOnlySql(
          conn,
          { sql: 'select count(*) from range(2000000000) a, range(2000000000) b' },
          { timeoutMs: 200, maxResultBytes: 1_000_000 },
        ),
      ),
    ).rejects.toThrow('the query ran longer than 200 ms and was stopped');
    expect((await run('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('cuts a result short at its size limit and says it did', async () => {
    const result = await db.withConnection((conn) =>
      runReadOnlySql(
        conn,
        { sql: "select repeat('x', 1000) as filler from range(100000)", limit: 1_000_000 },
        { timeoutMs: 60_000, maxResultBytes: 100_000 },
      ),
    );
    expect(result.truncated).toBe(true);
    // each row is {"filler":"x…x"}: 1,000 x's and 13 more characters, plus a separator
    expect(result.rows).toHaveLength(Math.floor(100_000 / (1000 + 13 + 1)));
    expect(result.rows.length).toBeGreaterThan(0);
  });
});

/**
 * `spend sql`'s guard: DuckDB's own parser decides what a statement is and what it reads, so
 * harmless SELECTs that merely contain words like set, copy or load pass, and anything but one
 * SELECT over the database's own tables is refused with a sentence saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database } from '../lib/db.ts';
import { runReadOnlySql } from './query.ts';

let db: Database;
const run = (sql: string) => db.withConnection((conn) => runReadOnlySql(conn, { sql }));

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
    expect((await run("select count(*) as n from bodies where body_id = 'x'")).rows).toEqual([{ n: '0' }]);
  });
});

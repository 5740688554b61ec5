/**
 * A process killed (kill -9, the OOM killer, a power cut) right after it created or upgraded the
 * database must leave a file that opens again. DuckDB 1.5 cannot replay an `alter table … add
 * column` from its write-ahead log when the table has a default that calls a function (`default
 * current_timestamp`): the open fails with "Failure while replaying WAL file … GetDefaultDatabase
 * with no default database set" and every row written since is out of reach (duckdb/duckdb#18259,
 * #19712). Our migrations do exactly that (005 alters rejected_messages), and a new database's
 * first checkpoint used to come only at 16 MB of log or a clean close: a fresh `spend serve`
 * killed before either could never open its database again.
 *
 * Each case runs the open in a child process that kills itself with SIGKILL as soon as the open
 * returns (nothing closed, nothing checkpointed by a clean exit), then opens the file here.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database, listMigrations, queryRows } from './db.ts';

const dir = mkdtempSync(join(tmpdir(), 'spend-killed-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UNREPLAYABLE_CHILD = `
  import { DuckDBInstance } from '@duckdb/node-api';
  const conn = await (await DuckDBInstance.create(process.argv[1])).connect();
  await conn.run('create table t (made_at timestamp default current_timestamp)');
  await conn.run('checkpoint');
  await conn.run('alter table t add column note varchar');
  process.kill(process.pid, 'SIGKILL');
`;

const CHILD = `
  import { Database } from ${JSON.stringify(join(import.meta.dirname, 'db.ts'))};
  await Database.open({ path: process.argv[1], migrationsDir: process.argv[2], threads: 1 });
  process.kill(process.pid, 'SIGKILL');
`;

/** Opens the database in a child that dies by SIGKILL the moment the open has returned. */
function openThenKill(path: string, migrationsDir: string, script = CHILD): void {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script, path, migrationsDir],
    { encoding: 'utf8' },
  );
  // it must have got as far as the kill: anything else is a failure to open, not the case tested
  expect(child.signal, child.stderr).toBe('SIGKILL');
}

async function appliedVersions(path: string): Promise<number[]> {
  const db = await Database.open({ path, migrationsDir: MIGRATIONS_DIR, threads: 1 });
  try {
    const rows = await db.withConnection((conn) =>
      queryRows<{ version: number }>(conn, 'select version from schema_migrations order by version'),
    );
    return rows.map((r) => r.version);
  } finally {
    db.close();
  }
}

const allVersions = listMigrations(MIGRATIONS_DIR).map((m) => m.version);

describe('a process killed right after opening the database', () => {
  it('leaves a new database that opens again, with every migration applied', async () => {
    const path = join(dir, 'fresh.duckdb');
    openThenKill(path, MIGRATIONS_DIR);
    expect(await appliedVersions(path)).toEqual(allVersions);
  });

  it('leaves an upgraded database that opens again, with every migration applied', async () => {
    // a database made by an older release: the migrations before 005, whose alter of
    // rejected_messages (a table with `default current_timestamp`) is what DuckDB cannot replay
    const older = join(dir, 'older-migrations');
    mkdirSync(older);
    for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => /^00[1-4]_/.test(f)))
      cpSync(join(MIGRATIONS_DIR, file), join(older, file));
    const path = join(dir, 'upgraded.duckdb');
    const first = await Database.open({ path, migrationsDir: older, threads: 1 });
    first.close();

    openThenKill(path, MIGRATIONS_DIR);
    expect(await appliedVersions(path)).toEqual(allVersions);
  });

  it("removes what a creation killed half-way left, and not a live creator's file", async () => {
    const path = join(dir, 'half-made.duckdb');
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const live = process.ppid;
    for (const file of [
      `half-made.duckdb.creating-${dead}`,
      `half-made.duckdb.creating-${dead}.wal`,
      `half-made.duckdb.creating-${live}`,
    ])
      writeFileSync(join(dir, file), 'left over');
    expect(await appliedVersions(path)).toEqual(allVersions);
    expect(readdirSync(dir).filter((f) => f.startsWith('half-made.duckdb.creating-'))).toEqual([
      `half-made.duckdb.creating-${live}`,
    ]);
  });

  it('says what to do when a log cannot be replayed (a file left by an older release)', async () => {
    const path = join(dir, 'unreplayable.duckdb');
    openThenKill(path, MIGRATIONS_DIR, UNREPLAYABLE_CHILD);
    await expect(Database.open({ path, migrationsDir: MIGRATIONS_DIR, threads: 1 })).rejects.toThrow(
      `The database ${path} cannot be opened: DuckDB could not replay its write-ahead log (${path}.wal)`,
    );
    await expect(Database.open({ path, migrationsDir: MIGRATIONS_DIR, threads: 1 })).rejects.toThrow(
      /restore the last backup into a new file with "spend restore"/,
    );
  });
});

/**
 * Backups of the database: `spend backup` exports it (DuckDB's EXPORT DATABASE: the schema, the
 * views and sequences, and every table as Parquet) into a new folder of the backups folder, from
 * one transaction's snapshot, so it is consistent while the owner goes on ingesting. `spend
 * restore <folder>` builds a new database file from such a folder (IMPORT DATABASE) beside the
 * current one, then swaps them, keeping the old file as <file>.before-restore-<time>.
 */
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Database, queryRows } from './db.ts';
import { UserError } from './errors.ts';

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;
const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

export type BackupResult = { folder: string; tables: number };

/** Exports the database into a new folder of `backupDir` (which DuckDB must be allowed into). */
export async function backupDatabase(db: Database, backupDir: string): Promise<BackupResult> {
  mkdirSync(backupDir, { recursive: true });
  const folder = join(resolve(backupDir), `${basename(db.path)}-${stamp()}`);
  return db.withConnection(async (conn) => {
    await conn.run(`export database ${sqlString(folder)} (format parquet)`);
    const [tables] = await queryRows<{ n: number }>(
      conn,
      'select count(*)::integer as n from duckdb_tables() where database_name = current_database() and not internal',
    );
    return { folder, tables: tables?.n ?? 0 };
  });
}

/**
 * Replaces the database file at `path` by one imported from a backup folder. No process may have
 * the file open (the caller checks no owner answers). Returns where the old file was kept.
 */
export async function restoreDatabase(path: string, folder: string): Promise<{ previous: string | null }> {
  const source = resolve(folder);
  if (!existsSync(join(source, 'schema.sql')) || !existsSync(join(source, 'load.sql'))) {
    throw new UserError(
      'not-found',
      `${folder} is not a backup folder (no schema.sql and load.sql): see "spend backup".`,
    );
  }
  const restoring = `${path}.restoring-${stamp()}`;
  const instance = await DuckDBInstance.create(restoring);
  try {
    const conn = await instance.connect();
    await conn.run(`set allowed_directories = [${sqlString(`${source}/`)}]`);
    await conn.run('set enable_external_access = false');
    await conn.run(`import database ${sqlString(source)}`);
    await conn.run('checkpoint');
    conn.closeSync();
  } finally {
    instance.closeSync();
  }
  let previous: string | null = null;
  if (existsSync(path)) {
    previous = `${path}.before-restore-${stamp()}`;
    renameSync(path, previous);
    if (existsSync(`${path}.wal`)) renameSync(`${path}.wal`, `${previous}.wal`);
  }
  renameSync(restoring, path);
  return { previous };
}

/** Backup folders of a database, newest last. */
export function listBackups(backupDir: string, dbPath: string): string[] {
  if (!existsSync(backupDir)) return [];
  const prefix = `${basename(dbPath)}-`;
  return readdirSync(backupDir)
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => join(backupDir, name));
}

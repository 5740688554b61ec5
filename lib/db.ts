/**
 * The DuckDB database file: opening it (with the configured memory limit and threads),
 * applying versioned migrations from the directory the caller names (the product's are in
 * ingest/migrations/, see ingest/schema-migrations.ts), and small query helpers.
 * DuckDB lets one process at a time open a file for writing; see owner/call-operation.ts for how
 * other commands reach the owning process instead.
 *
 * Every database is opened locked down, whatever runs on it later (docs/reliability.md, "User
 * SQL"): DuckDB may touch files only in the allowed folders (the reference data the transforms
 * read, the backups folder) besides its own, and its configuration cannot be changed again.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { OWN_SEEDS_DIR, REFERENCE_CODELISTS_DIR, REFERENCE_UNITS_DIR } from './config.ts';
import { UserError } from './errors.ts';
import { processAlive } from './processes.ts';

/** Bounds on an analyst's own query (`spend sql`, `spend query`). */
export type UserSqlLimits = { timeoutMs: number; maxResultBytes: number };

export const DEFAULT_USER_SQL_LIMITS: UserSqlLimits = { timeoutMs: 30_000, maxResultBytes: 64 * 1024 * 1024 };

export type DatabaseOptions = {
  path: string;
  /** The folder of NNN_name.sql migrations to bring the file up to date with. */
  migrationsDir: string;
  memoryLimit?: string;
  /** The most DuckDB may spill to its temp folder; DuckDB's own default is most of the disk. */
  maxTempDirectorySize?: string;
  threads?: number;
  /** The only folders DuckDB may read or write files in (default: the reference data the
   * transforms read); the database's own files are always allowed. */
  allowedDirectories?: readonly string[];
  /** Set before the configuration is locked (no SET works afterwards); fixtures use UTC. */
  timeZone?: string;
  userSql?: UserSqlLimits;
};

/**
 * Files this process creates from now on are its user's only (0600, folders 0700): the database,
 * its write-ahead log and temp files (which DuckDB creates later, so the umask stays), and the
 * control socket. Set before creating, never chmod after (that leaves a window).
 */
export function createFilesOwnerOnly(): void {
  const previous = process.umask(0o077);
  process.umask(previous | 0o077);
}

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A directory prefix DuckDB compares literally: with a trailing slash, /a/b never allows /a/bc. */
const asDirectory = (dir: string) => (dir.endsWith('/') ? dir : `${dir}/`);

export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
}

export class Database {
  private constructor(
    readonly path: string,
    readonly instance: DuckDBInstance,
    readonly userSql: UserSqlLimits,
  ) {}

  /** Opens (creating if needed) the database file and brings its schema up to date. */
  static async open(options: DatabaseOptions): Promise<Database> {
    createFilesOwnerOnly();
    if (options.path !== ':memory:') {
      mkdirSync(dirname(options.path), { recursive: true });
      if (!existsSync(options.path)) await createMigrated(options.path, options.migrationsDir);
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(options.path, {
        memory_limit: options.memoryLimit ?? '1GB',
        threads: String(options.threads ?? 2),
      });
    } catch (error) {
      if (/lock/i.test(String(error))) {
        throw new DatabaseLockedError(
          `The database ${options.path} is in use by another process that is not answering on its control socket.`,
          { cause: error },
        );
      }
      if (/Failure while replaying WAL/.test(String(error))) {
        throw new UserError(
          'unavailable',
          `The database ${options.path} cannot be opened: DuckDB could not replay its write-ahead log (${options.path}.wal) after the process writing it stopped without closing. Keep both files for diagnosis, and restore the last backup into a new file with "spend restore" (docs/reliability.md, "Disk full, a damaged file, backups"). DuckDB said: ${String(error).split('\n')[0]}`,
          { cause: error },
        );
      }
      throw error;
    }
    const db = new Database(options.path, instance, options.userSql ?? DEFAULT_USER_SQL_LIMITS);
    try {
      await db.withConnection((conn) =>
        lockDown(conn, {
          allowedDirectories: options.allowedDirectories ?? [
            REFERENCE_CODELISTS_DIR,
            OWN_SEEDS_DIR,
            REFERENCE_UNITS_DIR,
          ],
          timeZone: options.timeZone,
          maxTempDirectorySize: options.maxTempDirectorySize,
        }),
      );
    } catch (error) {
      instance.closeSync();
      throw error;
    }
    await db.withConnection(async (conn) => {
      // checkpoint at once: DuckDB cannot replay some migrations from its log (see createMigrated)
      if ((await applyMigrations(conn, options.migrationsDir)).length > 0) await conn.run('checkpoint');
    });
    return db;
  }

  /** A connection of its own: never share one connection between overlapping async calls. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  async withConnection<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.connect();
    try {
      return await work(conn);
    } finally {
      conn.closeSync();
    }
  }

  close(): void {
    this.instance.closeSync();
  }
}

/**
 * Makes a new database file whole before it exists under its name: migrated and checkpointed under
 * a temporary name, then linked into place. DuckDB 1.5 cannot replay an `alter table … add column`
 * on a table with a function default (`default current_timestamp`) from its write-ahead log
 * (duckdb/duckdb#18259), and a new file's first checkpoint would otherwise wait for 16 MB of log
 * or a clean close: a process killed before then left a file no one could open again, with every
 * row written since. Killed while creating, it leaves no database (and a `.creating-<pid>` file
 * that the next creation removes). An upgrade of an existing file checkpoints right after its
 * migrations instead (Database.open); its window is those milliseconds, with no data in flight.
 */
async function createMigrated(path: string, migrationsDir: string): Promise<void> {
  removeAbandonedCreations(path);
  const building = `${path}.creating-${process.pid}`;
  const instance = await DuckDBInstance.create(building, { threads: '1' });
  try {
    const conn = await instance.connect();
    try {
      await applyMigrations(conn, migrationsDir);
      await conn.run('checkpoint');
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
  try {
    // a link, not a rename: never replace a database another process made in the meantime
    linkSync(building, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(building, { force: true });
    rmSync(`${building}.wal`, { force: true });
  }
}

function removeAbandonedCreations(path: string): void {
  const prefix = `${basename(path)}.creating-`;
  for (const file of readdirSync(dirname(path))) {
    const pid = Number(/^(\d+)(\.wal)?$/.exec(file.slice(prefix.length))?.[1]);
    if (!file.startsWith(prefix) || !pid || processAlive(pid)) continue;
    rmSync(join(dirname(path), file), { force: true });
  }
}

/** SQL identifier quoting, the one helper: names still come from allow-lists, never from clients. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/**
 * The engine's own guard, behind every check of ours: no file outside the allowed folders, no
 * network, no extension installed, and no setting changed again by anyone (lock_configuration).
 */
async function lockDown(
  conn: DuckDBConnection,
  settings: {
    allowedDirectories: readonly string[];
    timeZone: string | undefined;
    maxTempDirectorySize: string | undefined;
  },
) {
  const dirs = settings.allowedDirectories.map((dir) => sqlString(asDirectory(dir))).join(', ');
  await conn.run(`set allowed_directories = [${dirs}]`);
  await conn.run('set enable_external_access = false');
  if (settings.timeZone) await conn.run(`set timezone = ${sqlString(settings.timeZone)}`);
  // A SET, not an option of DuckDBInstance.create: given there, DuckDB 1.5 reports the value but
  // does not enforce it (measured: 200 MB spilled under a 1 MiB cap).
  if (settings.maxTempDirectorySize) {
    await conn.run(`set max_temp_directory_size = ${sqlString(settings.maxTempDirectorySize)}`);
  }
  await conn.run('set lock_configuration = true');
}

/**
 * Runs work on a connection, interrupting whatever the connection runs once timeoutMs have
 * passed (DuckDB stops at its next check and the statement fails); the failure then says so.
 */
export async function withTimeout<T>(
  conn: DuckDBConnection,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  let timedOut = false;
  const stopper = interrupter(conn);
  const timer = setTimeout(() => {
    timedOut = true;
    stopper.interrupt();
  }, timeoutMs);
  try {
    return await work();
  } catch (error) {
    if (timedOut) {
      throw new UserError('invalid-input', `the query ran longer than ${timeoutMs} ms and was stopped.`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    stopper.done();
  }
}

/**
 * Interrupts what runs on a connection, and again every 50 ms until `done()`: DuckDB forgets an
 * interrupt that lands before its statement has started, so one call alone can let it run on.
 */
export function interrupter(conn: DuckDBConnection): { interrupt(): void; done(): void } {
  let repeat: NodeJS.Timeout | undefined;
  return {
    interrupt() {
      conn.interrupt();
      repeat ??= setInterval(() => conn.interrupt(), 50);
    },
    done() {
      clearInterval(repeat);
    },
  };
}

/** Rows as plain objects; DECIMAL, BIGINT and dates come back as exact strings. */
export async function queryRows<T = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params?: Record<string, DuckDBValue>,
): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJson() as T[];
}

/** Whether a table (a built model, say) exists in the main schema. */
export async function tableExists(conn: DuckDBConnection, name: string): Promise<boolean> {
  const rows = await queryRows(
    conn,
    "select 1 from information_schema.tables where table_schema = 'main' and table_name = $name",
    { name },
  );
  return rows.length > 0;
}

/** Runs a unit of work in a transaction: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(conn: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await conn.run('begin transaction');
  try {
    const result = await work();
    await conn.run('commit');
    return result;
  } catch (error) {
    await conn.run('rollback').catch(() => undefined);
    throw error;
  }
}

type Migration = { version: number; name: string; sql: string };

export function listMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

/** Applies every migration not yet recorded, each in its own transaction, in version order. */
export async function applyMigrations(conn: DuckDBConnection, migrationsDir: string): Promise<number[]> {
  await conn.run(`create table if not exists schema_migrations (
    version integer primary key,
    name varchar not null,
    applied_at timestamp not null default current_timestamp
  )`);
  const applied = new Set(
    (await queryRows<{ version: number }>(conn, 'select version from schema_migrations')).map(
      (r) => r.version,
    ),
  );
  const newlyApplied: number[] = [];
  for (const migration of listMigrations(migrationsDir)) {
    if (applied.has(migration.version)) continue;
    await inTransaction(conn, async () => {
      await conn.run(migration.sql);
      await conn.run('insert into schema_migrations (version, name) values ($version, $name)', {
        version: migration.version,
        name: migration.name,
      });
    });
    newlyApplied.push(migration.version);
  }
  return newlyApplied;
}

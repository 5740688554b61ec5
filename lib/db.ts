/**
 * The DuckDB database file: opening it (with the configured memory limit and threads),
 * applying versioned migrations from the directory the caller names (the product's are in
 * ingest/migrations/, see ingest/schema-migrations.ts), and small query helpers.
 * DuckDB lets one process at a time open a file for writing; see owner/call-operation.ts for how
 * other commands reach the owning process instead.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

export type DatabaseOptions = {
  path: string;
  /** The folder of NNN_name.sql migrations to bring the file up to date with. */
  migrationsDir: string;
  memoryLimit?: string;
  threads?: number;
};

export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
}

export class Database {
  private constructor(
    readonly path: string,
    readonly instance: DuckDBInstance,
  ) {}

  /** Opens (creating if needed) the database file and brings its schema up to date. */
  static async open(options: DatabaseOptions): Promise<Database> {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
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
      throw error;
    }
    const db = new Database(options.path, instance);
    await db.withConnection((conn) => applyMigrations(conn, options.migrationsDir));
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

/** Rows as plain objects; DECIMAL, BIGINT and dates come back as exact strings. */
export async function queryRows<T = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params?: Record<string, DuckDBValue>,
): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJson() as T[];
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

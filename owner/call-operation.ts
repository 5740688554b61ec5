/**
 * Running an operation wherever the database is: through the owning process when one is
 * running (serve or ingest), else by opening the file directly for the length of the command.
 */
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import type { Config } from '../lib/config.ts';
import { Database, DatabaseLockedError } from '../lib/db.ts';
import { OwnerClient, ownedElsewhere, ownerAnswers } from './control.ts';
import { type OperationName, type OperationParams, runOperation } from './operations.ts';

export function openDatabase(config: Config): Promise<Database> {
  return Database.open({
    path: config.dbPath,
    migrationsDir: MIGRATIONS_DIR,
    memoryLimit: config.duckdb.memoryLimit,
    maxTempDirectorySize: config.duckdb.maxTempDirectorySize,
    threads: config.duckdb.threads,
    allowedDirectories: config.duckdb.allowedDirectories,
    userSql: config.userSql,
  });
}

const LOCK_RETRY_MS = 250;
const LOCK_WAIT_MS = 10_000;

/**
 * Opens the database for an owner. A command that found no owner holds the file for the length
 * of one operation, so an owner starting at that moment waits for it instead of failing.
 */
export async function openDatabaseForOwner(config: Config): Promise<Database> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      return await openDatabase(config);
    } catch (error) {
      if (!(error instanceof DatabaseLockedError) || Date.now() > deadline) throw error;
      // Another owner got the file first (it was starting too): no point waiting for it.
      if (await ownerAnswers(config.socketPath)) throw ownedElsewhere(config.socketPath);
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS / 5));
    }
  }
}

export async function callOperation<N extends OperationName>(
  config: Config,
  name: N,
  params: OperationParams<N> = {} as OperationParams<N>,
): Promise<unknown> {
  // Another command may hold the file for one analyst's query, which is stopped at its time limit.
  const deadline = Date.now() + LOCK_WAIT_MS + config.userSql.timeoutMs;
  for (;;) {
    const owner = await OwnerClient.connect(config.socketPath);
    if (owner) {
      try {
        return await owner.call(name, params);
      } finally {
        owner.close();
      }
    }
    let db: Database;
    try {
      db = await openDatabase(config);
    } catch (error) {
      // An owner that is starting up holds the file before its socket is listening.
      if (error instanceof DatabaseLockedError && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
        continue;
      }
      throw error;
    }
    try {
      return await runOperation(db, name, params);
    } finally {
      db.close();
    }
  }
}

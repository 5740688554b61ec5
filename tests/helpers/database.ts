/** A fresh, migrated DuckDB for a test, with the body the hand-made messages use registered. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { MIGRATIONS_DIR } from '../../ingest/schema-migrations.ts';
import { Database } from '../../lib/db.ts';

export async function openTestDatabase(): Promise<{ db: Database; conn: DuckDBConnection }> {
  const db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
  const conn = await db.connect();
  await conn.run(
    "insert into bodies (body_id, name, kind, status, joined_on) values ('test-council', 'Test Council', 'council', 'active', '2023-04-01')",
  );
  return { db, conn };
}

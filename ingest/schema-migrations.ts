/**
 * Where the database schema lives: the versioned migrations in ingest/migrations/ (NNN_name.sql),
 * which every `Database.open` applies. lib/db.ts knows how to apply migrations but not where
 * they are, so the ground floor does not reach up into ingest/.
 */
import { join } from 'node:path';

export const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

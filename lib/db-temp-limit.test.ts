/**
 * DuckDB's temp folder is bounded by the configured max_temp_directory_size: a temp table larger
 * than memory_limit spills to <file>.tmp, and past the cap DuckDB refuses with a message naming
 * the setting, instead of filling the disk. Without the cap the same table spills freely (so the
 * refusal is the cap's doing, not some other limit).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database, queryRows } from './db.ts';

const dir = mkdtempSync(join(tmpdir(), 'spend-temp-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// About 150 MB in memory: far past the 32 MB memory limit used here, so most of it spills.
const BIG_TEMP_TABLE = 'create temp table big as select md5(i::varchar) as h, i from range(3000000) t(i)';

async function openWith(name: string, maxTempDirectorySize?: string): Promise<Database> {
  return Database.open({
    path: join(dir, `${name}.duckdb`),
    migrationsDir: MIGRATIONS_DIR,
    memoryLimit: '32MB',
    threads: 1,
    ...(maxTempDirectorySize ? { maxTempDirectorySize } : {}),
  });
}

describe('max_temp_directory_size', () => {
  it('is set at open and enforced: a spill past it is refused with a message naming it', async () => {
    const db = await openWith('capped', '1MiB');
    try {
      await db.withConnection(async (conn) => {
        const [setting] = await queryRows<{ value: string }>(
          conn,
          "select current_setting('max_temp_directory_size') as value",
        );
        expect(setting?.value).toBe('1.0 MiB');
        await expect(conn.run(BIG_TEMP_TABLE)).rejects.toThrow(/max_temp_directory_size/);
      });
    } finally {
      db.close();
    }
  });

  it('lets the same spill through when the cap allows it', async () => {
    const db = await openWith('uncapped', '1GiB');
    try {
      await db.withConnection(async (conn) => {
        await conn.run(BIG_TEMP_TABLE);
        const [spilled] = await queryRows<{ bytes: string }>(
          conn,
          'select coalesce(sum(size), 0)::bigint as bytes from duckdb_temporary_files()',
        );
        expect(Number(spilled?.bytes)).toBeGreaterThan(2 ** 20);
      });
    } finally {
      db.close();
    }
  });
});

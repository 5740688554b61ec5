/**
 * `spend backup` / `spend restore` on a real database file, and what a damaged file prints: a
 * sentence naming the way back, never a stack trace.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPipeline } from './helpers/pipeline.ts';

describe('backup and restore', () => {
  it('restores the database as it was backed up, after the file was damaged', async () => {
    const pipeline = await createPipeline();
    const cli = async (args: string[]) => {
      const result = await pipeline.cli(args);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout;
    };
    const bodies = async () =>
      (JSON.parse(await cli(['bodies', 'list', '--json'])) as { bodies: { bodyId: string }[] }).bodies.map(
        (b) => b.bodyId,
      );
    await cli(['bodies', 'add', 'kept-body', '--name', 'Kept', '--joined', '2024-01-01']);

    // through the owner while it runs (a consistent snapshot while it ingests)
    const owner = pipeline.startOwner('ingest');
    await owner.ready();
    expect(await cli(['backup'])).toMatch(/^Backed up \d+ tables to .*spend\.duckdb-/);
    await cli(['bodies', 'add', 'after-backup', '--name', 'After', '--joined', '2024-01-01']);
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    expect(await bodies()).toEqual(['after-backup', 'kept-body'].sort());

    // the file is damaged: a sentence, exit 1, no stack trace
    writeFileSync(pipeline.config.dbPath, Buffer.alloc(64 * 1024, 0x5a));
    const damaged = await pipeline.cli(['stats']);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('the database file could not be read or written');
    expect(damaged.stderr).toContain('spend restore');
    expect(damaged.stderr).not.toMatch(/\n\s+at /);

    expect(await cli(['restore'])).toMatch(/Restored .* the previous file is kept as .*before-restore/);
    expect(await bodies()).toEqual(['kept-body']);
    expect(readdirSync(pipeline.config.backupDir)).toHaveLength(1);
  });
});

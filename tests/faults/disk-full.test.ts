/**
 * A full disk under the database: the test mounts a small tmpfs (it needs root; otherwise it is
 * skipped with a message saying so) and puts the DuckDB file, its WAL and its temp folder in it.
 * More invoices are produced than fit. The owner must fail with a clear message naming the full
 * disk and exit non-zero (not spin, not hang). Then space is freed (the tmpfs is made larger),
 * the owner started again, and the database must hold every invoice exactly once, row for row:
 * nothing half-written survived the failed transactions.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { InvoiceV1 } from '../../ingest/topics/invoices/schema.ts';
import { manyInvoices } from '../helpers/messages.ts';
import { createPipeline } from '../helpers/pipeline.ts';
import { expectRowForRow, randomInt, say, seededRandom } from './support.ts';

const run = promisify(execFile);
const BODY = 'disk-council';
const INVOICES = 16_000;
/** Room for the schema and a part of the invoices, not all of them (measured: ~30 MB for all). */
const SMALL_DISK = '12m';
const FREED_DISK = '256m';

/** Mounts a tmpfs of `size` at a new folder, or says why it cannot (no root, no mount). */
async function mountSmallDisk(size: string): Promise<{ dir: string } | { refused: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'spend-disk-full-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'spend-disk-full', dir]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { refused: (error as Error).message.split('\n')[0] ?? String(error) };
  }
  onTestFinished(async () => {
    await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir };
}

/** Descriptions of seeded random letters: they do not compress away, so the disk does fill. */
function bulkyInvoices(): InvoiceV1[] {
  const random = seededRandom(7);
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';
  return manyInvoices(BODY, INVOICES).map((inv) => ({
    ...inv,
    description: Array.from({ length: randomInt(random, 600, 1200) }, () =>
      letters.charAt(randomInt(random, 0, letters.length - 1)),
    ).join(''),
  }));
}

describe('disk full under the database', () => {
  it('fails with a clear message, keeps the file sound, and recovers once space is freed', async (context) => {
    const disk = await mountSmallDisk(SMALL_DISK);
    if ('refused' in disk) {
      say(`disk-full test skipped: cannot mount a tmpfs here (needs root): ${disk.refused}`);
      context.skip(`cannot mount a tmpfs (needs root): ${disk.refused}`);
      return;
    }
    context.task.meta.faults = { tried: 1, survived: 0 };
    const pipeline = await createPipeline({
      SPEND_DB: join(disk.dir, 'spend.duckdb'),
      KAFKA_MAX_BYTES_PER_PARTITION: '65536',
      SPEND_INGEST_FLUSH_DOCUMENTS: '1000',
    });
    const added = await pipeline.cli([
      'bodies',
      'add',
      BODY,
      '--name',
      'Disk Council',
      '--joined',
      '2023-04-01',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const invoices = bulkyInvoices();
    const producer = await pipeline.producer();
    for (let i = 0; i < INVOICES; i += 500) {
      await producer.send({
        topic: pipeline.config.topics.invoices,
        acks: -1,
        messages: invoices
          .slice(i, i + 500)
          .map((inv) => ({ key: `${BODY}:${inv.invoiceId}`, value: JSON.stringify(inv) })),
      });
    }

    const full = pipeline.startOwner('serve');
    const exit = await full.exited;
    const stderr = full.stderr();
    expect(exit, stderr.slice(-3000)).toEqual({ code: 1, signal: null });
    // The closing lines are sentences a person can act on, naming the full disk.
    const closing = stderr.trimEnd().split('\n').slice(-2).join('\n');
    say(`owner on the full disk ended with:\n${closing}`);
    expect(closing).toMatch(/^spend: ingest stopped: .*No space left on device/m);
    expect(closing).toContain('The disk holding the database is full: free space and start again');
    expect(closing).toContain('spend: exiting with code 1');
    const { stdout: usage } = await run('df', ['-h', disk.dir]);
    say(`the small disk when the owner gave up:\n${usage.trim()}`);
    // What is in the file is exact: nothing half-written, nothing twice.
    const before = await expectRowForRow(pipeline.config.dbPath, invoices, { partial: true }).catch(
      (error: Error) => {
        // The file may not open on a full disk (DuckDB replays its WAL at open); then it is
        // checked after space is freed, below.
        say(`the file could not be opened on the full disk: ${error.message.split('\n')[0]}`);
        return undefined;
      },
    );
    if (before !== undefined) {
      expect(before).toBeLessThan(INVOICES);
      say(`${before} of ${INVOICES} invoices were in when the disk filled, none twice`);
    }

    await run('mount', ['-o', `remount,size=${FREED_DISK}`, disk.dir]);
    const owner = pipeline.startOwner('serve');
    await owner.ready();
    await pipeline.waitUntilIngested(300_000);
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    expect(await expectRowForRow(pipeline.config.dbPath, invoices)).toBe(INVOICES);
    say(`after freeing space: all ${INVOICES} invoices in exactly once, row for row`);
    context.task.meta.faults = { tried: 1, survived: 1 };
  });
});

/**
 * The crash test: kill the ingest process at the riskiest points of a large ingest (and with a
 * plain `kill -9` mid-flight), restart it, and check that the database holds every produced
 * message exactly once: same counts and exact totals, no offset twice.
 */
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { CRASH_POINTS } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import { manyInvoices, penceToString, sendInvoices } from './helpers/messages.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';

const BODY = 'crash-council';
const INVOICES = 6000;

/** A pipeline with the body registered and the first `produced` invoices (of INVOICES) in Kafka. */
async function preparePipeline(produced = INVOICES): Promise<{
  pipeline: Pipeline;
  expectedNet: string;
  expectedLines: number;
  produceRest: () => Promise<void>;
}> {
  // Small fetches make many small batches, so there is a lot of "mid-ingest" to crash in.
  const pipeline = await createPipeline({
    KAFKA_MAX_BYTES_PER_PARTITION: '16384',
    SPEND_INGEST_CONCURRENCY: '2',
  });
  const added = await pipeline.cli([
    'bodies',
    'add',
    BODY,
    '--name',
    'Crash Test Council',
    '--joined',
    '2023-04-01',
  ]);
  expect(added.code, added.stderr).toBe(0);
  const invoices = manyInvoices(BODY, INVOICES);
  const producer = await pipeline.producer();
  const produce = (from: number, to: number) =>
    sendInvoices(producer, pipeline.config.topics.invoices, invoices, { from, to, chunk: 1000 });
  await produce(0, produced);
  let pence = 0n;
  let lines = 0;
  for (const inv of invoices) {
    pence += BigInt(inv.netAmount.replace('.', ''));
    lines += inv.lines?.length ?? 0;
  }
  return {
    pipeline,
    expectedNet: penceToString(pence),
    expectedLines: lines,
    produceRest: () => produce(produced, INVOICES),
  };
}

async function restartAndVerify(
  pipeline: Pipeline,
  expectedNet: string,
  expectedLines: number,
): Promise<void> {
  const owner = pipeline.startOwner('ingest');
  // Until it answers, "ingested" is read from the file itself (the killed owner may have written
  // everything already), and a SIGTERM could reach the owner before its signal handler exists.
  await owner.ready();
  await pipeline.waitUntilIngested(90_000);
  owner.child.kill('SIGTERM');
  expect(await owner.exited).toEqual({ code: 0, signal: null });
  await verifyExactlyOnce(pipeline, expectedNet, expectedLines);
}

/** Every produced message is in DuckDB exactly once: counts, pennies, and no offset twice. */
async function verifyExactlyOnce(
  pipeline: Pipeline,
  expectedNet: string,
  expectedLines: number,
): Promise<void> {
  const stats = await pipeline.stats();
  expect(stats.bodies).toEqual([
    expect.objectContaining({
      bodyId: BODY,
      invoices: INVOICES,
      invoiceLines: expectedLines,
      netTotal: expectedNet,
      rejected: 0,
    }),
  ]);
  // History, not just the current view: every offset exactly once.
  const db = await Database.open({ path: pipeline.config.dbPath, migrationsDir: MIGRATIONS_DIR });
  try {
    const [row] = await db.withConnection((conn) =>
      queryRows<{ versions: number; distinct_offsets: number; lines: number; distinct_lines: number }>(
        conn,
        `select (select count(*) from invoices)::integer as versions,
                (select count(distinct (kafka_partition, kafka_offset)) from invoices)::integer as distinct_offsets,
                (select count(*) from invoice_lines)::integer as lines,
                (select count(distinct (kafka_partition, kafka_offset, line_no)) from invoice_lines)::integer as distinct_lines`,
      ),
    );
    expect(row).toEqual({
      versions: INVOICES,
      distinct_offsets: INVOICES,
      lines: expectedLines,
      distinct_lines: expectedLines,
    });
  } finally {
    db.close();
  }
}

// Generous timeouts: a crash, a restart and a rejoin take ~10 s alone, far longer on a busy machine.
const CRASH_TEST_TIMEOUT_MS = 180_000;

describe('crash safety', () => {
  it.each(CRASH_POINTS)(
    'loses and duplicates nothing when the process dies at %s',
    async (point) => {
      const { pipeline, expectedNet, expectedLines } = await preparePipeline();
      const crashing = pipeline.startOwner('ingest', {
        SPEND_CRASH_AT: point,
        SPEND_CRASH_AFTER_BATCHES: '3',
      });
      const exit = await crashing.exited;
      expect(exit.signal, crashing.stderr()).toBe('SIGKILL');
      await restartAndVerify(pipeline, expectedNet, expectedLines);
    },
    CRASH_TEST_TIMEOUT_MS,
  );

  // A failed write (disk full, a DuckDB error) must not need a restart: the staged batches are
  // dropped and read again from the offsets stored in DuckDB, by the same running process.
  it.each(['after-append', 'before-duckdb-commit', 'after-duckdb-commit'] as const)(
    'recovers by itself, losing and duplicating nothing, when a write fails at %s',
    async (point) => {
      const { pipeline, expectedNet, expectedLines } = await preparePipeline();
      const owner = pipeline.startOwner('ingest', {
        SPEND_CRASH_AT: point,
        SPEND_CRASH_MODE: 'fail',
        SPEND_CRASH_AFTER_BATCHES: '3',
      });
      await pipeline.waitUntilIngested(120_000);
      expect(owner.stderr()).toContain('failing once on purpose');
      owner.child.kill('SIGTERM');
      expect(await owner.exited).toEqual({ code: 0, signal: null });
      await verifyExactlyOnce(pipeline, expectedNet, expectedLines);
    },
    CRASH_TEST_TIMEOUT_MS,
  );

  it(
    'loses and duplicates nothing after kill -9 in the middle of an ingest',
    async () => {
      // Half the invoices are in Kafka when the owner starts, the rest only after the kill: the
      // kill is mid-ingest by construction, not by catching a moment (no timing window).
      const { pipeline, expectedNet, expectedLines, produceRest } = await preparePipeline(INVOICES / 2);
      const owner = pipeline.startOwner('ingest');
      // Wait until some of the data is in, then pull the plug.
      for (;;) {
        const stats = await pipeline.stats().catch(() => null);
        const ingested = stats?.bodies[0]?.invoices ?? 0;
        if (ingested > 0) {
          expect(ingested).toBeLessThan(INVOICES);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      owner.child.kill('SIGKILL');
      expect((await owner.exited).signal).toBe('SIGKILL');
      await produceRest();
      await restartAndVerify(pipeline, expectedNet, expectedLines);
    },
    CRASH_TEST_TIMEOUT_MS,
  );
});

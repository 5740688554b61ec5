/**
 * kill -9 of the owner at random points of an ingest, FAULT_ROUNDS times on one pipeline
 * (seeded: SPEND_FAULTS_SEED replays a run). Every round produces a fresh slice of invoices,
 * starts `spend serve`, and kills it either at a random delay once this round's ingest has begun,
 * or at a random SPEND_CRASH_AT point after a random number of batches. After each kill the file
 * is opened as it was left: whatever is in is exact and nothing is in twice. At the end an owner
 * ingests the rest and the database is checked row for row against every invoice produced.
 */
import { describe, expect, it } from 'vitest';
import { CRASH_POINTS } from '../../lib/config.ts';
import { manyInvoices, sendInvoices } from '../helpers/messages.ts';
import { createPipeline } from '../helpers/pipeline.ts';
import { expectRowForRow, FAULT_ROUNDS, FAULT_SEED, randomInt, say, seededRandom } from './support.ts';

const BODY = 'fault-council';
const PER_ROUND = 1200;

describe('kill -9 of the owner during ingest', () => {
  it(`loses and duplicates nothing over ${FAULT_ROUNDS} random kills (seed ${FAULT_SEED})`, async ({
    task,
  }) => {
    task.meta.faults = { tried: FAULT_ROUNDS, survived: 0 };
    const random = seededRandom(FAULT_SEED);
    // Small fetches and small flushes: many commits per round, so a kill lands between, in or
    // after one.
    const pipeline = await createPipeline({
      KAFKA_MAX_BYTES_PER_PARTITION: '16384',
      SPEND_INGEST_FLUSH_DOCUMENTS: '300',
      SPEND_INGEST_CONCURRENCY: '2',
    });
    const added = await pipeline.cli([
      'bodies',
      'add',
      BODY,
      '--name',
      'Fault Council',
      '--joined',
      '2023-04-01',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const invoices = manyInvoices(BODY, PER_ROUND * FAULT_ROUNDS);
    const producer = await pipeline.producer();
    const produce = (from: number, to: number) =>
      sendInvoices(producer, pipeline.config.topics.invoices, invoices, { from, to, chunk: 500 });

    let before = 0;
    for (let round = 0; round < FAULT_ROUNDS; round++) {
      await produce(round * PER_ROUND, (round + 1) * PER_ROUND);
      const produced = (round + 1) * PER_ROUND;
      let how: string;
      if (random() < 0.5) {
        const point = CRASH_POINTS[randomInt(random, 0, CRASH_POINTS.length - 1)] as string;
        const batches = randomInt(random, 1, 8);
        how = `SPEND_CRASH_AT=${point} after ${batches} batches`;
        const owner = pipeline.startOwner('serve', {
          SPEND_CRASH_AT: point,
          SPEND_CRASH_AFTER_BATCHES: String(batches),
        });
        const exit = await owner.exited;
        expect(exit.signal, owner.stderr()).toBe('SIGKILL');
      } else {
        const delayMs = randomInt(random, 0, 1500);
        how = `kill -9 ${delayMs} ms after this round's ingest began`;
        const owner = pipeline.startOwner('serve');
        await owner.ready();
        // Ingest has begun once the count moves past what the last round left.
        for (;;) {
          const stats = await pipeline.stats().catch(() => null);
          if ((stats?.bodies[0]?.invoices ?? 0) > before) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        owner.child.kill('SIGKILL');
        expect((await owner.exited).signal).toBe('SIGKILL');
      }
      before = await expectRowForRow(pipeline.config.dbPath, invoices.slice(0, produced), { partial: true });
      say(`round ${round + 1}/${FAULT_ROUNDS}: ${how}; ${before} of ${produced} invoices in, none twice`);
    }

    const owner = pipeline.startOwner('serve');
    await owner.ready();
    await pipeline.waitUntilIngested(180_000);
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    expect(await expectRowForRow(pipeline.config.dbPath, invoices)).toBe(invoices.length);
    say(`after ${FAULT_ROUNDS} kills: all ${invoices.length} invoices in exactly once, row for row`);
    task.meta.faults = { tried: FAULT_ROUNDS, survived: FAULT_ROUNDS };
  });
});

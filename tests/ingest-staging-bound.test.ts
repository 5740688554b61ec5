/**
 * What is staged is bounded by bytes as well as documents (issue 9, memory): with a small
 * SPEND_INGEST_FLUSH_BYTES and a document threshold never reached, a backlog is written in
 * many flushes, none holding much more than the bound, and still exactly.
 */
import { describe, expect, it } from 'vitest';
import { manyInvoices, penceToString } from './helpers/messages.ts';
import { createPipeline } from './helpers/pipeline.ts';

const BODY = 'bound-council';
const FLUSH_BYTES = 100_000;
const FETCH_BYTES = 65_536;

describe('staging bounded by bytes', () => {
  it('flushes a backlog in pieces of about SPEND_INGEST_FLUSH_BYTES, losing and duplicating nothing', async () => {
    const pipeline = await createPipeline({
      SPEND_TOPIC_PARTITIONS: '1',
      KAFKA_MAX_BYTES_PER_PARTITION: String(FETCH_BYTES),
      SPEND_INGEST_FLUSH_BYTES: String(FLUSH_BYTES),
      SPEND_INGEST_FLUSH_DOCUMENTS: '1000000',
      SPEND_INGEST_FLUSH_MS: '600000',
    });
    const added = await pipeline.cli(['bodies', 'add', BODY, '--name', 'Bound', '--joined', '2023-04-01']);
    expect(added.code, added.stderr).toBe(0);
    const invoices = manyInvoices(BODY, 2000);
    const values = invoices.map((inv) => JSON.stringify(inv));
    const producer = await pipeline.producer();
    for (let i = 0; i < invoices.length; i += 250) {
      await producer.send({
        topic: pipeline.config.topics.invoices,
        acks: -1,
        messages: invoices
          .slice(i, i + 250)
          .map((inv, j) => ({ key: `${BODY}:${inv.invoiceId}`, value: values[i + j] as string })),
      });
    }
    // Produced first: the owner meets a backlog, and only its last batch is caught up.
    const owner = pipeline.startOwner('ingest');
    await owner.ready();
    await pipeline.waitUntilIngested(180_000);

    let pence = 0n;
    for (const inv of invoices) {
      const negative = inv.netAmount.startsWith('-');
      const [whole = '0', frac = '00'] = inv.netAmount.replace('-', '').split('.');
      const value = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
      pence += negative ? -value : value;
    }
    const stats = await pipeline.stats();
    expect(stats.bodies[0]).toMatchObject({ bodyId: BODY, invoices: 2000, netTotal: penceToString(pence) });

    // One ingest_batches row per partition per flush. A flush holds at most the bound plus the
    // one fetch that crossed it, so there are at least this many.
    const stagedChars = values.reduce((n, v) => n + v.length, 0);
    const atLeast = Math.ceil(stagedChars / (FLUSH_BYTES + FETCH_BYTES));
    expect(atLeast).toBeGreaterThan(3);
    const flushes = await pipeline.cli([
      'sql',
      'select count(*)::integer as n from ingest_batches',
      '--json',
    ]);
    expect(flushes.code, flushes.stderr).toBe(0);
    expect((JSON.parse(flushes.stdout) as { n: number }).n).toBeGreaterThanOrEqual(atLeast);
  }, 400_000);
});

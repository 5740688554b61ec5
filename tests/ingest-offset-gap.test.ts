/**
 * DuckDB's stored offsets are the source of truth, even when Kafka's committed offset for the
 * group is ahead of them (a database restored from a backup, offsets reset by hand). On joining,
 * kafkajs fetches from Kafka's committed offset before the consumer's seek to DuckDB's offset
 * lands; a batch from there must not be staged, or the records between DuckDB's offset and it
 * would be skipped as redeliveries and never written (seen as documents missing while the stored
 * offsets had reached the high watermarks). Real broker, real DuckDB file, the real owner process.
 */
import { describe, expect, it } from 'vitest';
import { manyInvoices } from './helpers/messages.ts';
import { createPipeline } from './helpers/pipeline.ts';

const BODY = 'gap-council';

describe('ingest resumes from DuckDB even when Kafka committed further', () => {
  it.each([
    { storedBefore: 100, case: 'a restored backup: DuckDB stored offset 100' },
    { storedBefore: 0, case: 'a new database: no offset stored, reading starts at the log start' },
  ])('writes every record below the group offset Kafka holds ($case)', async ({ storedBefore }) => {
    const pipeline = await createPipeline({ SPEND_TOPIC_PARTITIONS: '1' });
    const { config, kafka } = pipeline;
    const added = await pipeline.cli([
      'bodies',
      'add',
      BODY,
      '--name',
      'Gap Council',
      '--kind',
      'council',
      '--joined',
      '2023-04-01',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const producer = await pipeline.producer();
    const invoices = manyInvoices(BODY, 300);
    const send = (from: number, to: number) =>
      producer.send({
        topic: config.topics.invoices,
        acks: -1,
        messages: invoices
          .slice(from, to)
          .map((inv) => ({ key: `${BODY}:${inv.invoiceId}`, value: JSON.stringify(inv) })),
      });

    if (storedBefore > 0) {
      // DuckDB holds offsets 0..storedBefore-1.
      await send(0, storedBefore);
      const first = pipeline.startOwner('ingest');
      await first.ready();
      await pipeline.waitUntilIngested();
      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
    }

    // Kafka's committed offset for the group moves on to 200, past records DuckDB never saw.
    await send(storedBefore, invoices.length);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({
        groupId: config.consumerGroup,
        topic: config.topics.invoices,
        partitions: [{ partition: 0, offset: '200' }],
      });
    } finally {
      await admin.disconnect();
    }

    const second = pipeline.startOwner('ingest');
    await second.ready();
    await pipeline.waitUntilIngested();
    const stats = await pipeline.stats();
    const body = stats.bodies.find((b) => b.bodyId === BODY);
    // Every invoice sent, once, including those between DuckDB's offset and Kafka's (200).
    expect(body?.invoices).toBe(invoices.length);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});

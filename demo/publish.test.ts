/** publishDemo against a fake producer: batching, acks, ordering per key, progress and failures. */
import { describe, expect, it } from 'vitest';
import type { Producer } from '../ingest/kafka/client.ts';
import type { DemoMessage } from './messages.ts';
import { type PublishProgress, publishDemo } from './publish.ts';

const TOPICS = { invoices: 'spend.invoices.v1', purchaseOrders: 'spend.purchase-orders.v1' };

type Batch = Parameters<Producer['sendBatch']>[0];

/** Records batches; each one is acknowledged after a pseudo-random delay, so batches complete out of order. */
function fakeProducer(options: { failOnBatch?: number } = {}) {
  const batches: Batch[] = [];
  const inFlightKeys = new Set<string>();
  let inFlight = 0;
  let maxInFlight = 0;
  let overtaken = false;
  const producer = {
    async sendBatch(batch: Batch) {
      const index = batches.push(batch) - 1;
      const keys =
        batch.topicMessages?.flatMap(({ topic, messages }) => messages.map((m) => `${topic}|${m.key}`)) ?? [];
      if (keys.some((key) => inFlightKeys.has(key))) overtaken = true;
      for (const key of keys) inFlightKeys.add(key);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, (index * 7) % 5));
      inFlight--;
      for (const key of keys) inFlightKeys.delete(key);
      if (index === options.failOnBatch) throw new Error('broker unavailable');
      return [];
    },
  };
  return {
    producer: producer as unknown as Producer,
    batches,
    stats: () => ({ maxInFlight, overtaken }),
  };
}

function invoice(key: string, lines: number): DemoMessage {
  const lineItems = Array.from({ length: lines }, (_, i) => ({ lineNo: i + 1, netAmount: '1.00' }));
  return { topic: 'invoices', key, value: JSON.stringify({ lines: lineItems }) };
}

describe('publishDemo', () => {
  it('sends every message once, in batches with acks -1, and reports progress', async () => {
    const messages: DemoMessage[] = [];
    for (let i = 0; i < 2_500; i++) {
      messages.push(
        i % 5 === 0 ? { topic: 'purchaseOrders', key: `b:PO${i}`, value: '{}' } : invoice(`b:INV${i}`, 2),
      );
    }
    const fake = fakeProducer();
    const progress: PublishProgress[] = [];
    const result = await publishDemo(fake.producer, TOPICS, messages, (p) => progress.push(p), {
      messagesPerBatch: 100,
      maxBatchesInFlight: 3,
    });

    expect(result).toEqual({ sent: 2_500, invoiceLines: 2 * 2_000 });
    expect(progress.at(-1)).toEqual(result);
    expect(progress.map((p) => p.sent)).toEqual([...progress.map((p) => p.sent)].sort((a, b) => a - b));
    expect(fake.batches).toHaveLength(25);
    for (const batch of fake.batches) expect(batch.acks).toBe(-1);
    const sent = fake.batches.flatMap((batch) => batch.topicMessages ?? []);
    expect(
      sent.filter((t) => t.topic === TOPICS.invoices).flatMap((t) => t.messages.map((m) => m.key)),
    ).toEqual(messages.filter((m) => m.topic === 'invoices').map((m) => m.key));
    expect(fake.stats().maxInFlight).toBe(3);
  });

  it('never lets a later version of a key overtake one still in flight', async () => {
    const messages: DemoMessage[] = [];
    for (let i = 0; i < 1_000; i++) {
      messages.push(invoice(`b:INV${i}`, 1));
      // A correction a few messages later, and a tombstone after that: they must arrive in this order.
      if (i >= 3) messages.push(invoice(`b:INV${i - 3}`, 1));
      if (i >= 7) messages.push({ topic: 'invoices', key: `b:INV${i - 7}`, value: null });
    }
    const fake = fakeProducer();
    await publishDemo(fake.producer, TOPICS, messages, undefined, {
      messagesPerBatch: 10,
      maxBatchesInFlight: 4,
    });

    expect(fake.stats().overtaken).toBe(false);
    const order = fake.batches.flatMap((batch) => batch.topicMessages?.flatMap((t) => t.messages) ?? []);
    expect(order.map((m) => [m.key, m.value])).toEqual(messages.map((m) => [m.key, m.value]));
  });

  it('rejects when a batch fails, after the others have settled', async () => {
    const messages = Array.from({ length: 500 }, (_, i) => invoice(`b:INV${i}`, 1));
    const fake = fakeProducer({ failOnBatch: 2 });
    await expect(
      publishDemo(fake.producer, TOPICS, messages, undefined, {
        messagesPerBatch: 50,
        maxBatchesInFlight: 4,
      }),
    ).rejects.toThrow('broker unavailable');
  });
});

/**
 * Fills the benchmark topic with realistic invoice.v1 messages as fast as kafkajs allows: messages
 * are generated in chunks and sent in large batches, no compression. Keys follow the contract
 * (`<bodyId>:<invoiceId>`) and are partitioned like the Java client (murmur2). The producer is
 * idempotent (acks from all replicas, one request in flight per broker): on a busy machine a
 * request that timed out was retried and its batch written twice (2026-12-04, 2,500 messages
 * too many in a 1M topic), which the checks after each run then counted as ingested.
 */
import { createProducer, type KafkaClient } from '../ingest/kafka/client.ts';
import { InvoiceGenerator } from './invoices.ts';

/** Messages per send() call: ~2 MB, about 500 KB per partition (under the broker's 1 MB batch limit). */
const MESSAGES_PER_SEND = 2500;
const SENDS_IN_FLIGHT = 6;
const PROGRESS_EVERY_MS = 3000;

export type Produced = {
  messages: number;
  lines: number;
  /** Key + value bytes, as Kafka's ConsumerPerformance counts them. */
  bytes: number;
  netPence: bigint;
  ms: number;
};

export async function fillTopic(
  kafka: KafkaClient,
  topic: string,
  bodyId: string,
  count: number,
): Promise<Produced> {
  const producer = createProducer(kafka, {
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const generator = new InvoiceGenerator(bodyId);
  const totals: Produced = { messages: 0, lines: 0, bytes: 0, netPence: 0n, ms: 0 };
  const began = performance.now();
  let lastProgress = began;
  const inFlight = new Set<Promise<unknown>>();
  try {
    for (let first = 0; first < count; first += MESSAGES_PER_SEND) {
      const messages: { key: string; value: string }[] = [];
      for (let i = first; i < Math.min(count, first + MESSAGES_PER_SEND); i++) {
        const invoice = generator.next(i);
        messages.push({ key: invoice.key, value: invoice.value });
        totals.lines += invoice.lines;
        totals.bytes += Buffer.byteLength(invoice.key) + Buffer.byteLength(invoice.value);
        totals.netPence += invoice.netPence;
      }
      const send = producer.send({ topic, acks: -1, messages }).then(() => {
        inFlight.delete(send);
        totals.messages += messages.length;
      });
      inFlight.add(send);
      if (inFlight.size >= SENDS_IN_FLIGHT) await Promise.race(inFlight);
      if (performance.now() - lastProgress > PROGRESS_EVERY_MS) {
        lastProgress = performance.now();
        const rate = totals.messages / ((lastProgress - began) / 1000);
        process.stdout.write(
          `  … produced ${totals.messages.toLocaleString('en')} of ${count.toLocaleString('en')} (${Math.round(rate).toLocaleString('en')} msg/s)\n`,
        );
      }
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  totals.ms = performance.now() - began;
  return totals;
}

/**
 * Sends demo messages to Kafka: batches of up to 1,000 messages, at most 4 batches in flight,
 * every batch acknowledged by all in-sync replicas (acks -1). A message never overtakes an earlier
 * message with the same key: if its key is in a batch still in flight, sending waits for that batch.
 */
import type { Producer } from '../ingest/kafka/client.ts';
import { countInvoiceLines, type DemoMessage } from './messages.ts';

export interface PublishProgress {
  /** Messages acknowledged so far. */
  sent: number;
  /** Invoice lines in those messages (as countInvoiceLines counts them). */
  invoiceLines: number;
}

export interface PublishOptions {
  messagesPerBatch?: number;
  maxBatchesInFlight?: number;
}

interface InFlight {
  slots: Set<string>;
  done: Promise<void>;
}

export async function publishDemo(
  producer: Producer,
  topics: { invoices: string; purchaseOrders: string },
  messages: Iterable<DemoMessage>,
  onProgress?: (progress: PublishProgress) => void,
  options: PublishOptions = {},
): Promise<PublishProgress> {
  const messagesPerBatch = options.messagesPerBatch ?? 1_000;
  const maxBatchesInFlight = options.maxBatchesInFlight ?? 4;
  const progress: PublishProgress = { sent: 0, invoiceLines: 0 };
  const inFlight: InFlight[] = [];

  const waitForOldest = async () => {
    const oldest = inFlight.shift();
    if (oldest) await oldest.done;
  };

  const send = async (batch: DemoMessage[]) => {
    while (inFlight.length >= maxBatchesInFlight) await waitForOldest();
    const done = producer.sendBatch({ acks: -1, topicMessages: byTopic(batch, topics) }).then(() => {
      progress.sent += batch.length;
      progress.invoiceLines += batch.reduce((total, message) => total + countInvoiceLines(message), 0);
      onProgress?.({ ...progress });
    });
    // Failures surface when the batch is awaited; this only keeps Node from calling them unhandled meanwhile.
    done.catch(() => {});
    inFlight.push({ slots: new Set(batch.map(slotOf)), done });
  };

  try {
    let batch: DemoMessage[] = [];
    for (const message of messages) {
      const slot = slotOf(message);
      while (inFlight.some((sending) => sending.slots.has(slot))) await waitForOldest();
      batch.push(message);
      if (batch.length >= messagesPerBatch) {
        await send(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await send(batch);
    while (inFlight.length > 0) await waitForOldest();
  } catch (error) {
    // Let the other batches settle before reporting, so nothing is left running behind the caller.
    await Promise.allSettled(inFlight.map((sending) => sending.done));
    throw error;
  }
  return progress;
}

function slotOf(message: DemoMessage): string {
  return `${message.topic}\u0000${message.key}`;
}

function byTopic(batch: readonly DemoMessage[], topics: { invoices: string; purchaseOrders: string }) {
  const invoices = batch.filter((message) => message.topic === 'invoices');
  const orders = batch.filter((message) => message.topic === 'purchaseOrders');
  return [
    { topic: topics.invoices, messages: invoices.map(({ key, value }) => ({ key, value })) },
    { topic: topics.purchaseOrders, messages: orders.map(({ key, value }) => ({ key, value })) },
  ].filter((group) => group.messages.length > 0);
}

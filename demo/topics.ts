/**
 * The demo owns its data: it publishes to topics of its own, named after the data set (seed and
 * size), never to the topics `spend serve` reads, and it never takes what it finds there for its
 * own without checking. Topics that already hold exactly the manifest's message counts from
 * offset 0 are this data set, published before: nothing is sent again. Topics holding anything
 * else (foreign messages, an interrupted run) are left alone and the next generation of names
 * is used instead.
 */
import { createHash } from 'node:crypto';
import { fetchTopicOffsets, type KafkaClient, retryingRetriable } from '../ingest/kafka/client.ts';
import type { DemoTopic } from './messages.ts';

export type DemoTopics = { invoices: string; purchaseOrders: string; deadLetter: string };
type BaseTopics = DemoTopics;

/** How many generations of names are tried before giving up (each a leftover of another run). */
const MAX_GENERATIONS = 20;

/** A short, stable name for a data set: the same seed and size give the same data. */
export function dataSetFingerprint(settings: { seed: number | undefined; lines: number }): string {
  return createHash('sha256')
    .update(JSON.stringify({ seed: settings.seed ?? 'default', lines: settings.lines }))
    .digest('hex')
    .slice(0, 10);
}

export function demoTopicNames(base: BaseTopics, fingerprint: string, generation = 0): DemoTopics {
  const suffix = `.demo-${fingerprint}${generation > 0 ? `-${generation}` : ''}`;
  return {
    invoices: `${base.invoices}${suffix}`,
    purchaseOrders: `${base.purchaseOrders}${suffix}`,
    deadLetter: `${base.deadLetter}${suffix}`,
  };
}

/** Every demo topic name of `base` (any data set, any generation): what --fresh deletes. */
export function isDemoTopicOf(base: BaseTopics, topic: string): boolean {
  return [base.invoices, base.purchaseOrders, base.deadLetter].some((t) => topic.startsWith(`${t}.demo-`));
}

export type TopicContents = { messages: bigint; fromStart: boolean };

async function contentsOf(kafka: KafkaClient, topics: string[]): Promise<Map<string, TopicContents>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await retryingRetriable(() => admin.listTopics()));
    const contents = new Map<string, TopicContents>();
    for (const topic of topics) {
      if (!existing.has(topic)) {
        contents.set(topic, { messages: 0n, fromStart: true });
        continue;
      }
      const offsets = await fetchTopicOffsets(admin, topic);
      contents.set(topic, {
        messages: offsets.reduce((n, p) => n + BigInt(p.high), 0n),
        fromStart: offsets.every((p) => BigInt(p.low) === 0n),
      });
    }
    return contents;
  } finally {
    await admin.disconnect();
  }
}

export type DemoTopicChoice = {
  topics: DemoTopics;
  /** True when the topics already hold this data set: publish nothing. */
  published: boolean;
  /** Generations passed over, with what they held (for the user to see why). */
  passedOver: { topics: DemoTopics; messages: bigint }[];
};

/**
 * Picks the topics of this data set: the first generation that is empty (publish there) or holds
 * exactly what the manifest says (already published). `expectedByTopic` is only asked for when
 * a generation holds messages (it costs a pass of the generator).
 */
export async function chooseDemoTopics(
  kafka: KafkaClient,
  base: BaseTopics,
  fingerprint: string,
  expectedByTopic: () => Record<DemoTopic, number>,
): Promise<DemoTopicChoice> {
  const passedOver: DemoTopicChoice['passedOver'] = [];
  for (let generation = 0; generation < MAX_GENERATIONS; generation++) {
    const topics = demoTopicNames(base, fingerprint, generation);
    const contents = await contentsOf(kafka, [topics.invoices, topics.purchaseOrders]);
    const invoices = contents.get(topics.invoices) as TopicContents;
    const orders = contents.get(topics.purchaseOrders) as TopicContents;
    if (invoices.messages === 0n && orders.messages === 0n) return { topics, published: false, passedOver };
    const expected = expectedByTopic();
    const ours =
      invoices.fromStart &&
      orders.fromStart &&
      invoices.messages === BigInt(expected.invoices) &&
      orders.messages === BigInt(expected.purchaseOrders);
    if (ours) return { topics, published: true, passedOver };
    passedOver.push({ topics, messages: invoices.messages + orders.messages });
  }
  throw new Error(
    `the demo's topics for data set ${fingerprint} hold other data in ${MAX_GENERATIONS} generations: run "spend demo --fresh"`,
  );
}

/**
 * Peer B, run as a child process by bench/ingest.ts: a bare kafkajs consumer with the SAME fetch
 * and group settings as the ingest service (ingest/consumer.ts), whose eachBatch parses nothing and
 * only counts messages. It is what kafkajs alone can deliver, so "ours / this" is the share of
 * kafkajs' throughput the pipeline keeps after decoding, validating and writing to DuckDB.
 *
 * Input: the configuration in the environment (SPEND_TOPIC_INVOICES, SPEND_CONSUMER_GROUP…) and
 * BENCH_EXPECTED_MESSAGES. Output: one JSON line on stdout; progress on stderr.
 */
import { ingestConsumerSettings } from '../ingest/consumer.ts';
import { createKafka } from '../ingest/kafka/client.ts';
import { loadConfig } from '../lib/config.ts';
import { createLogger } from '../lib/log.ts';

export type BareResult = {
  messages: number;
  /** connect() + subscribe + group join, until consumer.run() resolved. */
  joinMs: number;
  /** From consumer.run() resolving to the last expected message counted. */
  fetchMs: number;
  /** From the start of this script's work (before connect) to the last message. */
  totalMs: number;
};

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const expected = Number(process.env.BENCH_EXPECTED_MESSAGES);
  if (!Number.isInteger(expected) || expected <= 0) throw new Error('BENCH_EXPECTED_MESSAGES must be set');
  const log = createLogger(config.logLevel, 'bench-bare-kafkajs');
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: config.kafkaClientId, logger: log });
  // The very settings the ingest service fetches with.
  const consumer = kafka.consumer(ingestConsumerSettings(config));

  let counted = 0;
  let finishedAt = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const began = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [config.topics.invoices], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: config.ingestConcurrency,
    eachBatch: async ({ batch }) => {
      counted += batch.messages.length;
      if (counted >= expected && finishedAt === 0) {
        finishedAt = performance.now();
        resolveDone();
      }
    },
  });
  const joinedAt = performance.now();
  const progress = setInterval(() => process.stderr.write(`counted ${counted}\n`), 3000);
  await done;
  clearInterval(progress);
  await consumer.disconnect();
  const result: BareResult = {
    messages: counted,
    joinMs: joinedAt - began,
    fetchMs: finishedAt - joinedAt,
    totalMs: finishedAt - began,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();

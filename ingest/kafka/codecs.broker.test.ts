/**
 * Every codec through a real broker. Batches kafkajs compresses here must be accepted (the broker
 * decompresses each batch with Kafka's Java decoders to validate it) and read back intact; batches
 * compressed by Kafka's own Java producer must be read by our decoders.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test, vi } from 'vitest';
import { cachedKafkaJars, runKafkaTool } from '../../kafka-local/broker.ts';
import { createTestTopics, testBrokers, testKafka, uniqueName } from '../../tests/helpers/kafka.ts';
import { CompressionTypes, createProducer, type KafkaClient } from './client.ts';
import { type Codec, lz4Codec, snappyCodec, zstdCodec } from './codecs.ts';

const ours: Record<string, Codec | undefined> = { snappy: snappyCodec, lz4: lz4Codec, zstd: zstdCodec };

const line = (i: number) =>
  `{"invoiceId":"INV-${i}","bodyId":"council-${i % 7}","supplier":"SUPPLIER ${i % 37} LTD","netAmount":"${(i * 13.7).toFixed(2)}","description":"${'x'.repeat(i % 900)}"}`;

/** Reads `count` message values from the start of a topic with a fresh group. */
async function readValues(kafka: KafkaClient, topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('codecs'), maxWaitTimeInMs: 500 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${values.length} of ${count}`)), 30_000);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) values.push(String(message.value));
            if (values.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

const kafkajsCodecs = [
  ['none', CompressionTypes.None],
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
] as const;

describe('kafkajs → broker → kafkajs', () => {
  test.each(kafkajsCodecs)('%s: a small batch and, compressed, a 2 MB one', async (name, compression) => {
    const kafka = testKafka();
    const [topic = ''] = await createTestTopics(
      [{ topic: uniqueName(`codec-${name}`), numPartitions: 1 }],
      kafka,
    );
    const codec = ours[name];
    const compress = codec && vi.spyOn(codec, 'compress');
    const decompress = codec && vi.spyOn(codec, 'decompress');
    onTestFinished(() => {
      vi.restoreAllMocks();
    });

    const small = Array.from({ length: 100 }, (_, i) => line(i));
    // Uncompressed, 2 MB would exceed the broker's message.max.bytes (1 MB).
    const large = name === 'none' ? [] : Array.from({ length: 4000 }, (_, i) => line(100 + i));
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      await producer.send({ topic, compression, acks: -1, messages: small.map((value) => ({ value })) });
      if (large.length > 0) {
        await producer.send({ topic, compression, acks: -1, messages: large.map((value) => ({ value })) });
      }
    } finally {
      await producer.disconnect();
    }

    expect(await readValues(kafka, topic, small.length + large.length)).toEqual([...small, ...large]);
    if (compress) {
      // our codec compressed the large batch whole: over the broker's 1 MB limit in, under it out
      const inputs = compress.mock.calls.map(([encoder]) => encoder.buffer.length);
      const outputs = await Promise.all(
        compress.mock.results.map((result) => result.value as Promise<Buffer>),
      );
      expect(Math.max(...inputs)).toBeGreaterThan(1024 * 1024);
      expect(Math.max(...outputs.map((buffer) => buffer.length))).toBeLessThan(1024 * 1024);
    }
    if (decompress) expect(decompress).toHaveBeenCalled();
  });
});

// Runs where the broker's jars are cached (a KAFKA_BROKERS run may have none). Under CI it always
// runs: runKafkaTool fetches the jars, and a failed fetch fails the test instead of skipping it.
const javaProducer = process.env.CI === 'true' || (await cachedKafkaJars()) !== undefined;
if (!javaProducer) process.stderr.write('codecs: Java producer tests SKIPPED: no cached Kafka jars\n');

describe.skipIf(!javaProducer)("Kafka's Java producer → broker → kafkajs", () => {
  test.each(['gzip', 'snappy', 'lz4', 'zstd'])('%s', async (name) => {
    const kafka = testKafka();
    const [topic = ''] = await createTestTopics(
      [{ topic: uniqueName(`java-${name}`), numPartitions: 1 }],
      kafka,
    );
    const dir = await mkdtemp(join(tmpdir(), 'codecs-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const payloads = Array.from({ length: 200 }, (_, i) => line(i));
    const payloadFile = join(dir, 'payloads.txt');
    await writeFile(payloadFile, payloads.join('\n'));
    const codec = ours[name];
    const decompress = codec && vi.spyOn(codec, 'decompress');
    onTestFinished(() => {
      vi.restoreAllMocks();
    });

    const records = 3000;
    const output = await runKafkaTool('org.apache.kafka.tools.ProducerPerformance', [
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--throughput',
      '-1',
      '--payload-file',
      payloadFile,
      '--producer-props',
      `bootstrap.servers=${testBrokers().join(',')}`,
      `compression.type=${name}`,
      'linger.ms=200',
      'batch.size=524288',
      'acks=all',
    ]);
    expect(output).toContain(`${records} records sent`);

    const values = await readValues(kafka, topic, records);
    expect(values).toHaveLength(records);
    const known = new Set(payloads);
    expect(values.every((value) => known.has(value))).toBe(true);
    if (decompress) expect(decompress).toHaveBeenCalled();
  });
});

/**
 * How far the database is behind the topics: for each partition, the high watermark in Kafka
 * against the next offset stored in DuckDB. Used to wait until everything produced so far is
 * ingested (demo, tests, benchmarks) and to report progress.
 */
import { fetchTopicOffsets, type KafkaClient } from './kafka/client.ts';

export type StoredOffset = { topic: string; partition: number; nextOffset: string };
export type PartitionLag = { topic: string; partition: number; stored: bigint; high: bigint; behind: bigint };

/** The high watermark of every partition of the topics: where "ingested so far" must reach. */
export async function highWatermarks(kafka: KafkaClient, topics: string[]): Promise<Map<string, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const marks = new Map<string, bigint>();
    for (const topic of topics) {
      for (const p of await fetchTopicOffsets(admin, topic))
        marks.set(`${topic}/${p.partition}`, BigInt(p.high));
    }
    return marks;
  } finally {
    await admin.disconnect();
  }
}

export function lagAgainst(targets: Map<string, bigint>, stored: StoredOffset[]): PartitionLag[] {
  const at = new Map(stored.map((o) => [`${o.topic}/${o.partition}`, BigInt(o.nextOffset)]));
  return [...targets].map(([key, high]) => {
    const slash = key.lastIndexOf('/');
    const storedOffset = at.get(key) ?? 0n;
    return {
      topic: key.slice(0, slash),
      partition: Number(key.slice(slash + 1)),
      stored: storedOffset,
      high,
      behind: high > storedOffset ? high - storedOffset : 0n,
    };
  });
}

/**
 * Consumer lag per partition of the topics: how many messages Kafka holds that DuckDB has not
 * stored yet (`spend status`; the HTTP API can call the same). `stored` comes from the
 * `offsets` operation, so it works whether or not an owner is running.
 */
export async function consumerLag(
  kafka: KafkaClient,
  topics: string[],
  stored: StoredOffset[],
): Promise<PartitionLag[]> {
  return lagAgainst(await highWatermarks(kafka, topics), stored);
}

/**
 * Resolves once the stored offsets reach the given targets. Messages below the log start
 * (deleted by retention) count as reached only through the stored offset, so a partition that
 * was never read keeps this waiting: that is the point.
 */
export async function waitForOffsets(
  targets: Map<string, bigint>,
  readStored: () => Promise<StoredOffset[]>,
  options: { timeoutMs?: number; pollMs?: number; onProgress?: (lag: PartitionLag[]) => void } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    const lag = lagAgainst(targets, await readStored());
    options.onProgress?.(lag);
    const behind = lag.filter((p) => p.behind > 0n);
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `not ingested after ${options.timeoutMs} ms: ${behind.map((p) => `${p.topic}/${p.partition} at ${p.stored} of ${p.high}`).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}

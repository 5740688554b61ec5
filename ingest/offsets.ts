/**
 * Where reading resumes, and what Kafka is told. DuckDB's `consumer_offsets` is the source of
 * truth: on every (re)assignment each partition is sought to the offset stored there (the log
 * start when there is none). Kafka's committed offset only shows progress to other tools (lag
 * monitors); it is committed after the DuckDB COMMIT, only for partitions the member still owns.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '../lib/log.ts';
import { type PartitionSpan, readNextOffset } from './batch-writer.ts';
import { type Consumer, fetchTopicOffsets, type KafkaClient } from './kafka/client.ts';

export type Assignment = Record<string, number[]>;

/** The spans of partitions this member still owns (committing others would fail the whole call). */
export function ownedSpans(spans: PartitionSpan[], assignment: Assignment): PartitionSpan[] {
  return spans.filter((s) => assignment[s.topic]?.includes(s.partition));
}

/** Kafka's committed offsets only show progress; a failure here loses nothing. */
export async function commitToKafka(
  consumer: Consumer,
  spans: PartitionSpan[],
  assignment: Assignment,
  log: Logger,
): Promise<void> {
  const owned = ownedSpans(spans, assignment);
  if (owned.length === 0) return;
  try {
    await consumer.commitOffsets(
      owned.map((s) => ({ topic: s.topic, partition: s.partition, offset: (s.lastOffset + 1n).toString() })),
    );
  } catch (error) {
    log.debug({ err: error }, 'could not commit offsets to Kafka (DuckDB holds them)');
  }
}

/** Seeks every assigned partition to the offset stored in DuckDB (the log start when there is none). */
export async function seekToStoredOffsets(
  kafka: KafkaClient,
  consumer: Consumer,
  conn: DuckDBConnection,
  assignment: Assignment,
  log: Logger,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const [topic, partitions] of Object.entries(assignment)) {
      const low = new Map((await fetchTopicOffsets(admin, topic)).map((p) => [p.partition, p.low]));
      for (const partition of partitions) {
        const stored = await readNextOffset(conn, topic, partition);
        const offset = stored?.toString() ?? low.get(partition) ?? '0';
        consumer.seek({ topic, partition, offset });
        log.debug({ topic, partition, offset, from: stored === null ? 'earliest' : 'duckdb' }, 'seek');
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** The partition's log start offset: records below it were deleted (retention) and cannot be read. */
export async function logStartOffset(kafka: KafkaClient, topic: string, partition: number): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const found = (await fetchTopicOffsets(admin, topic)).find((p) => p.partition === partition);
    return BigInt(found?.low ?? '0');
  } finally {
    await admin.disconnect();
  }
}

/**
 * The ingest service: one kafkajs consumer over the invoice and purchase-order topics, writing
 * each batch into DuckDB exactly once (ingest/batch-writer.ts) and only then committing the
 * offset to Kafka. On (re)assignment it seeks every partition to the offset stored in DuckDB,
 * which is the source of truth; Kafka's committed offset only shows progress to other tools.
 */
import { statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config, CrashPoint } from '../lib/config.ts';
import type { Database } from '../lib/db.ts';
import type { Logger } from '../lib/log.ts';
import { type BatchResult, type Rejection, readNextOffset, writeBatch } from './batch-writer.ts';
import { deadLetterMessage } from './dead-letter.ts';
import {
  type Consumer,
  createKafka,
  createProducer,
  type EachBatchPayload,
  type KafkaClient,
  type Producer,
} from './kafka/client.ts';
import type { TopicHandler } from './topics/handler.ts';

/** What the consumer needs of any document: its lines, to count them. */
type StagedDocument = { lines?: unknown[] };

import { invoicesHandler } from './topics/invoices/handler.ts';
import { purchaseOrdersHandler } from './topics/purchase-orders/handler.ts';

const WAL_CHECKPOINT_BYTES = 32 * 1024 * 1024;

function walBytes(dbPath: string): number {
  try {
    return statSync(`${dbPath}.wal`).size;
  } catch {
    return 0;
  }
}

export type IngestProgress = {
  batches: number;
  messages: number;
  accepted: number;
  retracted: number;
  rejected: number;
  lines: number;
  alreadyIngested: number;
};

export class IngestService {
  readonly progress: IngestProgress = {
    batches: 0,
    messages: 0,
    accepted: 0,
    retracted: 0,
    rejected: 0,
    lines: 0,
    alreadyIngested: 0,
  };
  private readonly kafka: KafkaClient;
  private readonly handlers: Map<string, TopicHandler<StagedDocument>>;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiting: ((conn: DuckDBConnection) => void)[] = [];
  private allConnections: DuckDBConnection[] = [];
  private checkpointing = false;
  private readonly partitionTails = new Map<string, Promise<void>>();

  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly log: Logger,
  ) {
    this.kafka = createKafka({ brokers: config.kafkaBrokers, clientId: config.kafkaClientId, logger: log });
    this.handlers = new Map<string, TopicHandler<StagedDocument>>([
      [config.topics.invoices, invoicesHandler as TopicHandler<StagedDocument>],
      [config.topics.purchaseOrders, purchaseOrdersHandler as TopicHandler<StagedDocument>],
    ]);
  }

  async start(): Promise<void> {
    const { config } = this;
    for (let i = 0; i < config.ingestConcurrency; i++) this.allConnections.push(await this.db.connect());
    this.idle.push(...this.allConnections);

    this.producer = createProducer(this.kafka, { idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();

    const consumer = this.kafka.consumer({
      groupId: config.consumerGroup,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(config.sessionTimeoutMs / 3)),
      rebalanceTimeout: Math.max(config.sessionTimeoutMs * 2, 10_000),
      maxBytesPerPartition: config.maxBytesPerPartition,
      // Bounded memory: at most this much fetched data is held at once (back-pressure comes
      // from eachBatch being awaited before the next fetch of that partition).
      maxBytes: config.maxBytesPerPartition * Math.max(2, config.ingestConcurrency * 2),
      readUncommitted: false,
      // kafkajs heartbeats only between fetches: a long fetch wait would delay rebalances
      // (and a clean shutdown) by up to that long.
      maxWaitTimeInMs: 1000,
    });
    this.consumer = consumer;
    // A fetch of nothing but transaction markers or aborted records never reaches eachBatch;
    // record that those offsets are consumed, or the stored offset would lag behind for ever.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0) return;
      this.recordSkippedRecords(payload.topic, payload.partition, payload.lastOffset).catch((error) =>
        this.log.warn(
          { err: error, topic: payload.topic, partition: payload.partition },
          'could not record skipped offsets',
        ),
      );
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.seekToStoredOffsets(payload.memberAssignment).catch((error) =>
        this.log.error({ err: error }, 'could not seek to the offsets stored in DuckDB'),
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.handlers.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.ingestConcurrency,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.log.info(
      { topics: [...this.handlers.keys()], group: config.consumerGroup, brokers: config.kafkaBrokers },
      'ingest started',
    );
  }

  /** Stops fetching, lets the batch in hand finish, and releases the connections. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    for (const conn of this.allConnections) conn.closeSync();
    this.allConnections = [];
    this.idle.length = 0;
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale()) return;
    const handler = this.handlers.get(batch.topic);
    if (!handler) throw new Error(`no handler for topic ${batch.topic}`);

    const result = await this.withPartition(batch.topic, batch.partition, (conn) =>
      writeBatch(
        conn,
        handler,
        batch.topic,
        batch.partition,
        batch.messages,
        {
          heartbeat,
          beforeCommit: (rejections) => this.sendDeadLetters(rejections),
          crashPoint: (point) => this.crashIfConfigured(point),
        },
        batch.lastOffset(),
      ),
    );
    this.count(result);
    await this.checkpointIfWalIsLarge();
    resolveOffset(batch.lastOffset());
    if (result.nextOffset !== null) {
      await this.consumer?.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: result.nextOffset.toString() },
      ]);
    }
    this.crashIfConfigured('after-kafka-commit');
    await heartbeat();
  }

  private async recordSkippedRecords(topic: string, partition: number, lastOffset: string): Promise<void> {
    const handler = this.handlers.get(topic);
    if (!handler) return;
    await this.withPartition(topic, partition, (conn) =>
      writeBatch(conn, handler, topic, partition, [], {}, lastOffset),
    );
  }

  /** One write at a time per partition, on a pooled connection (batches and skipped-offset records). */
  private async withPartition<T>(
    topic: string,
    partition: number,
    work: (conn: DuckDBConnection) => Promise<T>,
  ): Promise<T> {
    const key = `${topic}/${partition}`;
    const previous = this.partitionTails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const tail = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.partitionTails.set(key, tail);
    await previous;
    const conn = await this.acquire();
    try {
      return await work(conn);
    } finally {
      this.release(conn);
      done();
      if (this.partitionTails.get(key) === tail) this.partitionTails.delete(key);
    }
  }

  private async sendDeadLetters(rejections: Rejection[]): Promise<void> {
    await this.producer?.send({
      topic: this.config.topics.deadLetter,
      acks: -1,
      messages: rejections.map(deadLetterMessage),
    });
  }

  private async seekToStoredOffsets(assignment: Record<string, number[]>): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const conn = await this.acquire();
      try {
        for (const [topic, partitions] of Object.entries(assignment)) {
          const low = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.low]));
          for (const partition of partitions) {
            const stored = await readNextOffset(conn, topic, partition);
            const offset = stored?.toString() ?? low.get(partition) ?? '0';
            consumer.seek({ topic, partition, offset });
            this.log.debug(
              { topic, partition, offset, from: stored === null ? 'earliest' : 'duckdb' },
              'seek',
            );
          }
        }
      } finally {
        this.release(conn);
      }
    } finally {
      await admin.disconnect();
    }
  }

  private count(result: BatchResult): void {
    const p = this.progress;
    p.batches++;
    p.messages += result.received;
    p.accepted += result.accepted;
    p.retracted += result.retracted;
    p.rejected += result.rejected;
    p.lines += result.lines;
    p.alreadyIngested += result.alreadyIngested;
  }

  private crashIfConfigured(point: CrashPoint): void {
    if (this.config.crashAt !== point || this.progress.batches < this.config.crashAfterBatches) return;
    this.log.warn({ point }, 'SPEND_CRASH_AT: killing the process on purpose');
    process.kill(process.pid, 'SIGKILL');
  }

  /**
   * DuckDB checkpoints automatically at COMMIT only when no other transaction is open, so with
   * several partitions writing at once its write-ahead log (and the table data held in memory
   * until a checkpoint) can grow for a long time. Once the log passes WAL_CHECKPOINT_BYTES, wait
   * until every connection is idle and checkpoint explicitly: memory stays bounded.
   */
  private async checkpointIfWalIsLarge(): Promise<void> {
    if (this.checkpointing || walBytes(this.db.path) < WAL_CHECKPOINT_BYTES) return;
    this.checkpointing = true;
    const all = await Promise.all(this.allConnections.map(() => this.acquire()));
    try {
      await all[0]?.run('checkpoint');
    } finally {
      for (const conn of all) this.release(conn);
      this.checkpointing = false;
    }
  }

  private acquire(): Promise<DuckDBConnection> {
    const conn = this.idle.pop();
    if (conn) return Promise.resolve(conn);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(conn: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) next(conn);
    else this.idle.push(conn);
  }
}

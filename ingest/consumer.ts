/**
 * The ingest service: one kafkajs consumer over the invoice and purchase-order topics, writing
 * the batches into DuckDB exactly once (ingest/batch-writer.ts) and only then committing the
 * offsets to Kafka. On (re)assignment it seeks every partition to the offset stored in DuckDB,
 * which is the source of truth; Kafka's committed offset only shows progress to other tools.
 *
 * Batches are staged (validated, their documents held in a DuckDB temp table) and written
 * several at a time: one flush, one transaction, once enough documents are staged for DuckDB to
 * write them straight to the file (SPEND_INGEST_FLUSH_DOCUMENTS) or once the oldest staged batch
 * is SPEND_INGEST_FLUSH_MS old. While one connection flushes, the next batches are staged on
 * another. docs/reliability.md explains why no row can be lost or written twice.
 *
 * This class coordinates fetch-and-stage and flush; its other seams live apart: the DuckDB
 * connections (connection-pool.ts), seeking and committing offsets (offsets.ts), dead letters
 * (dead-letter.ts), when to give up (failures.ts) and the test-only crash switch (crash-switch.ts).
 */

import { statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../lib/config.ts';
import type { Database } from '../lib/db.ts';
import type { Logger } from '../lib/log.ts';
import {
  type BatchResult,
  flushPending,
  type IncomingMessage,
  PendingWrite,
  readNextOffset,
  stageBatch,
} from './batch-writer.ts';
import { consumedTopics } from './body-topics.ts';
import { ConnectionPool } from './connection-pool.ts';
import { CrashSwitch } from './crash-switch.ts';
import { DeadLetterSender } from './dead-letter.ts';
import { FailurePolicy, FatalIngestError } from './failures.ts';
import {
  type Consumer,
  createKafka,
  createProducer,
  type EachBatchPayload,
  type KafkaClient,
  type Producer,
} from './kafka/client.ts';
import { type Assignment, commitToKafka, logStartOffset, seekToStoredOffsets } from './offsets.ts';
import type { TopicHandler } from './topics/handler.ts';
import { routeTopic, type StagedDocument, type TopicRoute } from './topics/routes.ts';

/** The ingest consumer's kafkajs settings (bench:ingest's bare-kafkajs peer uses the same). */
export function ingestConsumerSettings(config: Config) {
  return {
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
    // Partitions added to a topic are found at the next metadata refresh: within 30 s, not
    // kafkajs' default 5 minutes (the group then rebalances and they are read from the start).
    metadataMaxAge: 30_000,
  };
}

/** While a batch waits for a connection or a flush, the group membership is kept alive this often. */
const WAITING_HEARTBEAT_MS = 1000;

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
  /**
   * Settles when ingest cannot go on (a consumer crash kafkajs will not restart from, or too many
   * failed writes in a row): the owning process then stops and exits non-zero. Never rejects.
   */
  readonly fatal: Promise<FatalIngestError>;
  private declareFatal: (error: FatalIngestError) => void = () => undefined;
  private fatalError: FatalIngestError | undefined;
  private readonly kafka: KafkaClient;
  /** The handler of every topic read so far (flushes look them up). */
  private readonly handlers = new Map<string, TopicHandler<StagedDocument>>();
  /** The topics the current consumer subscribed to (per-body layout: the bodies' topics then present). */
  private subscribed: string[] = [];
  /** per-body layout: a look for new bodies' topics (and a consumer restart) at a time. */
  private refreshing: Promise<string[]> = Promise.resolve([]);
  private refreshTimer: NodeJS.Timeout | undefined;
  /** The consumer is being replaced to read new topics: batches in hand are not staged. */
  private resubscribing = false;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private deadLetters: DeadLetterSender | undefined;
  private pool: ConnectionPool | undefined;
  /** Staging and handing staged batches to a flush happen one at a time, in this queue. */
  private stagingQueue: Promise<unknown> = Promise.resolve();
  /** The batches staged since the last hand-over, on a connection of their own. */
  private staging: PendingWrite | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  /** Flushes run one after another, in the order their batches were staged. */
  private flushes: Promise<void> = Promise.resolve();
  /**
   * Per partition ("topic/partition"): the next offset stored in DuckDB or staged. Messages
   * below it are redeliveries. Only this process writes the file, so it is never behind DuckDB.
   */
  private readonly nextFresh = new Map<string, bigint>();
  /** A flush failed: everything staged after it was dropped; nothing is staged until the group is rejoined. */
  private failure: Error | undefined;
  private readonly failures = new FailurePolicy();
  /** Bumped when staged batches are dropped: flushes handed over before then must not run. */
  private generation = 0;
  private stopping = false;
  private readonly crash: CrashSwitch;
  private assignment: Assignment = {};

  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly log: Logger,
  ) {
    this.kafka = createKafka({
      brokers: config.kafkaBrokers,
      clientId: config.kafkaClientId,
      logger: log,
      auth: config.kafkaAuth,
    });
    this.crash = new CrashSwitch(config, log, () => this.progress.batches);
    this.fatal = new Promise((resolve) => {
      this.declareFatal = resolve;
    });
  }

  async start(): Promise<void> {
    const { config } = this;
    // At least two: one stages batches while the other flushes.
    this.pool = await ConnectionPool.open(this.db, Math.max(2, config.ingestConcurrency));

    this.producer = createProducer(this.kafka, { idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    this.deadLetters = new DeadLetterSender(this.kafka, this.producer, config.topics.deadLetter, this.log);
    await this.deadLetters.readLimits();
    await this.startConsumer();
    if (config.topicLayout === 'per-body') {
      this.refreshTimer = setInterval(() => {
        this.refreshTopics().catch((error) =>
          this.log.warn({ err: error }, 'could not look for new bodies’ topics; will try again'),
        );
      }, config.topicRefreshMs);
      this.refreshTimer.unref();
    }
  }

  /** The topics being read now. */
  get topics(): readonly string[] {
    return this.subscribed;
  }

  /**
   * per-body layout: reads the topics of bodies registered since the consumer subscribed. kafkajs
   * fixes a subscription when the consumer starts, so the consumer is replaced: what is staged is
   * written first, and the new member resumes every partition from the offsets stored in DuckDB.
   * Returns the topics added (none: nothing changed). Called by the owner when a body is added,
   * and every SPEND_TOPIC_REFRESH_MS.
   */
  refreshTopics(): Promise<string[]> {
    const next = this.refreshing.then(async () => {
      if (this.config.topicLayout !== 'per-body' || this.stopping || this.fatalError) return [];
      const present = await consumedTopics(this.kafka, this.config);
      const added = present.filter((topic) => !this.subscribed.includes(topic));
      if (added.length === 0) return [];
      this.resubscribing = true;
      try {
        await this.flushStaged();
        await this.consumer?.disconnect();
        await this.flushStaged();
      } finally {
        this.resubscribing = false;
      }
      if (this.stopping) return [];
      await this.startConsumer();
      this.log.info({ added }, 'reading new bodies’ topics');
      return added;
    });
    this.refreshing = next.catch(() => []);
    return next;
  }

  /** Subscribes a new consumer to the topics of the layout (per-body with no body topics yet: none). */
  private async startConsumer(): Promise<void> {
    const { config } = this;
    const topics = await consumedTopics(this.kafka, config);
    for (const topic of topics) this.routeOf(topic);
    this.subscribed = topics;
    this.consumer = undefined;
    if (topics.length === 0) {
      this.log.info('no body has a topic yet: ingest waits for the first (spend bodies add)');
      return;
    }
    const consumer = this.kafka.consumer(ingestConsumerSettings(config));
    this.consumer = consumer;
    // A fetch of nothing but transaction markers or aborted records never reaches eachBatch;
    // record that those offsets are consumed, or the stored offset would lag behind for ever.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0 || this.stopping) return;
      // No first offset: every record returned lay below the fetched offset, so none was skipped
      // here (kafkajs 2.2.4 then reports the fetched offset itself as the batch's last).
      if (payload.firstOffset === null) return;
      this.recordSkippedRecords(
        payload.topic,
        payload.partition,
        payload.firstOffset,
        payload.lastOffset,
      ).catch((error) =>
        this.log.warn(
          { err: error, topic: payload.topic, partition: payload.partition },
          'could not record skipped offsets',
        ),
      );
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assignment = payload.memberAssignment;
      this.rejoined().catch((error) =>
        this.log.error({ err: error }, 'could not seek to the offsets stored in DuckDB'),
      );
    });
    // kafkajs restarts the consumer after a retriable crash; after any other it would stay idle.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping || consumer !== this.consumer) return;
      this.giveUp(
        new FatalIngestError(
          `ingest stopped: the Kafka consumer crashed and cannot restart: ${payload.error.message}`,
          {
            cause: payload.error,
          },
        ),
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.ingestConcurrency,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.log.info({ topics, group: config.consumerGroup, brokers: config.kafkaBrokers }, 'ingest started');
  }

  /** The handler and the owning body (per-body topics) of a topic; remembers the handler for flushes. */
  private routeOf(topic: string): TopicRoute {
    const route = routeTopic(this.config.topics, topic);
    if (!route) throw new Error(`no handler for topic ${topic}`);
    this.handlers.set(topic, route.handler);
    return route;
  }

  /** Stops staging, writes what is staged, leaves the group, and releases the connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.refreshTimer);
    await this.refreshing;
    await this.flushStaged();
    await this.consumer?.disconnect();
    // A batch that was already past its check when stopping began is written too.
    await this.flushStaged();
    await this.producer?.disconnect();
    this.pool?.close();
  }

  /** Ends ingest for good: stages nothing more and tells the owner (once). */
  private giveUp(error: FatalIngestError): void {
    if (this.fatalError) return;
    this.fatalError = error;
    this.failure ??= error;
    this.log.fatal({ err: error.cause ?? error }, error.message);
    this.declareFatal(error);
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || this.stopping || this.resubscribing) return;
    const route = this.routeOf(batch.topic);
    // After failed writes, read again no faster than the back-off allows (never spin).
    if (this.failure && !this.fatalError)
      await keepingAlive(heartbeat, () => sleep(this.failures.backoffMs()));

    const result = await keepingAlive(heartbeat, () =>
      this.serially(async () => {
        // The wait may have outlived a seek (a rejoin) or the start of a shutdown.
        if (this.stopping || this.resubscribing || isStale()) return null;
        // Caught up with the partition's end: write now rather than wait for more.
        const caughtUp = BigInt(batch.lastOffset()) + 1n >= BigInt(batch.highWatermark);
        return this.stage(route, batch, caughtUp, heartbeat);
      }),
    );
    // A gap was found: the partition was sought back, and this batch is read again from there.
    if (result === null || result.gap) return;
    this.count(result);
    // kafkajs fetches on from here; the batch is written by a later flush (and, should that
    // fail or the process die first, read again from the offset stored in DuckDB).
    resolveOffset(batch.lastOffset());
    this.crash.at('after-stage');
    await heartbeat();
  }

  /** Stages one batch (in the staging queue) and hands the staged batches to a flush when due. */
  private async stage(
    { handler, topicBody }: TopicRoute,
    batch: {
      topic: string;
      partition: number;
      messages: IncomingMessage[];
      firstOffset(): string | null;
      lastOffset(): string;
    },
    caughtUp: boolean,
    heartbeat?: () => Promise<void>,
  ): Promise<BatchResult> {
    const { topic, partition, messages } = batch;
    if (this.failure) throw this.failure;
    this.staging ??= await PendingWrite.open(await this.connections().acquire());
    const pending = this.staging;
    const key = `${topic}/${partition}`;
    // Nothing stored yet: reading starts at the log start, so that is where the first batch must start.
    const nextFresh =
      this.nextFresh.get(key) ??
      (await readNextOffset(pending.conn, topic, partition)) ??
      (await logStartOffset(this.kafka, topic, partition));
    const stageFrom = (from: bigint | null) =>
      stageBatch(
        pending,
        handler,
        topic,
        partition,
        messages,
        from,
        { heartbeat, crashPoint: (point) => this.crash.at(point), ...(topicBody ? { topicBody } : {}) },
        batch.lastOffset(),
        batch.firstOffset(),
      );
    let result = await stageFrom(nextFresh);
    if (result.gap) {
      // The batch starts past the offset stored or staged: something moved kafkajs' position on
      // (a fetch from Kafka's committed offset racing the seek on a rejoin, a batch fetched before
      // a seek). Unless retention deleted those records, read them: seek back, drop this batch.
      if ((await logStartOffset(this.kafka, topic, partition)) > nextFresh) result = await stageFrom(null);
      else {
        this.log.warn(
          { topic, partition, nextOffset: nextFresh.toString(), batchFirstOffset: batch.firstOffset() },
          'batch starts past the stored offset; seeking back',
        );
        this.consumer?.seek({ topic, partition, offset: nextFresh.toString() });
        return result;
      }
    }
    if (result.nextOffset !== null) this.nextFresh.set(key, result.nextOffset);
    const full =
      pending.documents >= this.config.ingestFlushDocuments ||
      pending.stagedChars >= this.config.ingestFlushBytes;
    if (caughtUp || full) this.handOver();
    else if (!pending.isEmpty) {
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        this.serially(async () => this.handOver()).catch(() => undefined);
      }, this.config.ingestFlushMs);
    }
    return result;
  }

  /** Hands the staged batches to a flush (call in the staging queue). */
  private handOver(): void {
    const pending = this.staging;
    this.staging = undefined;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!pending) return;
    // After a failed flush, batches staged before the failure was seen follow a gap: never write them.
    if (pending.isEmpty || this.failure) {
      this.connections().release(pending.conn);
      return;
    }
    const generation = this.generation;
    // flush() handles its own errors: one failure must not stop the flushes after it.
    this.flushes = this.flushes.then(() => this.flush(pending, generation));
  }

  /** Writes everything staged so far and waits until it is written. */
  private async flushStaged(): Promise<void> {
    await this.serially(async () => this.handOver());
    await this.flushes;
  }

  private async flush(pending: PendingWrite, generation: number): Promise<void> {
    let failed: Error | undefined;
    try {
      // An earlier flush failed: these batches are read again (writing them would leave a gap).
      if (generation !== this.generation) return;
      const spans = await flushPending(pending, this.handlers, {
        beforeCommit: async (rejections) => {
          await this.deadLetters?.send(rejections);
        },
        crashPoint: (point) => this.crash.at(point),
      });
      if (this.consumer) await commitToKafka(this.consumer, spans, this.assignment, this.log);
      this.crash.at('after-kafka-commit');
      await this.checkpointIfWalIsLarge(pending.conn);
    } catch (error) {
      failed = error as Error;
    } finally {
      this.connections().release(pending.conn);
    }
    if (failed) {
      const fatal = this.failures.failed(failed);
      this.log.error(
        { err: failed, failuresInARow: this.failures.failuresInARow },
        'could not write the staged batches; they are read again from the offsets stored in DuckDB',
      );
      await this.dropStaged(failed);
      if (fatal) this.giveUp(fatal);
      // Read again without waiting for a rejoin: with every partition caught up, no batch would
      // come to fail and trigger one, and ingest would sit idle with the failure for ever.
      else setTimeout(() => this.readAgainAfterFailure(), this.failures.backoffMs()).unref();
      return;
    }
    this.failures.succeeded();
  }

  /**
   * After a failed flush, what is staged cannot be written either (it would leave a gap). Drop
   * it and stage nothing until the group is rejoined: kafkajs restarts the consumer when
   * eachBatch keeps failing, and every join reads again from the offsets stored in DuckDB.
   */
  private async dropStaged(failure: Error): Promise<void> {
    this.failure = failure;
    this.generation++;
    await this.serially(async () => {
      const pending = this.staging;
      this.staging = undefined;
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      if (pending) this.connections().release(pending.conn);
      this.nextFresh.clear();
    });
  }

  /**
   * After a failed flush (and its back-off): seek every assigned partition to the offset stored in
   * DuckDB, then stage again. All in the staging queue and seek first: a batch fetched before the
   * seek is stale by then (kafkajs), so nothing past the gap can be staged.
   */
  private readAgainAfterFailure(): void {
    const consumer = this.consumer;
    if (!consumer || this.stopping || this.fatalError) return;
    this.serially(async () => {
      if (!this.failure || this.fatalError) return;
      await this.connections().with((conn) =>
        seekToStoredOffsets(this.kafka, consumer, conn, this.assignment, this.log),
      );
      this.nextFresh.clear();
      this.failure = undefined;
    }).catch((error) => this.log.warn({ err: error }, 'could not seek after a failed write; a rejoin will'));
  }

  private async recordSkippedRecords(
    topic: string,
    partition: number,
    firstOffset: string,
    lastOffset: string,
  ): Promise<void> {
    const route = routeTopic(this.config.topics, topic);
    if (!route) return;
    await this.serially(async () => {
      if (this.stopping || this.resubscribing || this.failure) return null;
      const batch = {
        topic,
        partition,
        messages: [],
        firstOffset: () => firstOffset,
        lastOffset: () => lastOffset,
      };
      return this.stage(route, batch, true);
    });
  }

  /** Runs staging work one at a time, in order. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.stagingQueue.then(work);
    this.stagingQueue = result.catch(() => undefined);
    return result;
  }

  private async rejoined(): Promise<void> {
    if (this.failure && !this.fatalError) {
      // A join reads every partition again from Kafka's committed offsets, which never pass DuckDB's.
      await this.serially(async () => {
        this.nextFresh.clear();
        this.failure = undefined;
      });
    }
    const consumer = this.consumer;
    if (!consumer) return;
    await this.connections().with((conn) =>
      seekToStoredOffsets(this.kafka, consumer, conn, this.assignment, this.log),
    );
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

  /**
   * DuckDB checkpoints automatically at COMMIT only when no other transaction is open, so its
   * write-ahead log (and the table data held in memory until a checkpoint) can grow for a long
   * time (small flushes go through the log). Once the log passes SPEND_INGEST_CHECKPOINT_WAL_BYTES,
   * checkpoint explicitly after a flush.
   */
  private async checkpointIfWalIsLarge(conn: DuckDBConnection): Promise<void> {
    // On the flush's own connection, in the flush chain (no other flush runs), and never through
    // the staging queue: waiting there deadlocked ingest under sustained load (staging waited for
    // a connection held by the flushes queued behind this one; found by tests/load). Run apart
    // from the chain instead, it failed nearly always ("other write transactions active": the
    // next flush) and the WAL grew to 295 MB in 15 minutes.
    if (walBytes(this.db.path) < this.config.ingestCheckpointWalBytes) return;
    try {
      await conn.run('checkpoint');
    } catch (error) {
      // A staging append in the same instant: DuckDB checkpoints later, or the next flush does.
      this.log.warn({ err: error }, 'checkpoint failed');
    }
  }

  private connections(): ConnectionPool {
    if (!this.pool) throw new Error('the ingest service is not started');
    return this.pool;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs work that may wait (for a connection, a flush), heartbeating meanwhile. */
async function keepingAlive<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => heartbeat().catch(() => undefined), WAITING_HEARTBEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

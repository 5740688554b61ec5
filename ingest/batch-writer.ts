/**
 * Writes Kafka batches into DuckDB exactly once, several batches (of any partitions and topics)
 * per DuckDB transaction.
 *
 * `stageBatch` validates a batch's fresh messages (those at or past the offset already stored
 * or staged for the partition) and stages them in a `PendingWrite`: the valid documents' JSON as
 * it arrived in the connection's TEMP table `staged_documents` (temp tables are not logged),
 * retractions and rejections in memory. `flushPending` then writes everything staged in ONE
 * transaction: DuckDB shreds the staged JSON into the document and line tables (one set-based
 * insert each, on DuckDB's own threads), the retractions and rejections are appended, and every
 * included partition's batch record and next offset are stored. Either all of it is committed or
 * none of it is, so a crash at any point re-reads from the stored offsets: nothing lost, nothing
 * counted twice.
 *
 * Why several batches per transaction: a transaction that appends at least a row group's worth
 * of rows (122,880) to a table has them written straight to the database file, while smaller
 * ones go through the write-ahead log and are written again at the next checkpoint.
 */
import { isUtf8 } from 'node:buffer';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { CrashPoint } from '../lib/config.ts';
import { queryRows } from '../lib/db.ts';
import { decodeMessage } from './decode.ts';
import { UNDECODABLE_HEADER } from './kafka/undecodable.ts';
import type { RejectionCode } from './rejections.ts';
import { appendRow, kafkaTimestamp, type Row } from './rows.ts';
import type { MessageMeta, TopicHandler } from './topics/handler.ts';

export type IncomingMessage = {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
};

export type Rejection = {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  code: RejectionCode;
  reason: string;
  bodyId: string | null;
};

export type BatchResult = {
  topic: string;
  partition: number;
  received: number;
  alreadyIngested: number;
  accepted: number;
  retracted: number;
  rejected: number;
  lines: number;
  /** The partition's next offset once this batch is written (null: an empty batch). */
  nextOffset: bigint | null;
  /**
   * The batch starts past the partition's next offset: the records in between were never seen,
   * so nothing was staged (staging it would move the offset past them, and they would then be
   * ignored as redeliveries). The caller seeks back to `nextFresh`.
   */
  gap: boolean;
};

export type FlushHooks = {
  /** Called inside the transaction, before COMMIT, with the rejections (dead-letter topic). */
  beforeCommit?: (rejections: Rejection[]) => Promise<void>;
  /** Test-only crash switch (SPEND_CRASH_AT). */
  crashPoint?: (point: CrashPoint) => void;
};

export type BatchHooks = FlushHooks & {
  /** Keeps the group membership alive during long batches. */
  heartbeat?: () => Promise<void>;
  /** The batch came on this body's own topic (per-body layout): other bodies' documents are refused. */
  topicBody?: string;
};

/** What one flush writes for one partition: one `ingest_batches` row and the new stored offset. */
export type PartitionSpan = {
  topic: string;
  partition: number;
  batchId: bigint;
  /** The first fresh message's offset (null: nothing but skipped records so far). */
  firstOffset: bigint | null;
  lastOffset: bigint;
  messages: number;
  accepted: number;
  rejected: number;
};

export const MAX_RAW_VALUE_CHARS = 64 * 1024;
const HEARTBEAT_EVERY = 2000;

/**
 * Per connection: the valid documents staged for the next flush, as JSON text. Created afresh for
 * every flush and dropped after it: deleting its rows would not give their memory back.
 */
const STAGING_DDL = `create or replace temp table staged_documents (
  topic varchar not null,
  kafka_partition integer not null,
  ingest_batch_id bigint not null,
  kafka_offset bigint not null,
  produced_at timestamp,
  raw varchar not null
)`;

/** Batches staged on one connection, not yet written. Flushed once, then discarded. */
export class PendingWrite {
  readonly spans = new Map<string, PartitionSpan>();
  /** Documents staged in `staged_documents`. */
  documents = 0;
  /** Their JSON's size in UTF-16 code units (about bytes): staging is bounded by it too. */
  stagedChars = 0;
  readonly retractions = new Map<string, Row[]>();
  readonly rejectedRows: Row[] = [];
  readonly rejections: Rejection[] = [];

  private constructor(readonly conn: DuckDBConnection) {}

  /** Starts with an empty staging table (rows left by a failed flush are dropped). */
  static async open(conn: DuckDBConnection): Promise<PendingWrite> {
    await createStagingTable(conn);
    return new PendingWrite(conn);
  }

  get isEmpty(): boolean {
    return this.spans.size === 0;
  }
}

/** (Re)creates the connection's empty `staged_documents` table, which the handlers' inserts read. */
export async function createStagingTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(STAGING_DDL);
}

export async function loadRegisteredBodies(conn: DuckDBConnection): Promise<Set<string>> {
  const rows = await queryRows<{ body_id: string }>(conn, 'select body_id from bodies');
  return new Set(rows.map((r) => r.body_id));
}

/**
 * Validates one Kafka batch and stages its fresh messages in `pending`. `nextFresh` is the
 * partition's next offset already stored in DuckDB or staged (null: none); messages below it
 * are redeliveries and ignored.
 */
export async function stageBatch<Doc extends { lines?: unknown[] }>(
  pending: PendingWrite,
  handler: TopicHandler<Doc>,
  topic: string,
  partition: number,
  messages: IncomingMessage[],
  nextFresh: bigint | null,
  hooks: BatchHooks = {},
  /**
   * The batch's last offset as the broker counts it. It can lie beyond the last message:
   * transaction markers and aborted transactional records take offsets too, and are skipped.
   */
  batchLastOffset?: string,
  /**
   * The first offset the fetch returned, skipped records included (kafkajs `batch.firstOffset()`):
   * the gap check compares it, not the first message's, with `nextFresh`.
   */
  batchFirstOffset?: string | null,
): Promise<BatchResult> {
  const result: BatchResult = {
    topic,
    partition,
    received: messages.length,
    alreadyIngested: 0,
    accepted: 0,
    retracted: 0,
    rejected: 0,
    lines: 0,
    nextOffset: null,
    gap: false,
  };
  const firstOffset =
    batchFirstOffset != null
      ? BigInt(batchFirstOffset)
      : messages.length > 0
        ? BigInt((messages[0] as IncomingMessage).offset)
        : null;
  if (nextFresh !== null && firstOffset !== null && firstOffset > nextFresh) {
    result.gap = true;
    return result;
  }
  const lastMessageOffset =
    messages.length > 0 ? BigInt((messages[messages.length - 1] as IncomingMessage).offset) : -1n;
  const lastOffset =
    batchLastOffset && BigInt(batchLastOffset) > lastMessageOffset
      ? BigInt(batchLastOffset)
      : lastMessageOffset;
  if (lastOffset < 0n) return result;
  if (nextFresh !== null && lastOffset < nextFresh) {
    result.alreadyIngested = messages.length;
    result.nextOffset = nextFresh;
    return result;
  }
  // Messages below nextFresh were ingested or staged before (a redelivery). A batch of nothing
  // but skipped records still moves the stored offset on, past them.
  const firstFresh = messages.findIndex((m) => BigInt(m.offset) >= (nextFresh ?? 0n));
  result.alreadyIngested = firstFresh === -1 ? messages.length : firstFresh;

  const { conn } = pending;
  const key = `${topic}/${partition}`;
  // A batch joins `pending` whole or not at all: it is validated into lists of its own first,
  // because validating can be interrupted (the heartbeat throws once the group rebalances, the
  // crash switch) and the batch is then read again. Left half-staged, its rows would be written
  // as well as its redelivery (counted twice) and its span would store an offset past records
  // never staged (lost after a restart).
  const batchId = pending.spans.get(key)?.batchId ?? (await nextBatchId(conn));
  const bodies = await loadRegisteredBodies(conn);
  const documents: { meta: MessageMeta; text: string }[] = [];
  const retractionRows: Row[] = [];
  const rejectedRows: Row[] = [];
  const rejections: Rejection[] = [];
  let stagedChars = 0;
  for (let i = result.alreadyIngested; i < messages.length; i++) {
    const message = messages[i] as IncomingMessage;
    const text = message.value?.toString('utf8') ?? null;
    const outcome = decodeMessage(
      handler,
      message.key,
      message.value,
      bodies,
      undecodableReason(message),
      hooks.topicBody,
    );
    const meta: MessageMeta = {
      topic,
      partition,
      offset: BigInt(message.offset),
      batchId,
      producedAt: kafkaTimestamp(message.timestamp),
    };
    if (outcome.outcome === 'document') {
      documents.push({ meta, text: text as string });
      stagedChars += (text as string).length;
      result.accepted++;
      result.lines += outcome.doc.lines?.length ?? 0;
    } else if (outcome.outcome === 'retraction') {
      retractionRows.push(handler.retractionRow(outcome.bodyId, outcome.documentId, meta));
      result.retracted++;
    } else {
      const truncated = (text?.length ?? 0) > MAX_RAW_VALUE_CHARS;
      // raw_value holds text; bytes that are not UTF-8 are kept whole too, so a replay sees them as they came.
      const keepWhole = truncated || (message.value !== null && !isUtf8(message.value));
      // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
      rejectedRows.push([
        topic, partition, meta.offset, batchId, message.key?.toString('utf8') ?? null, outcome.bodyId,
        outcome.code, outcome.reason, text?.slice(0, MAX_RAW_VALUE_CHARS) ?? null,
        truncated, meta.producedAt, kafkaTimestamp(String(Date.now())),
        // Kept whole when raw_value cannot hold it: replay needs it, the dead-letter topic may not take it.
        keepWhole ? message.value : null, null, null,
      ]);
      rejections.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        code: outcome.code,
        reason: outcome.reason,
        bodyId: outcome.bodyId,
      });
      result.rejected++;
    }
    if (hooks.heartbeat && i % HEARTBEAT_EVERY === HEARTBEAT_EVERY - 1) await hooks.heartbeat();
  }
  hooks.crashPoint?.('after-validate');

  // Nothing below waits on Kafka: the batch's documents go into the staging table in one go …
  await stageDocuments(conn, documents);
  // … and everything else joins `pending` without an await in between.
  pending.documents += result.accepted;
  pending.stagedChars += stagedChars;
  const retractions = pending.retractions.get(handler.headerTable) ?? [];
  pending.retractions.set(handler.headerTable, retractions);
  // loops, not push(...rows): a batch of many tombstones would pass too many arguments
  for (const row of retractionRows) retractions.push(row);
  for (const row of rejectedRows) pending.rejectedRows.push(row);
  for (const rejection of rejections) pending.rejections.push(rejection);
  let span = pending.spans.get(key);
  if (!span) {
    span = {
      topic,
      partition,
      batchId,
      firstOffset: null,
      lastOffset,
      messages: 0,
      accepted: 0,
      rejected: 0,
    };
    pending.spans.set(key, span);
  }
  span.firstOffset ??= firstFresh === -1 ? null : BigInt((messages[firstFresh] as IncomingMessage).offset);
  span.lastOffset = lastOffset;
  span.messages += messages.length - result.alreadyIngested;
  span.accepted += result.accepted + result.retracted;
  span.rejected += result.rejected;
  result.nextOffset = lastOffset + 1n;
  return result;
}

/**
 * Appends one batch's validated documents to the connection's `staged_documents`. Should an
 * append fail part-way, the rows it did add are deleted again: the batch is staged whole or not at all.
 */
async function stageDocuments(
  conn: DuckDBConnection,
  documents: readonly { meta: MessageMeta; text: string }[],
): Promise<void> {
  const first = documents[0];
  const last = documents[documents.length - 1];
  if (!first || !last) return;
  const staged = await conn.createAppender('staged_documents', 'main', 'temp');
  try {
    for (const { meta, text } of documents) {
      staged.appendVarchar(meta.topic);
      staged.appendInteger(meta.partition);
      staged.appendBigInt(meta.batchId);
      staged.appendBigInt(meta.offset);
      staged.appendTimestamp(meta.producedAt);
      staged.appendVarchar(text);
      staged.endRow();
    }
    staged.closeSync();
  } catch (error) {
    try {
      staged.closeSync();
    } catch {
      // already closed, or nothing more to flush
    }
    // This batch's offsets lie past everything staged before for the partition.
    await conn.run(
      `delete from staged_documents
       where topic = $topic and kafka_partition = $partition and kafka_offset between $first and $last`,
      {
        topic: first.meta.topic,
        partition: first.meta.partition,
        first: first.meta.offset,
        last: last.meta.offset,
      },
    );
    throw error;
  }
}

/**
 * Writes everything staged in `pending` in one transaction and returns what it stored per
 * partition. `handlers` maps every staged topic to its handler.
 */
export async function flushPending(
  pending: PendingWrite,
  handlers: ReadonlyMap<string, TopicHandler<unknown>>,
  hooks: FlushHooks = {},
): Promise<PartitionSpan[]> {
  const spans = [...pending.spans.values()];
  if (spans.length === 0) return [];
  const { conn } = pending;
  const stagedTopics = new Set(spans.filter((s) => s.accepted > 0).map((s) => s.topic));
  await conn.run('begin transaction');
  try {
    for (const topic of stagedTopics) {
      const handler = handlers.get(topic);
      if (!handler) throw new Error(`no handler for topic ${topic}`);
      await conn.run(handler.insertDocumentsSql, { topic });
      await conn.run(handler.insertLinesSql, { topic });
    }
    for (const [table, rows] of pending.retractions) await appendRows(conn, table, rows);
    await appendRows(conn, 'rejected_messages', pending.rejectedRows);
    hooks.crashPoint?.('after-append');

    for (const span of spans) {
      await conn.run(
        `insert into consumer_offsets (topic, kafka_partition, next_offset) values ($topic, $partition, $next)
         on conflict (topic, kafka_partition) do update
           set next_offset = greatest(consumer_offsets.next_offset, excluded.next_offset), updated_at = now()`,
        { topic: span.topic, partition: span.partition, next: span.lastOffset + 1n },
      );
      await conn.run(
        `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
         values ($id, $topic, $partition, $first, $last, $messages, $accepted, $rejected)`,
        {
          id: span.batchId,
          topic: span.topic,
          partition: span.partition,
          first: span.firstOffset ?? span.lastOffset,
          last: span.lastOffset,
          messages: span.messages,
          accepted: span.accepted,
          rejected: span.rejected,
        },
      );
    }
    if (hooks.beforeCommit && pending.rejections.length > 0) await hooks.beforeCommit(pending.rejections);
    hooks.crashPoint?.('before-duckdb-commit');
    await conn.run('commit');
  } catch (error) {
    await conn.run('rollback').catch(() => undefined);
    throw error;
  }
  hooks.crashPoint?.('after-duckdb-commit');
  await conn.run('drop table staged_documents');
  return spans;
}

/**
 * One batch written on its own, in one transaction (tests and small tools; the ingest service
 * stages several batches per flush).
 */
export async function writeBatch<Doc extends { lines?: unknown[] }>(
  conn: DuckDBConnection,
  handler: TopicHandler<Doc>,
  topic: string,
  partition: number,
  messages: IncomingMessage[],
  hooks: BatchHooks = {},
  batchLastOffset?: string,
): Promise<BatchResult> {
  const pending = await PendingWrite.open(conn);
  const stored = await readNextOffset(conn, topic, partition);
  const result = await stageBatch(
    pending,
    handler,
    topic,
    partition,
    messages,
    stored,
    hooks,
    batchLastOffset,
  );
  const handlers = new Map([[topic, handler as TopicHandler<unknown>]]);
  await flushPending(pending, handlers, hooks);
  return result;
}

export async function appendRows(conn: DuckDBConnection, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const appender: DuckDBAppender = await conn.createAppender(table);
  try {
    for (const row of rows) appendRow(appender, row);
  } finally {
    appender.closeSync();
  }
}

export async function readNextOffset(
  conn: DuckDBConnection,
  topic: string,
  partition: number,
): Promise<bigint | null> {
  const rows = await queryRows<{ next_offset: string }>(
    conn,
    'select next_offset from consumer_offsets where topic = $topic and kafka_partition = $partition',
    { topic, partition },
  );
  return rows[0] ? BigInt(rows[0].next_offset) : null;
}

export async function nextBatchId(conn: DuckDBConnection): Promise<bigint> {
  const rows = await queryRows<{ id: string }>(conn, "select nextval('ingest_batch_seq')::varchar as id");
  return BigInt(rows[0]?.id ?? '0');
}

function undecodableReason(message: IncomingMessage): string | undefined {
  const header = message.headers?.[UNDECODABLE_HEADER];
  if (header === undefined) return undefined;
  return (Array.isArray(header) ? header[0] : header)?.toString() ?? 'undecodable record batch';
}

/**
 * Writes one Kafka batch (one topic partition) into DuckDB exactly once.
 *
 * In ONE transaction: read the partition's stored next offset, ignore every message below it
 * (a redelivery), validate the rest and stage the valid documents' JSON as it arrived, let
 * DuckDB shred the staged JSON into the document and line tables (one set-based insert each,
 * on DuckDB's own threads, instead of ~70 appender calls per message in JavaScript), record the
 * batch, and move the stored offset past it. Either all of it is committed or none of it is,
 * so a crash at any point re-reads from the stored offset: nothing lost, nothing counted twice.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { CrashPoint } from '../lib/config.ts';
import { queryRows } from '../lib/db.ts';
import { decodeMessage } from './decode.ts';
import { UNDECODABLE_HEADER } from './kafka/undecodable.ts';
import type { RejectionCode } from './rejections.ts';
import { appendRow, kafkaTimestamp } from './rows.ts';
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
  /** The partition's next offset after this batch, as stored in DuckDB. */
  nextOffset: bigint | null;
};

export type BatchHooks = {
  /** Keeps the group membership alive during long batches. */
  heartbeat?: () => Promise<void>;
  /** Called inside the transaction, before COMMIT, with the batch's rejections (dead-letter topic). */
  beforeCommit?: (rejections: Rejection[]) => Promise<void>;
  /** Test-only crash switch (SPEND_CRASH_AT). */
  crashPoint?: (point: CrashPoint) => void;
};

const MAX_RAW_VALUE_CHARS = 64 * 1024;
const HEARTBEAT_EVERY = 2000;

/** Per connection: the valid documents of the batch in hand, as JSON text, until DuckDB shreds them. */
const STAGING_DDL = `create temp table if not exists staged_documents (
  kafka_offset bigint not null,
  produced_at timestamp,
  raw varchar not null
)`;

export async function loadRegisteredBodies(conn: DuckDBConnection): Promise<Set<string>> {
  const rows = await queryRows<{ body_id: string }>(conn, 'select body_id from bodies');
  return new Set(rows.map((r) => r.body_id));
}

export async function writeBatch<Doc extends { lines?: unknown[] }>(
  conn: DuckDBConnection,
  handler: TopicHandler<Doc>,
  topic: string,
  partition: number,
  messages: IncomingMessage[],
  hooks: BatchHooks = {},
  /**
   * The batch's last offset as the broker counts it. It can lie beyond the last message:
   * transaction markers and aborted transactional records take offsets too, and are skipped.
   */
  batchLastOffset?: string,
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
  };
  const lastMessageOffset =
    messages.length > 0 ? BigInt((messages[messages.length - 1] as IncomingMessage).offset) : -1n;
  const lastOffset =
    batchLastOffset && BigInt(batchLastOffset) > lastMessageOffset
      ? BigInt(batchLastOffset)
      : lastMessageOffset;
  if (lastOffset < 0n) return result;
  const bodies = await loadRegisteredBodies(conn);
  await conn.run(STAGING_DDL);

  await conn.run('begin transaction');
  try {
    const stored = await readNextOffset(conn, topic, partition);
    const firstFresh = messages.findIndex((m) => BigInt(m.offset) >= (stored ?? 0n));
    if (stored !== null && lastOffset < stored) {
      await conn.run('rollback');
      result.alreadyIngested = messages.length;
      result.nextOffset = stored;
      return result;
    }
    // Messages below the stored offset were ingested before (a redelivery). A batch of nothing
    // but skipped records still moves the stored offset on, past them.
    result.alreadyIngested = firstFresh === -1 ? messages.length : firstFresh;
    const batchId = await nextBatchId(conn);
    const staged = await conn.createAppender('staged_documents', 'main', 'temp');
    let headers: DuckDBAppender | undefined;
    let rejectedRows: DuckDBAppender | undefined;
    const rejections: Rejection[] = [];

    for (let i = result.alreadyIngested; i < messages.length; i++) {
      const message = messages[i] as IncomingMessage;
      const text = message.value?.toString('utf8') ?? null;
      const outcome = decodeMessage(handler, message.key, text, bodies, undecodableReason(message));
      const meta: MessageMeta = {
        topic,
        partition,
        offset: BigInt(message.offset),
        batchId,
        producedAt: kafkaTimestamp(message.timestamp),
      };
      if (outcome.outcome === 'document') {
        staged.appendBigInt(meta.offset);
        staged.appendTimestamp(meta.producedAt);
        staged.appendVarchar(text as string);
        staged.endRow();
        result.accepted++;
        result.lines += outcome.doc.lines?.length ?? 0;
      } else if (outcome.outcome === 'retraction') {
        headers ??= await conn.createAppender(handler.headerTable);
        appendRow(headers, handler.retractionRow(outcome.bodyId, outcome.documentId, meta));
        result.retracted++;
      } else {
        rejectedRows ??= await conn.createAppender('rejected_messages');
        // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
        appendRow(rejectedRows, [
          topic, partition, meta.offset, batchId, message.key?.toString('utf8') ?? null, outcome.bodyId,
          outcome.code, outcome.reason, text?.slice(0, MAX_RAW_VALUE_CHARS) ?? null,
          (text?.length ?? 0) > MAX_RAW_VALUE_CHARS, meta.producedAt, kafkaTimestamp(String(Date.now())),
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
    for (const appender of [staged, headers, rejectedRows]) appender?.closeSync();

    if (result.accepted > 0) {
      await conn.run(handler.insertDocumentsSql, { topic, partition, batchId });
      await conn.run(handler.insertLinesSql, { topic, partition });
    }
    await conn.run('delete from staged_documents');
    hooks.crashPoint?.('after-append');

    result.nextOffset = lastOffset + 1n;
    await conn.run(
      `insert into consumer_offsets (topic, kafka_partition, next_offset) values ($topic, $partition, $next)
       on conflict (topic, kafka_partition) do update
         set next_offset = greatest(consumer_offsets.next_offset, excluded.next_offset), updated_at = now()`,
      { topic, partition, next: result.nextOffset },
    );
    await conn.run(
      `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
       values ($id, $topic, $partition, $first, $last, $messages, $accepted, $rejected)`,
      {
        id: batchId,
        topic,
        partition,
        first: firstFresh === -1 ? lastOffset : BigInt((messages[firstFresh] as IncomingMessage).offset),
        last: lastOffset,
        messages: messages.length - result.alreadyIngested,
        accepted: result.accepted + result.retracted,
        rejected: result.rejected,
      },
    );
    if (hooks.beforeCommit && rejections.length > 0) await hooks.beforeCommit(rejections);
    hooks.crashPoint?.('before-duckdb-commit');
    await conn.run('commit');
  } catch (error) {
    await conn.run('rollback').catch(() => undefined);
    throw error;
  }
  hooks.crashPoint?.('after-duckdb-commit');
  return result;
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

async function nextBatchId(conn: DuckDBConnection): Promise<bigint> {
  const rows = await queryRows<{ id: string }>(conn, "select nextval('ingest_batch_seq')::varchar as id");
  return BigInt(rows[0]?.id ?? '0');
}

function undecodableReason(message: IncomingMessage): string | undefined {
  const header = message.headers?.[UNDECODABLE_HEADER];
  if (header === undefined) return undefined;
  return (Array.isArray(header) ? header[0] : header)?.toString() ?? 'undecodable record batch';
}

/**
 * Writes one Kafka batch (one topic partition) into DuckDB exactly once.
 *
 * In ONE transaction: read the partition's stored next offset, ignore every message below it
 * (a redelivery), append the rows of the rest through the appender, record the batch, and
 * move the stored offset past the batch. Either all of it is committed or none of it is, so
 * a crash at any point re-reads from the stored offset and nothing is lost or counted twice.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { CrashPoint } from '../lib/config.ts';
import { queryRows } from '../lib/db.ts';
import { type Decoded, decodeMessage } from './decode.ts';
import { UNDECODABLE_HEADER } from './kafka/undecodable.ts';
import type { RejectionCode } from './rejections.ts';
import { type AppendedTable, appendRow, kafkaTimestamp, type Row } from './rows.ts';
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

export async function loadRegisteredBodies(conn: DuckDBConnection): Promise<Set<string>> {
  const rows = await queryRows<{ body_id: string }>(conn, 'select body_id from bodies');
  return new Set(rows.map((r) => r.body_id));
}

export async function writeBatch<Doc>(
  conn: DuckDBConnection,
  handler: TopicHandler<Doc>,
  topic: string,
  partition: number,
  messages: IncomingMessage[],
  hooks: BatchHooks = {},
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
  if (messages.length === 0) return result;

  const bodies = await loadRegisteredBodies(conn);
  const decoded: Decoded<Doc>[] = [];
  for (const [i, message] of messages.entries()) {
    decoded.push(decodeMessage(handler, message.key, message.value, bodies, undecodableReason(message)));
    if (hooks.heartbeat && i % HEARTBEAT_EVERY === HEARTBEAT_EVERY - 1) await hooks.heartbeat();
  }
  hooks.crashPoint?.('after-validate');

  await conn.run('begin transaction');
  try {
    const stored = await readNextOffset(conn, topic, partition);
    const firstFresh = messages.findIndex((m) => BigInt(m.offset) >= (stored ?? 0n));
    if (firstFresh === -1) {
      await conn.run('rollback');
      result.alreadyIngested = messages.length;
      result.nextOffset = stored;
      return result;
    }
    result.alreadyIngested = firstFresh;

    const batchId = BigInt(
      (await queryRows<{ id: string }>(conn, "select nextval('ingest_batch_seq')::varchar as id"))[0]?.id ??
        '0',
    );
    const appenders = new LazyAppenders(conn);
    const rejections: Rejection[] = [];

    for (let i = firstFresh; i < messages.length; i++) {
      const message = messages[i] as IncomingMessage;
      const outcome = decoded[i] as Decoded<Doc>;
      const meta: MessageMeta = {
        topic,
        partition,
        offset: BigInt(message.offset),
        batchId,
        producedAt: kafkaTimestamp(message.timestamp),
      };
      if (outcome.outcome === 'document') {
        await appenders.append(handler.headerTable, handler.headerRow(outcome.doc, meta));
        for (const row of handler.lineRows(outcome.doc, meta)) {
          await appenders.append(handler.linesTable, row);
          result.lines++;
        }
        result.accepted++;
      } else if (outcome.outcome === 'retraction') {
        await appenders.append(
          handler.headerTable,
          handler.retractionRow(outcome.bodyId, outcome.documentId, meta),
        );
        result.retracted++;
      } else {
        const raw = message.value?.toString('utf8') ?? null;
        // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
        await appenders.append('rejected_messages', [
          topic, partition, meta.offset, batchId, message.key?.toString('utf8') ?? null, outcome.bodyId,
          outcome.code, outcome.reason, raw?.slice(0, MAX_RAW_VALUE_CHARS) ?? null,
          (raw?.length ?? 0) > MAX_RAW_VALUE_CHARS, meta.producedAt, kafkaTimestamp(String(Date.now())),
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
    }
    appenders.closeAll();
    hooks.crashPoint?.('after-append');

    const lastOffset = BigInt((messages[messages.length - 1] as IncomingMessage).offset);
    result.nextOffset = lastOffset + 1n;
    await conn.run(
      `insert into consumer_offsets (topic, kafka_partition, next_offset) values ($topic, $partition, $next)
       on conflict (topic, kafka_partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
      { topic, partition, next: result.nextOffset },
    );
    await conn.run(
      `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
       values ($id, $topic, $partition, $first, $last, $messages, $accepted, $rejected)`,
      {
        id: batchId,
        topic,
        partition,
        first: BigInt((messages[firstFresh] as IncomingMessage).offset),
        last: lastOffset,
        messages: messages.length - firstFresh,
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

function undecodableReason(message: IncomingMessage): string | undefined {
  const header = message.headers?.[UNDECODABLE_HEADER];
  if (header === undefined) return undefined;
  return (Array.isArray(header) ? header[0] : header)?.toString() ?? 'undecodable record batch';
}

/** One appender per table, created on first use, all closed (flushed) before COMMIT. */
class LazyAppenders {
  private readonly open = new Map<AppendedTable, DuckDBAppender>();
  constructor(private readonly conn: DuckDBConnection) {}

  async append(table: AppendedTable, row: Row): Promise<void> {
    let appender = this.open.get(table);
    if (!appender) {
      appender = await this.conn.createAppender(table);
      this.open.set(table, appender);
    }
    appendRow(appender, row);
  }

  closeAll(): void {
    for (const appender of this.open.values()) appender.closeSync();
    this.open.clear();
  }
}

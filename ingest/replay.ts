/**
 * Dead letters, listed and replayed. A message is rejected for a reason that can go away: its
 * body was not registered yet, a mapping was wrong. Once it is fixed, `replayDeadLetters`
 * decodes the outstanding rejected messages again (from rejected_messages, where they are kept
 * exactly: whole when long) and writes those that now pass, in ONE transaction that also marks
 * them replayed. So they go in exactly once, and a second replay finds nothing new to add.
 *
 * A replayed document keeps its original topic, partition and offset: "the highest offset per
 * key is current" still holds, so a correction that arrived after it still wins. Each replay
 * records one ingest_batches row per partition, which incremental transforms pick up like any
 * batch. Messages that still fail stay outstanding, with their reason brought up to date.
 */
import { type DuckDBConnection, DuckDBTimestampValue } from '@duckdb/node-api';
import { z } from 'zod';
import { inTransaction, queryRows } from '../lib/db.ts';
import { op } from '../lib/operation.ts';
import { appendRows, createStagingTable, loadRegisteredBodies, nextBatchId } from './batch-writer.ts';
import { decodeMessage } from './decode.ts';
import { REJECTION_CODES, type RejectionCode } from './rejections.ts';
import { appendRow, type Row } from './rows.ts';
import type { TopicHandler } from './topics/handler.ts';
import { routeTopic } from './topics/routes.ts';

const reasonCode = z.enum(Object.keys(REJECTION_CODES) as [RejectionCode, ...RejectionCode[]]);

export const deadLetterFilter = z.object({
  /** The body a message belongs to: the registered body it names, else the key's body part. */
  bodyId: z.string().min(1).max(63).optional(),
  reasons: z.array(reasonCode).optional(),
});
export type DeadLetterFilter = z.infer<typeof deadLetterFilter>;

/** Which topic carries which contract (the names are configuration: SPEND_TOPIC_*). */
export const topicNames = z.object({ invoices: z.string().min(1), purchaseOrders: z.string().min(1) });
export type TopicNames = z.infer<typeof topicNames>;

export type DeadLetter = {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  bodyId: string | null;
  reasonCode: RejectionCode;
  reason: string;
  valueBytes: number | null;
  rejectedAt: string;
};

export type ReplayResult = {
  /** Outstanding rejected messages the filter selected. */
  considered: number;
  /** Now ingested (documents and retractions). */
  ingested: number;
  /** Still rejected (reason brought up to date). */
  stillRejected: number;
  /** Still rejected, counted by their current reason. */
  byReason: Partial<Record<RejectionCode, number>>;
};

/** Outstanding: rejected and not (yet) ingested by a replay. */
const SELECTED = `replayed_at is null
  and ($body is null or coalesce(body_id, regexp_extract(message_key, '^([a-z0-9][a-z0-9-]*):', 1)) = $body)
  and ($reasons is null or list_contains(string_split($reasons, ','), reason_code))`;

const filterParams = (filter: DeadLetterFilter) => ({
  body: filter.bodyId ?? null,
  reasons: filter.reasons?.length ? filter.reasons.join(',') : null,
});

export async function listDeadLetters(
  conn: DuckDBConnection,
  filter: DeadLetterFilter,
  limit = 1000,
): Promise<{ total: number; deadLetters: DeadLetter[] }> {
  const params = filterParams(filter);
  const [count] = await queryRows<{ n: number }>(
    conn,
    `select count(*)::integer as n from rejected_messages where ${SELECTED}`,
    params,
  );
  const deadLetters = await queryRows<DeadLetter>(
    conn,
    `select topic, kafka_partition as partition, kafka_offset::varchar as "offset", message_key as "key",
            coalesce(body_id, regexp_extract(message_key, '^([a-z0-9][a-z0-9-]*):', 1)) as "bodyId",
            reason_code as "reasonCode", reason,
            coalesce(octet_length(raw_value_whole), strlen(raw_value))::integer as "valueBytes",
            rejected_at::varchar as "rejectedAt"
     from rejected_messages where ${SELECTED}
     order by rejected_at, topic, kafka_partition, kafka_offset limit ${Math.max(1, Math.floor(limit))}`,
    params,
  );
  return { total: count?.n ?? 0, deadLetters };
}

type StoredRejection = {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  wholeBase64: string | null;
  reasonCode: RejectionCode;
  producedAtMicros: string | null;
};

export async function replayDeadLetters(
  conn: DuckDBConnection,
  topics: TopicNames,
  filter: DeadLetterFilter,
): Promise<ReplayResult> {
  // The handler of every topic a replayed row came from (shared or per-body topics).
  const handlers = new Map<string, TopicHandler<{ lines?: unknown[] }>>();
  const result: ReplayResult = { considered: 0, ingested: 0, stillRejected: 0, byReason: {} };
  await createStagingTable(conn);
  await inTransaction(conn, async () => {
    const rows = await queryRows<StoredRejection>(
      conn,
      `select topic, kafka_partition as partition, kafka_offset::varchar as "offset", message_key as "key",
              raw_value as value, to_base64(raw_value_whole) as "wholeBase64", reason_code as "reasonCode",
              epoch_us(produced_at)::varchar as "producedAtMicros"
       from rejected_messages where ${SELECTED}
       order by topic, kafka_partition, kafka_offset`,
      filterParams(filter),
    );
    result.considered = rows.length;
    if (rows.length === 0) return;
    const bodies = await loadRegisteredBodies(conn);
    const staged = await conn.createAppender('staged_documents', 'main', 'temp');
    const retractions = new Map<string, Row[]>();
    const replayed: { topic: string; partition: number; offset: string; batchId: bigint }[] = [];
    const stillRejected: {
      topic: string;
      partition: number;
      offset: string;
      code: string;
      reason: string;
      bodyId: string | null;
    }[] = [];
    const batches = new Map<
      string,
      {
        topic: string;
        partition: number;
        batchId: bigint;
        first: bigint;
        last: bigint;
        messages: number;
        accepted: number;
        rejected: number;
      }
    >();
    try {
      for (const row of rows) {
        const route = routeTopic(topics, row.topic);
        const handler = route?.handler;
        if (handler) handlers.set(row.topic, handler);
        // The whole value as bytes when it was kept (too long for raw_value, or not UTF-8).
        const text = row.wholeBase64 !== null ? Buffer.from(row.wholeBase64, 'base64') : row.value;
        // An undecodable batch left no value to decode; a topic we no longer read has no contract here.
        const outcome =
          !handler || row.reasonCode === 'undecodable-batch'
            ? null
            : decodeMessage(
                handler,
                row.key === null ? null : Buffer.from(row.key, 'utf8'),
                text,
                bodies,
                undefined,
                route.topicBody,
              );
        const key = `${row.topic}/${row.partition}`;
        let batch = batches.get(key);
        if (!batch) {
          batch = {
            topic: row.topic,
            partition: row.partition,
            batchId: await nextBatchId(conn),
            first: BigInt(row.offset),
            last: BigInt(row.offset),
            messages: 0,
            accepted: 0,
            rejected: 0,
          };
          batches.set(key, batch);
        }
        batch.messages++;
        batch.last = BigInt(row.offset);
        const offset = BigInt(row.offset);
        const producedAt = new DuckDBTimestampValue(BigInt(row.producedAtMicros ?? '0'));
        if (outcome?.outcome === 'document' && handler) {
          staged.appendVarchar(row.topic);
          staged.appendInteger(row.partition);
          staged.appendBigInt(batch.batchId);
          staged.appendBigInt(offset);
          staged.appendTimestamp(producedAt);
          // A document passed decoding, so its bytes are UTF-8.
          staged.appendVarchar(typeof text === 'string' ? text : (text as Buffer).toString('utf8'));
          staged.endRow();
        } else if (outcome?.outcome === 'retraction' && handler) {
          const meta = {
            topic: row.topic,
            partition: row.partition,
            offset,
            batchId: batch.batchId,
            producedAt,
          };
          const list = retractions.get(handler.headerTable) ?? [];
          list.push(handler.retractionRow(outcome.bodyId, outcome.documentId, meta));
          retractions.set(handler.headerTable, list);
        } else {
          batch.rejected++;
          const code = outcome?.outcome === 'rejected' ? outcome.code : row.reasonCode;
          result.byReason[code] = (result.byReason[code] ?? 0) + 1;
          if (outcome?.outcome === 'rejected') {
            stillRejected.push({
              ...row,
              code: outcome.code,
              reason: outcome.reason,
              bodyId: outcome.bodyId,
            });
          }
          continue;
        }
        batch.accepted++;
        replayed.push({
          topic: row.topic,
          partition: row.partition,
          offset: row.offset,
          batchId: batch.batchId,
        });
      }
    } finally {
      staged.closeSync();
    }
    result.ingested = replayed.length;
    result.stillRejected = rows.length - replayed.length;

    for (const [topic, handler] of handlers) {
      await conn.run(handler.insertDocumentsSql, { topic });
      await conn.run(handler.insertLinesSql, { topic });
    }
    for (const [table, list] of retractions) await appendRows(conn, table, list);
    // A partition of which nothing went in wrote nothing: no batch to record.
    for (const b of [...batches.values()].filter((batch) => batch.accepted > 0)) {
      await conn.run(
        `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
         values ($id, $topic, $partition, $first, $last, $messages, $accepted, $rejected)`,
        {
          id: b.batchId,
          topic: b.topic,
          partition: b.partition,
          first: b.first,
          last: b.last,
          messages: b.messages,
          accepted: b.accepted,
          rejected: b.rejected,
        },
      );
    }
    await conn.run(
      'create or replace temp table replayed_keys (topic varchar, kafka_partition integer, kafka_offset bigint, batch_id bigint)',
    );
    const keys = await conn.createAppender('replayed_keys', 'main', 'temp');
    try {
      for (const r of replayed) appendRow(keys, [r.topic, r.partition, BigInt(r.offset), r.batchId]);
    } finally {
      keys.closeSync();
    }
    await conn.run(
      `update rejected_messages as m set replayed_at = now(), replay_batch_id = k.batch_id
       from replayed_keys as k
       where m.topic = k.topic and m.kafka_partition = k.kafka_partition and m.kafka_offset = k.kafka_offset
         and m.replayed_at is null`,
    );
    for (const r of stillRejected) {
      await conn.run(
        `update rejected_messages set reason_code = $code, reason = $reason, body_id = $body
         where topic = $topic and kafka_partition = $partition and kafka_offset = $offset and replayed_at is null`,
        {
          code: r.code,
          reason: r.reason,
          body: r.bodyId,
          topic: r.topic,
          partition: r.partition,
          offset: BigInt(r.offset),
        },
      );
    }
  });
  await conn.run('drop table if exists staged_documents');
  await conn.run('drop table if exists replayed_keys');
  return result;
}

/** Served by the owning process like every other operation; the HTTP API can call the same. */
export const DEAD_LETTER_OPERATIONS = {
  'deadLetters.list': op({
    params: deadLetterFilter.extend({ limit: z.number().int().positive().max(100_000).default(1000) }),
    run: (db, p) => db.withConnection((c) => listDeadLetters(c, p, p.limit)),
  }),
  'deadLetters.replay': op({
    params: deadLetterFilter.extend({ topics: topicNames }),
    run: (db, p) => db.withConnection((c) => replayDeadLetters(c, p.topics, p)),
  }),
};

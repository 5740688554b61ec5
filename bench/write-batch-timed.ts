/**
 * A COPY of writeBatch (ingest/batch-writer.ts) with a stopwatch around each stage, for
 * bench/stages.ts only. Same statements in the same order; the timers are the only difference,
 * so keep it in step with the original when that changes. Never used by the pipeline.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { type IncomingMessage, loadRegisteredBodies, readNextOffset } from '../ingest/batch-writer.ts';
import { type Decoded, decodeMessage } from '../ingest/decode.ts';
import { type AppendedTable, appendRow, kafkaTimestamp, type Row } from '../ingest/rows.ts';
import type { MessageMeta, TopicHandler } from '../ingest/topics/handler.ts';

export const STAGES = [
  'load registered bodies',
  'decodeMessage (JSON.parse + zod + key checks)',
  'begin + read stored offset + nextval',
  'build rows (headerRow/lineRows, meta, BigInt offset, timestamp)',
  'createAppender',
  'appendRow (header + lines)',
  'appender closeSync (flush)',
  'upsert consumer_offsets + insert ingest_batches',
  'commit',
] as const;
export type Stage = (typeof STAGES)[number];
export type StageTimes = Record<Stage, number>;

export function emptyTimes(): StageTimes {
  return Object.fromEntries(STAGES.map((s) => [s, 0])) as StageTimes;
}

/** writeBatch, timed: adds the milliseconds of each stage to `times`. Handles documents only. */
export async function writeBatchTimed<Doc>(
  conn: DuckDBConnection,
  handler: TopicHandler<Doc>,
  topic: string,
  partition: number,
  messages: IncomingMessage[],
  times: StageTimes,
): Promise<{ accepted: number; lines: number }> {
  let t = performance.now();
  const lap = (stage: Stage) => {
    const now = performance.now();
    times[stage] += now - t;
    t = now;
  };

  const bodies = await loadRegisteredBodies(conn);
  lap('load registered bodies');
  const decoded: Decoded<Doc>[] = messages.map((m) =>
    decodeMessage(handler, m.key, m.value, bodies, undefined),
  );
  lap('decodeMessage (JSON.parse + zod + key checks)');

  await conn.run('begin transaction');
  const stored = await readNextOffset(conn, topic, partition);
  const firstFresh = messages.findIndex((m) => BigInt(m.offset) >= (stored ?? 0n));
  const batchId = BigInt(
    (await conn.runAndReadAll("select nextval('ingest_batch_seq')::varchar as id")).getRowObjectsJson()[0]
      ?.id as string,
  );
  lap('begin + read stored offset + nextval');

  const open = new Map<AppendedTable, DuckDBAppender>();
  const appenderFor = async (table: AppendedTable): Promise<DuckDBAppender> => {
    let appender = open.get(table);
    if (!appender) {
      lap('build rows (headerRow/lineRows, meta, BigInt offset, timestamp)');
      appender = await conn.createAppender(table);
      open.set(table, appender);
      lap('createAppender');
    }
    return appender;
  };

  let accepted = 0;
  let lines = 0;
  for (let i = firstFresh; i < messages.length; i++) {
    const message = messages[i] as IncomingMessage;
    const outcome = decoded[i] as Decoded<Doc>;
    if (outcome.outcome !== 'document')
      throw new Error(`bench data must be valid: ${JSON.stringify(outcome)}`);
    const meta: MessageMeta = {
      topic,
      partition,
      offset: BigInt(message.offset),
      batchId,
      producedAt: kafkaTimestamp(message.timestamp),
    };
    const header: Row = handler.headerRow(outcome.doc, meta);
    const lineRows = handler.lineRows(outcome.doc, meta);
    lap('build rows (headerRow/lineRows, meta, BigInt offset, timestamp)');
    appendRow(await appenderFor(handler.headerTable), header);
    for (const row of lineRows) {
      appendRow(await appenderFor(handler.linesTable), row);
      lines++;
    }
    accepted++;
    lap('appendRow (header + lines)');
  }
  for (const appender of open.values()) appender.closeSync();
  lap('appender closeSync (flush)');

  const lastOffset = BigInt((messages[messages.length - 1] as IncomingMessage).offset);
  await conn.run(
    `insert into consumer_offsets (topic, kafka_partition, next_offset) values ($topic, $partition, $next)
     on conflict (topic, kafka_partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
    { topic, partition, next: lastOffset + 1n },
  );
  await conn.run(
    `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
     values ($id, $topic, $partition, $first, $last, $messages, $accepted, 0)`,
    {
      id: batchId,
      topic,
      partition,
      first: BigInt((messages[firstFresh] as IncomingMessage).offset),
      last: lastOffset,
      messages: messages.length - firstFresh,
      accepted,
    },
  );
  lap('upsert consumer_offsets + insert ingest_batches');
  await conn.run('commit');
  lap('commit');
  return { accepted, lines };
}

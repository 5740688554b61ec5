/**
 * Rows for the DuckDB appender (retractions and rejected messages; documents are staged as JSON
 * and shredded by SQL). Rows are plain arrays of cells in table order: a topic's tables are
 * declared by its shape (ingest/topics/<topic>/shape.ts), the others here; tests check both
 * against the migrations.
 */
import { type DuckDBAppender, DuckDBTimestampValue } from '@duckdb/node-api';

/** string → VARCHAR (DuckDB casts decimal and date strings exactly), number → INTEGER, bigint → BIGINT. */
export type Cell = string | number | bigint | boolean | DuckDBTimestampValue | null | undefined;
export type Row = Cell[];

export function appendRow(appender: DuckDBAppender, row: Row): void {
  for (const cell of row) {
    if (cell === null || cell === undefined) appender.appendNull();
    else if (typeof cell === 'string') appender.appendVarchar(cell);
    else if (typeof cell === 'number') appender.appendInteger(cell);
    else if (typeof cell === 'bigint') appender.appendBigInt(cell);
    else if (typeof cell === 'boolean') appender.appendBoolean(cell);
    else appender.appendTimestamp(cell);
  }
  appender.endRow();
}

/** A Kafka message timestamp (epoch milliseconds as a string) as a DuckDB TIMESTAMP. */
export function kafkaTimestamp(epochMillis: string): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(epochMillis) * 1000n);
}

// biome-ignore format: column lists read best as paragraphs
export const TABLE_COLUMNS = {
  rejected_messages: [
    'topic', 'kafka_partition', 'kafka_offset', 'ingest_batch_id', 'message_key', 'body_id', 'reason_code',
    'reason', 'raw_value', 'raw_truncated', 'produced_at', 'rejected_at',
  ],
} as const;

export type AppendedTable = keyof typeof TABLE_COLUMNS;

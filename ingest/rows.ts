/**
 * Rows for the DuckDB appender (retractions and rejected messages; documents are staged as JSON
 * and shredded by SQL). Each appended table's column list is declared once here, in table order
 * (a test checks it against the migrations), and rows are plain arrays of cells.
 */
import { type DuckDBAppender, DuckDBTimestampValue } from '@duckdb/node-api';

/**
 * string → VARCHAR (DuckDB casts decimal and date strings exactly), number → INTEGER, bigint → BIGINT,
 * bytes → BLOB.
 */
export type Cell = string | number | bigint | boolean | Uint8Array | DuckDBTimestampValue | null | undefined;
export type Row = Cell[];

export function appendRow(appender: DuckDBAppender, row: Row): void {
  for (const cell of row) {
    if (cell === null || cell === undefined) appender.appendNull();
    else if (typeof cell === 'string') appender.appendVarchar(cell);
    else if (typeof cell === 'number') appender.appendInteger(cell);
    else if (typeof cell === 'bigint') appender.appendBigInt(cell);
    else if (typeof cell === 'boolean') appender.appendBoolean(cell);
    else if (cell instanceof Uint8Array) appender.appendBlob(cell);
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
  invoices: [
    'topic', 'kafka_partition', 'kafka_offset', 'ingest_batch_id', 'body_id', 'invoice_id', 'retracted',
    'document_type', 'supplier_name', 'supplier_ref', 'supplier_vat_number', 'supplier_company_number',
    'supplier_charity_number', 'supplier_redacted', 'invoice_date', 'payment_date', 'currency', 'net_amount',
    'vat_amount', 'po_number', 'contract_ref', 'description', 'expense_type', 'service_area', 'cost_centre',
    'category_scheme', 'category_code', 'category_label', 'upload_id', 'source_file', 'source_row', 'produced_at',
  ],
  purchase_orders: [
    'topic', 'kafka_partition', 'kafka_offset', 'ingest_batch_id', 'body_id', 'po_number', 'retracted',
    'supplier_name', 'supplier_ref', 'supplier_vat_number', 'supplier_company_number', 'supplier_charity_number',
    'supplier_redacted', 'order_date', 'currency', 'status', 'contract_ref', 'description', 'total_net',
    'upload_id', 'source_file', 'source_row', 'produced_at',
  ],
  rejected_messages: [
    'topic', 'kafka_partition', 'kafka_offset', 'ingest_batch_id', 'message_key', 'body_id', 'reason_code',
    'reason', 'raw_value', 'raw_truncated', 'produced_at', 'rejected_at', 'raw_value_whole', 'replayed_at',
    'replay_batch_id',
  ],
} as const;

export type AppendedTable = keyof typeof TABLE_COLUMNS;

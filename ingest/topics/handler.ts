/**
 * What the consumer needs to know about a topic: its contract, the document's identity, and
 * the SQL that shreds a batch's staged JSON documents into the document and line tables.
 * One implementation per topic folder.
 */
import type { DuckDBTimestampValue } from '@duckdb/node-api';
import type { z } from 'zod';
import type { Row } from '../rows.ts';

/** Where a message came from, carried onto every row it produces. */
export type MessageMeta = {
  topic: string;
  partition: number;
  offset: bigint;
  batchId: bigint;
  producedAt: DuckDBTimestampValue;
};

export interface TopicHandler<Doc> {
  /** The `schema` field every value carries, e.g. "invoice.v1". */
  readonly schemaName: string;
  readonly schema: z.ZodType<Doc>;
  readonly headerTable: 'invoices' | 'purchase_orders';
  /** True only when the value is surely a valid document (the fast path; see quick-check.ts). */
  quickCheck(value: unknown): value is Doc;
  bodyIdOf(doc: Doc): string;
  documentIdOf(doc: Doc): string;
  /**
   * Inserts the documents of topic $topic staged in temp table `staged_documents` (see
   * ingest/batch-writer.ts: partition, batch id, offset, produced_at, raw JSON, all validated)
   * into the header table.
   */
  readonly insertDocumentsSql: string;
  /** The same for their lines; bound: $topic. */
  readonly insertLinesSql: string;
  /** The row recording that a tombstone retracted the document (appended to headerTable). */
  retractionRow(bodyId: string, documentId: string, meta: MessageMeta): Row;
}

/** `from_json(raw, …)` over the staged documents: the value parsed into typed DuckDB columns. */
export function shredded(structure: string): string {
  return `(select kafka_partition, ingest_batch_id, kafka_offset, produced_at, from_json(raw, '${structure}') as d
    from staged_documents where topic = $topic)`;
}

export const SUPPLIER_STRUCTURE =
  '"supplier":{"name":"VARCHAR","ref":"VARCHAR","vatNumber":"VARCHAR","companyNumber":"VARCHAR","charityNumber":"VARCHAR","redacted":"BOOLEAN"}';
export const CATEGORY_STRUCTURE = '"category":{"scheme":"VARCHAR","code":"VARCHAR","label":"VARCHAR"}';
export const SOURCE_STRUCTURE = '"source":{"uploadId":"VARCHAR","file":"VARCHAR","row":"INTEGER"}';
export const LINE_STRUCTURE = `{"lineNo":"INTEGER","description":"VARCHAR","itemCode":"VARCHAR","quantity":"DECIMAL(18,4)","unit":"VARCHAR","unitPrice":"DECIMAL(18,4)","netAmount":"DECIMAL(18,2)",${CATEGORY_STRUCTURE}}`;

/** Inserts the staged documents' lines into `table`, keyed by the document id column. */
export function insertLinesSql(table: string, idColumn: string, idField: string): string {
  return `
    insert into ${table} (
      topic, kafka_partition, kafka_offset, body_id, ${idColumn}, line_no, description, item_code, quantity,
      unit, unit_price, net_amount, category_scheme, category_code, category_label)
    select $topic, kafka_partition, kafka_offset, body_id, document_id, l.lineNo, l.description, l.itemCode,
      l.quantity, l.unit, l.unitPrice, l.netAmount, l.category.scheme, l.category.code, l.category.label
    from (
      select kafka_partition, kafka_offset, d.bodyId as body_id, d.${idField} as document_id, unnest(d.lines) as l
      from ${shredded(`{"bodyId":"VARCHAR","${idField}":"VARCHAR","lines":[${LINE_STRUCTURE}]}`)}
    )`;
}

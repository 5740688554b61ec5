/**
 * What the consumer needs to know about a topic: its contract, how to find the document's
 * identity, and how to turn a valid document into rows. One implementation per topic folder.
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
  readonly linesTable: 'invoice_lines' | 'purchase_order_lines';
  bodyIdOf(doc: Doc): string;
  documentIdOf(doc: Doc): string;
  headerRow(doc: Doc, meta: MessageMeta): Row;
  lineRows(doc: Doc, meta: MessageMeta): Row[];
  /** The row recording that a tombstone retracted the document. */
  retractionRow(bodyId: string, documentId: string, meta: MessageMeta): Row;
}

/**
 * What the consumer needs to know about a topic: its contract, the document's identity, and
 * what it writes (the SQL that shreds a batch's staged JSON documents into the document and line
 * tables, derived from the topic's shape). One implementation per topic folder.
 */
import type { DuckDBTimestampValue } from '@duckdb/node-api';
import type { z } from 'zod';
import type { TopicWrites } from './shape.ts';

/** Where a message came from, carried onto every row it produces. */
export type MessageMeta = {
  topic: string;
  partition: number;
  offset: bigint;
  batchId: bigint;
  producedAt: DuckDBTimestampValue;
};

/**
 * A topic's contract and identity, plus what it writes: `headerTable`, the insert SQL and the
 * retraction row, all derived from the topic's shape (ingest/topics/<topic>/shape.ts).
 */
export interface TopicHandler<Doc> extends TopicWrites {
  /** The `schema` field every value carries, e.g. "invoice.v1". */
  readonly schemaName: string;
  readonly schema: z.ZodType<Doc>;
  /** True only when the value is surely a valid document (the fast path; see quick-check.ts). */
  quickCheck(value: unknown): value is Doc;
  bodyIdOf(doc: Doc): string;
  documentIdOf(doc: Doc): string;
}

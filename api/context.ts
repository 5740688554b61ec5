/** What every route file is given: the database, settings and the pieces the owner provides. */

import type { Database } from '../lib/db.ts';
import type { Logger } from '../lib/log.ts';
import type { AccessControl } from './auth.ts';

export type ApiSettings = {
  /** Every query is interrupted in DuckDB after this long. */
  queryTimeoutMs: number;
  /** Largest upload accepted, bytes. */
  maxUploadBytes: number;
  /** DuckDB queries (connections) the API uses at once; more requests wait (api/query-gate.ts). */
  maxConcurrentQueries: number;
  /** Requests per minute per key (per address without one). */
  rateLimitPerMinute: number;
  /** Where transform runs read the code lists from. */
  codelistsDir: string | null;
};

/** What the API reads of an upload's report (the whole report is answered as stored). */
export type UploadReport = {
  uploadId: string;
  bodyId: string;
  status: string;
  rejected: number;
  duplicateOf?: string;
  messages: { invoices: number; purchaseOrders: number };
};
export type IngestedTotals = { invoices: number; purchaseOrders: number; deadLettered: number };

/**
 * Sends one file through the upload path the CLI uses (read, map, reconcile, publish to Kafka,
 * record the report). The owning process provides it, holding the Kafka producer.
 */
export type Uploader = (file: {
  bodyId: string;
  name: string;
  path: string;
  publishingThreshold?: number;
}) => Promise<UploadReport>;

export type ApiContext = {
  db: Database;
  log: Logger;
  settings: ApiSettings;
  access: AccessControl;
  uploader: Uploader | undefined;
  /** True when the Kafka broker answers (for /readyz). */
  brokerReachable: () => Promise<boolean>;
  /** What the ingest service reports about itself (consumer lag, dead letters) when it can. */
  ingestStatus: () => Promise<Record<string, unknown>>;
  /** Consumer lag per partition (ingest/lag.ts, given by `spend serve`, which holds the Kafka settings). */
  consumerLag: (() => Promise<PartitionLagRow[]>) | undefined;
  /** The topics dead letters are replayed from (configuration), when known. */
  topics: { invoices: string; purchaseOrders: string } | undefined;
};

/** One partition's lag, offsets as decimal strings. */
export type PartitionLagRow = {
  topic: string;
  partition: number;
  stored: string;
  high: string;
  behind: string;
};

export const DEFAULT_SETTINGS: ApiSettings = {
  queryTimeoutMs: 30_000,
  maxUploadBytes: 512 * 1024 * 1024,
  maxConcurrentQueries: 4,
  rateLimitPerMinute: 600,
  codelistsDir: null,
};

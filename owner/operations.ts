/**
 * The operations other commands can ask of the database, by name. The process that owns the
 * database file runs them for clients over the control socket (owner/control.ts); when no owner
 * is running, the CLI opens the file itself and runs the very same function.
 */
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { DEAD_LETTER_OPERATIONS } from '../ingest/replay.ts';
import { UPLOAD_OPERATIONS } from '../ingest/uploads/operations.ts';

/** The columns of the `uploads.rejections` answer, for every output format (lib/output.ts). */
export { REJECTION_COLUMNS } from '../ingest/uploads/records.ts';
export type { Pack } from '../transforms/membership/packs.ts';
/** The membership packs as CSV files and a printable page, for the API. */
export { packCsvFiles, packHtml } from '../transforms/membership/packs-output.ts';
/** The partnership report's page and measure names, for the API. */
export { renderPartnershipReport } from '../transforms/partnership/report-page.ts';
export { MEASURE_NAMES } from '../transforms/partnership/terms.ts';
/** The savings register kinds and the statement's CSV, for the API (which imports no transforms). */
export { statementCsv } from '../transforms/savings/ledger.ts';
export { CSV_LOADS } from '../transforms/savings/operations.ts';

import { backupDatabase } from '../lib/backup.ts';
import { addBody, listBodies, newBody } from '../lib/bodies.ts';
import { type Database, queryRows } from '../lib/db.ts';
import { createKey, listKeys, newKeyParams, revokeKey } from '../lib/keys.ts';
import { MEMBERSHIP_OPERATIONS } from '../lib/membership.ts';
import { readMemory } from '../lib/memory.ts';
import { type Operation, op } from '../lib/operation.ts';
import { readStats } from '../lib/stats.ts';
import { ITEM_OPERATIONS } from '../transforms/items/operations.ts';
import { PACK_OPERATIONS } from '../transforms/membership/operations.ts';
import { TRANSFORM_OPERATIONS } from '../transforms/operations.ts';
import { PARTNERSHIP_OPERATIONS } from '../transforms/partnership/operations.ts';
import { SAVINGS_OPERATIONS } from '../transforms/savings/operations.ts';

/**
 * Tells the process that ran `bodies.add` (the owner, over the socket or the API) that a body was
 * registered: with per-body topics, its ingest consumer then reads the new body's topics at once.
 */
export const bodyRegistrations = new EventEmitter<{ added: [bodyId: string] }>();

export const OPERATIONS = {
  ping: op({ params: z.object({}), run: async () => ({ pong: true, pid: process.pid }) }),
  stats: op({ params: z.object({}), run: (db) => db.withConnection(readStats) }),
  // the owner's memory: resident, V8 and DuckDB's own accounting (bench:ingest polls it)
  memory: op({ params: z.object({}), run: (db) => db.withConnection(readMemory) }),
  offsets: op({
    params: z.object({}),
    run: (db) =>
      db.withConnection((conn) =>
        queryRows<{ topic: string; partition: number; nextOffset: string }>(
          conn,
          'select topic, kafka_partition as partition, next_offset::varchar as "nextOffset" from consumer_offsets order by all',
        ),
      ),
  }),
  'bodies.list': op({ params: z.object({}), run: (db) => db.withConnection(listBodies) }),
  'bodies.add': op({
    params: newBody,
    run: async (db, body) => {
      const result = await db.withConnection((conn) => addBody(conn, body));
      if (result.created) bodyRegistrations.emit('added', result.body.bodyId);
      return result;
    },
  }),
  'keys.create': op({ params: newKeyParams, run: (db, p) => db.withConnection((c) => createKey(c, p)) }),
  'keys.list': op({
    params: z.strictObject({ keyId: z.string().optional() }),
    run: (db, p) => db.withConnection((c) => listKeys(c, p.keyId)),
  }),
  'keys.revoke': op({
    params: z.strictObject({ keyId: z.string().min(1) }),
    run: (db, p) => db.withConnection((c) => revokeKey(c, p.keyId)),
  }),
  // the caller's SPEND_BACKUP_DIR: DuckDB writes only where the owner's configuration allows
  'database.backup': op({
    params: z.object({ dir: z.string().min(1) }),
    run: (db, { dir }) => backupDatabase(db, dir),
  }),
  ...TRANSFORM_OPERATIONS,
  ...UPLOAD_OPERATIONS,
  ...DEAD_LETTER_OPERATIONS,
  ...SAVINGS_OPERATIONS,
  ...PARTNERSHIP_OPERATIONS,
  ...ITEM_OPERATIONS,
  ...MEMBERSHIP_OPERATIONS,
  ...PACK_OPERATIONS,
};

export type OperationName = keyof typeof OPERATIONS;
export type OperationParams<N extends OperationName> = z.input<(typeof OPERATIONS)[N]['params']>;

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(OPERATIONS, name);
}

/** Validates the parameters (zod at the boundary) and runs the operation. */
export async function runOperation(db: Database, name: OperationName, params: unknown): Promise<unknown> {
  const operation = OPERATIONS[name] as Operation<z.ZodType>;
  return operation.run(db, operation.params.parse(params));
}

/**
 * The operations other commands can ask of the database, by name. The process that owns the
 * database file runs them for clients over the control socket (owner/control.ts); when no owner
 * is running, the CLI opens the file itself and runs the very same function.
 */
import { z } from 'zod';
import { UPLOAD_OPERATIONS } from '../ingest/uploads/operations.ts';
import { addBody, listBodies, newBody } from '../lib/bodies.ts';
import { type Database, queryRows } from '../lib/db.ts';
import { readStats } from '../lib/stats.ts';
import { TRANSFORM_OPERATIONS } from '../transforms/operations.ts';

type Operation<P extends z.ZodType> = {
  params: P;
  run(db: Database, params: z.output<P>): Promise<unknown>;
};

const op = <P extends z.ZodType>(definition: Operation<P>) => definition;

export const OPERATIONS = {
  ping: op({ params: z.object({}), run: async () => ({ pong: true, pid: process.pid }) }),
  stats: op({ params: z.object({}), run: (db) => db.withConnection(readStats) }),
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
  'bodies.add': op({ params: newBody, run: (db, body) => db.withConnection((conn) => addBody(conn, body)) }),
  ...TRANSFORM_OPERATIONS,
  ...UPLOAD_OPERATIONS,
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

/**
 * What an operation is: zod parameters and a function of the database. Every part that offers
 * operations to the owning process (owner/operations.ts gathers them) declares them with `op`,
 * and the HTTP API calls the same ones.
 */
import type { z } from 'zod';
import type { Database } from './db.ts';

export type Operation<P extends z.ZodType = z.ZodType> = {
  params: P;
  run(db: Database, params: z.output<P>): Promise<unknown>;
};

/** Declares an operation, keeping its parameter type for callers. */
export const op = <P extends z.ZodType>(definition: Operation<P>): Operation<P> => definition;

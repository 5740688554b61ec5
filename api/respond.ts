/**
 * Answers with a table in the format the client asked for (`?format=` or the Accept header):
 * JSON (default), CSV or Arrow IPC, streamed chunk by chunk from DuckDB through lib/output.ts,
 * under a query timeout enforced with DuckDB's own interrupt.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { type Database, interrupter } from '../lib/db.ts';
import {
  type Column,
  MEDIA_TYPES,
  type OutputFormat,
  type Row,
  streamQuery,
  writeResult,
} from '../lib/output.ts';
import { ClientGoneError, HttpError } from './problem.ts';

export const formatQuery = z.enum(['json', 'csv', 'arrow']).optional();

export function negotiate(req: Request, asked: OutputFormat | undefined): OutputFormat {
  if (asked) return asked;
  const accepted = req.accepts([MEDIA_TYPES.json, 'text/csv', MEDIA_TYPES.arrow]);
  if (accepted === 'text/csv') return 'csv';
  if (accepted === MEDIA_TYPES.arrow) return 'arrow';
  if (accepted === false)
    throw new HttpError(
      406,
      'Answers come as application/json, text/csv or application/vnd.apache.arrow.stream.',
    );
  return 'json';
}

/**
 * Runs work on a connection of its own, interrupting DuckDB when it outlasts the timeout, or when
 * the client of `res` goes away before its answer is written: nobody would read it, and a burst
 * of abandoned queries would otherwise hold DuckDB's threads and delay every later request
 * (bench:api saw it).
 */
export async function withQueryTimeout<T>(
  db: Database,
  timeoutMs: number,
  work: (conn: DuckDBConnection) => Promise<T>,
  res?: Response,
): Promise<T> {
  const conn = await db.connect();
  let timedOut = false;
  let clientGone = false;
  const stopper = interrupter(conn);
  const timer = setTimeout(() => {
    timedOut = true;
    stopper.interrupt();
  }, timeoutMs);
  const abandoned = () => {
    if (res?.writableFinished) return;
    clientGone = true;
    stopper.interrupt();
  };
  res?.once('close', abandoned);
  try {
    return await work(conn);
  } catch (error) {
    if (timedOut)
      throw new HttpError(
        503,
        `The query took longer than ${timeoutMs / 1000} s and was stopped; narrow the filters.`,
      );
    if (clientGone)
      throw new ClientGoneError('The client went away; its query was stopped.', { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    stopper.done();
    res?.off('close', abandoned);
    conn.closeSync();
  }
}

/**
 * Where a streamed answer is written. A write the socket cannot take at once waits for 'drain',
 * or fails on 'close': a client that hangs up mid-answer never drains, and without the second
 * the query's work would wait forever, its interrupts repeating, and the server could not close
 * (a `spend serve` stopped with SIGTERM hung so, in bench:api's smoke run).
 */
export const responseSink = (res: Response) => ({
  write: (chunk: string | Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      const gone = () => new ClientGoneError('The client went away while its answer was written.');
      if (res.destroyed) {
        reject(gone());
        return;
      }
      if (res.write(chunk)) {
        resolve();
        return;
      }
      const onDrain = () => {
        res.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        res.off('drain', onDrain);
        reject(gone());
      };
      res.once('drain', onDrain);
      res.once('close', onClose);
    }),
});

/** Holds back the row after `limit` so the JSON answer can say whether another page exists. */
async function* upTo(
  chunks: AsyncIterable<Row[]>,
  limit: number,
  more: { value: boolean },
): AsyncGenerator<Row[]> {
  let left = limit;
  for await (const rows of chunks) {
    if (rows.length > left) {
      more.value = true;
      if (left > 0) yield rows.slice(0, left);
      return;
    }
    left -= rows.length;
    yield rows;
  }
}

export type Page = { limit: number; offset: number };

export const encodeCursor = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url');

export const cursorQuery = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    try {
      const value = z
        .object({ offset: z.number().int().min(0) })
        .parse(JSON.parse(Buffer.from(text, 'base64url').toString()));
      return value.offset;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a cursor from a previous page' });
      return z.NEVER;
    }
  });

/**
 * Streams `select …` (an allow-listed statement with bound values) as a page: `limit` rows
 * from `offset`, the statement's order being total. JSON carries `nextCursor`.
 */
export async function sendQuery(
  _req: Request,
  res: Response,
  db: Database,
  options: {
    sql: string;
    params: Record<string, DuckDBValue>;
    format: OutputFormat;
    page: Page;
    timeoutMs: number;
    filename: string;
    columns?: (columns: Column[]) => Column[];
  },
): Promise<void> {
  await withQueryTimeout(
    db,
    options.timeoutMs,
    async (conn) => {
      const { sql, page } = options;
      const result = await streamQuery(
        conn,
        `${sql} limit ${page.limit + 1} offset ${page.offset}`,
        options.params,
      );
      const more = { value: false };
      res.status(200).type(MEDIA_TYPES[options.format]);
      if (options.format === 'csv') res.attachment(`${options.filename}.csv`);
      const extra: Record<string, string | null> = {};
      const chunks = upTo(result.chunks, page.limit, more);
      // The cursor is known only after the rows: a trailing member of the JSON object.
      const withCursor = async function* () {
        yield* chunks;
        extra.nextCursor = more.value ? encodeCursor(page.offset + page.limit) : null;
      };
      await writeResult(options.format, result.columns, withCursor(), responseSink(res), extra);
      res.end();
    },
    res,
  );
}

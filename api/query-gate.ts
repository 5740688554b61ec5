/**
 * Bounds how many DuckDB connections the API uses at once. DuckDB runs a query on all its threads;
 * fifty requests each opening a connection only make every one of them slow (bench:api saw the
 * server wedge that way). A request past the bound waits its turn, first come first served; if
 * its client goes away while it waits it is dropped without touching DuckDB, and one that waits
 * longer than the query timeout is answered 503.
 *
 * The gate wraps the Database the routes are given (`gatedDatabase`): every `withConnection` and
 * `connect` takes a permit, given back when the work ends or the connection is closed. Which
 * request is waiting comes from AsyncLocalStorage (`requestScope`, mounted just before the
 * routes), so route code needs no change.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { NextFunction, Request, Response } from 'express';
import type { Database } from '../lib/db.ts';
import { ClientGoneError, HttpError } from './problem.ts';

/** A counting semaphore whose waiters can give up (an AbortSignal) or time out. */
export class QueryGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly limit: number,
    private readonly waitTimeoutMs: number,
  ) {}

  /** How many hold a permit, and how many wait for one. */
  stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Resolves with a release function once a permit is free. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(gone());
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.waiting.indexOf(grant);
        if (at >= 0) this.waiting.splice(at, 1);
      };
      const grant = () => {
        cleanup();
        this.running += 1;
        resolve(this.releaser());
      };
      const onAbort = () => {
        cleanup();
        reject(gone());
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new HttpError(503, 'The server is busy: every query slot stayed taken; try again shortly.', {
            'Retry-After': '5',
          }),
        );
      }, this.waitTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      this.waiting[0]?.();
    };
  }
}

const gone = () => new ClientGoneError('The client went away while its query waited for a slot.');

const requestSignals = new AsyncLocalStorage<AbortSignal>();

/** Middleware: the rest of this request runs with a signal that fires if its client goes away. */
export function requestScope(req: Request, res: Response, next: NextFunction): void {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  requestSignals.run(controller.signal, () => next());
  void req;
}

/** The database as the routes see it: each connection waits for a permit of `gate`. */
export function gatedDatabase(db: Database, gate: QueryGate): Database {
  const withConnection = async <T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> => {
    const release = await gate.acquire(requestSignals.getStore());
    try {
      return await db.withConnection(work);
    } finally {
      release();
    }
  };
  const connect = async (): Promise<DuckDBConnection> => {
    const release = await gate.acquire(requestSignals.getStore());
    try {
      const conn = await db.connect();
      const closeSync = conn.closeSync.bind(conn);
      conn.closeSync = () => {
        try {
          closeSync();
        } finally {
          release();
        }
      };
      return conn;
    } catch (error) {
      release();
      throw error;
    }
  };
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'withConnection') return withConnection;
      if (property === 'connect') return connect;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

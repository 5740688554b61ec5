/**
 * The ingest service's DuckDB connections: a fixed set, each used by one piece of work at a time
 * (one stages batches while another flushes). A connection is never shared between overlapping
 * calls; whoever asks while all are busy waits, first come first served.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from '../lib/db.ts';

export class ConnectionPool {
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiting: ((conn: DuckDBConnection) => void)[] = [];
  private all: DuckDBConnection[] = [];

  private constructor() {}

  static async open(db: Database, size: number): Promise<ConnectionPool> {
    const pool = new ConnectionPool();
    for (let i = 0; i < size; i++) pool.all.push(await db.connect());
    pool.idle.push(...pool.all);
    return pool;
  }

  get size(): number {
    return this.all.length;
  }

  acquire(): Promise<DuckDBConnection> {
    const conn = this.idle.pop();
    if (conn) return Promise.resolve(conn);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(conn: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) next(conn);
    else this.idle.push(conn);
  }

  /** Runs work on a connection of its own and gives the connection back. */
  async with<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      return await work(conn);
    } finally {
      this.release(conn);
    }
  }

  close(): void {
    for (const conn of this.all) conn.closeSync();
    this.all = [];
    this.idle.length = 0;
  }
}

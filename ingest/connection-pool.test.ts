import { describe, expect, it } from 'vitest';
import { Database } from '../lib/db.ts';
import { ConnectionPool } from './connection-pool.ts';
import { MIGRATIONS_DIR } from './schema-migrations.ts';

describe('ConnectionPool', () => {
  it('hands each connection to one user at a time, and the waiting get them in turn', async () => {
    const db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
    const pool = await ConnectionPool.open(db, 2);
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect(a).not.toBe(b);
    const order: string[] = [];
    const third = pool.acquire().then((conn) => {
      order.push('third');
      return conn;
    });
    const fourth = pool.acquire().then((conn) => {
      order.push('fourth');
      return conn;
    });
    pool.release(b);
    expect(await third).toBe(b);
    pool.release(a);
    expect(await fourth).toBe(a);
    expect(order).toEqual(['third', 'fourth']);
    // Connections work and are released after `with`, even when the work throws.
    pool.release(b);
    await expect(pool.with(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(
      await pool.with(async (conn) => (await conn.runAndReadAll('select 42 as n')).getRows()[0]?.[0]),
    ).toBe(42);
    pool.release(a);
    pool.close();
    db.close();
  });
});

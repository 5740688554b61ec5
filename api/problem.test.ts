/**
 * How errors become problem+json: DuckDB running out of memory is capacity (503, Retry-After),
 * anything unknown a fault (500, no detail). The out-of-memory error is DuckDB's own, provoked on
 * a real in-memory database with a tiny memory_limit and an aggregate that cannot spill.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { toProblem } from './problem.ts';

async function duckdbOutOfMemory(): Promise<unknown> {
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '16MB', threads: '1' });
  const conn = await instance.connect();
  try {
    // one list of ten million numbers: list states live in memory, never in temp files
    await conn.run('select list(range) from range(10000000)');
    return undefined;
  } catch (error) {
    return error;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('toProblem', () => {
  it('answers DuckDB out of memory with 503 and Retry-After, as capacity, not a fault', async () => {
    const error = await duckdbOutOfMemory();
    expect(String(error)).toMatch(/Out of Memory/);
    const { problem, fault, capacity, headers } = toProblem(error);
    expect(problem.status).toBe(503);
    expect(problem.detail).toMatch(/no memory to spare/);
    expect(headers['retry-after']).toBe('5');
    expect({ fault, capacity }).toEqual({ fault: false, capacity: true });
  });

  it('answers an unknown error with 500 and no detail of it', () => {
    const { problem, fault } = toProblem(new Error('secret table layout'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('secret');
    expect(fault).toBe(true);
  });
});

/**
 * Where the owner's memory is, in bytes: the kernel's view of the whole process (resident now and
 * its high-water mark, from /proc/self/status), V8's (heap and buffers), and DuckDB's own
 * accounting (duckdb_memory(): what its buffer manager holds, temp tables included). The gap
 * between resident memory and the sum of the other two is native memory nobody accounts for:
 * allocator caches, fragmentation, DuckDB allocations outside its buffer manager.
 */

import { readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from './db.ts';

export type MemoryReport = {
  /** Resident memory now (VmRSS). */
  rssBytes: number;
  /** Peak resident memory since the process started (VmHWM); 0 where /proc is missing. */
  peakRssBytes: number;
  heapUsedBytes: number;
  /** Memory of Buffers and ArrayBuffers outside the V8 heap (Kafka fetches live here). */
  externalBytes: number;
  /** DuckDB's buffer manager: memory in use, and bytes spilled to its temporary files. */
  duckdbBytes: number;
  duckdbTemporaryBytes: number;
};

export async function readMemory(conn: DuckDBConnection): Promise<MemoryReport> {
  const [duckdb] = await queryRows<{ used: string; spilled: string }>(
    conn,
    `select coalesce(sum(memory_usage_bytes), 0)::varchar as used,
            coalesce(sum(temporary_storage_bytes), 0)::varchar as spilled
       from duckdb_memory()`,
  );
  const usage = process.memoryUsage();
  return {
    rssBytes: usage.rss,
    peakRssBytes: procStatusBytes('VmHWM'),
    heapUsedBytes: usage.heapUsed,
    externalBytes: usage.external,
    duckdbBytes: Number(duckdb?.used ?? 0),
    duckdbTemporaryBytes: Number(duckdb?.spilled ?? 0),
  };
}

/** A `… kB` field of /proc/self/status in bytes (0 off Linux). */
function procStatusBytes(field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * `npm run bench:ingest -- --memory-sweep`: the settings ours runs under once more each, to find
 * what bounds the ingest process's peak memory (issue 9: < 400 MiB for 1M messages) and what it
 * costs in throughput. Each is a set of environment variables over the defaults: the project's
 * own (lib/config.ts) and glibc's allocator tunables (read by the C library at start-up).
 */
export type MemorySetting = { name: string; env: Record<string, string> };

const MiB = 2 ** 20;
const small = { DUCKDB_MEMORY_LIMIT: '256MB', SPEND_INGEST_FLUSH_BYTES: String(16 * MiB) };

export const MEMORY_SETTINGS: MemorySetting[] = [
  { name: 'defaults', env: {} },
  { name: 'DuckDB memory_limit 256MB', env: { DUCKDB_MEMORY_LIMIT: '256MB' } },
  { name: 'flush at 32 MiB of JSON', env: { SPEND_INGEST_FLUSH_BYTES: String(32 * MiB) } },
  {
    name: 'memory_limit 256MB, flush at 32 MiB',
    env: { DUCKDB_MEMORY_LIMIT: '256MB', SPEND_INGEST_FLUSH_BYTES: String(32 * MiB) },
  },
  { name: 'memory_limit 256MB, flush at 16 MiB', env: small },
  {
    name: 'memory_limit 256MB, flush at 16 MiB, MALLOC_ARENA_MAX=2',
    env: { ...small, MALLOC_ARENA_MAX: '2' },
  },
  {
    name: 'memory_limit 256MB, flush at 16 MiB, MALLOC_ARENA_MAX=2, 1 MiB fetches',
    env: { ...small, MALLOC_ARENA_MAX: '2', KAFKA_MAX_BYTES_PER_PARTITION: String(MiB) },
  },
];

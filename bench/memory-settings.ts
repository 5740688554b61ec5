/**
 * `npm run bench:ingest -- --memory-sweep`: the settings ours runs under once more each, to find
 * what bounds the ingest process's peak memory (issue 9: < 400 MiB for 1M messages) and what it
 * costs in throughput. Each is a set of environment variables over the defaults: the project's
 * own (lib/config.ts), glibc's allocator tunables (read by the C library at start-up), jemalloc
 * preloaded in place of glibc's allocator (Debian: apt-get install libjemalloc2), and V8's.
 * `--settings 0,3` runs only those rows (by their index in this list).
 */
export type MemorySetting = { name: string; env: Record<string, string> };

const MiB = 2 ** 20;
/** Debian's path of jemalloc (package libjemalloc2). */
export const JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
// Freed pages go back to the system within a second, from jemalloc's own thread.
const jemalloc = {
  LD_PRELOAD: JEMALLOC,
  MALLOC_CONF: 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0',
};
// glibc: two arenas for all threads, and freed memory handed back instead of cached.
const glibcLean = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_TRIM_THRESHOLD_: String(128 * 1024),
  MALLOC_MMAP_THRESHOLD_: String(128 * 1024),
};
const small = { DUCKDB_MEMORY_LIMIT: '256MB', SPEND_INGEST_FLUSH_BYTES: String(16 * MiB) };
const smaller = {
  DUCKDB_MEMORY_LIMIT: '128MiB',
  SPEND_INGEST_FLUSH_BYTES: String(8 * MiB),
  KAFKA_MAX_BYTES_PER_PARTITION: String(MiB),
};

export const MEMORY_SETTINGS: MemorySetting[] = [
  { name: 'defaults', env: {} },
  { name: 'jemalloc', env: jemalloc },
  { name: 'glibc: 2 arenas, trim and mmap at 128 KiB', env: glibcLean },
  {
    name: 'memory_limit 256MB, flush at 16 MiB, MALLOC_ARENA_MAX=2 (best of 2026-12-04)',
    env: { ...small, MALLOC_ARENA_MAX: '2' },
  },
  { name: 'memory_limit 256MB, flush at 16 MiB, jemalloc', env: { ...small, ...jemalloc } },
  { name: 'memory_limit 128MiB, flush at 8 MiB, 1 MiB fetches, jemalloc', env: { ...smaller, ...jemalloc } },
  {
    name: 'memory_limit 128MiB, flush at 8 MiB, 1 MiB fetches, glibc lean',
    env: { ...smaller, ...glibcLean },
  },
  {
    name: 'memory_limit 128MiB, flush at 8 MiB, 1 MiB fetches, jemalloc, V8 semi-space 2 MiB',
    env: { ...smaller, ...jemalloc, NODE_OPTIONS: '--max-semi-space-size=2' },
  },
  // 2026-12-04 evening: larger flushes under the small limit (8 MiB flushes doubled the CPU time).
  {
    name: 'memory_limit 128MiB, flush at 32 MiB, 1 MiB fetches, glibc lean',
    env: { ...smaller, SPEND_INGEST_FLUSH_BYTES: String(32 * MiB), ...glibcLean },
  },
  {
    name: 'memory_limit 128MiB, flush at 16 MiB, 1 MiB fetches, glibc lean',
    env: { ...smaller, SPEND_INGEST_FLUSH_BYTES: String(16 * MiB), ...glibcLean },
  },
  {
    name: 'memory_limit 256MB, flush at 32 MiB, 1 MiB fetches, glibc lean',
    env: {
      ...smaller,
      DUCKDB_MEMORY_LIMIT: '256MB',
      SPEND_INGEST_FLUSH_BYTES: String(32 * MiB),
      ...glibcLean,
    },
  },
  {
    name: 'memory_limit 128MiB, flush at 16 MiB, 1 MiB fetches, glibc lean, V8 semi-space 2 MiB',
    env: {
      ...smaller,
      SPEND_INGEST_FLUSH_BYTES: String(16 * MiB),
      ...glibcLean,
      NODE_OPTIONS: '--max-semi-space-size=2',
    },
  },
  {
    name: 'memory_limit 64MiB, flush at 8 MiB, 1 MiB fetches, glibc lean',
    env: { ...smaller, DUCKDB_MEMORY_LIMIT: '64MiB', ...glibcLean },
  },
  // SPEND_MEMORY_PROFILE=small is memory_limit 64MiB, flush at 8 MiB, 512 KiB fetches (lib/config.ts).
  { name: 'SPEND_MEMORY_PROFILE=small, glibc lean', env: { SPEND_MEMORY_PROFILE: 'small', ...glibcLean } },
  { name: 'SPEND_MEMORY_PROFILE=small (glibc as it comes)', env: { SPEND_MEMORY_PROFILE: 'small' } },
];

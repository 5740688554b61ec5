/**
 * "Ours": the real pipeline, `spend ingest` (owner/process.ts → IngestService) as a child
 * process on a fresh DuckDB file and a fresh consumer group. Done means every partition's offset
 * stored in DuckDB (consumer_offsets, read through the owner's control socket) has reached the
 * topic's high watermark. Afterwards the database is opened and checked: every produced invoice,
 * line and penny must be there exactly once, and nothing rejected.
 */
import { resolve } from 'node:path';
import { runsBuild } from '../bin/build-state.js';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import type { Config } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import type { MemoryReport } from '../lib/memory.ts';
import { fromScaled } from '../lib/money.ts';
import { OwnerClient } from '../owner/control.ts';
import { expectCleanExit, otherCpuSeconds, spawnMeasured } from './child.ts';
import type { Produced } from './produce.ts';

const SPEND_BIN = resolve(import.meta.dirname, '../bin/spend.js');
const ROOT = resolve(import.meta.dirname, '..');

/** What bin/spend.js runs here: the compiled build while it is current (bin/build.js), else the sources. */
export function spendLauncher(): string {
  return runsBuild(ROOT)
    ? 'the compiled build (dist/, `npm run build`)'
    : 'the sources through tsx (no current build: `npm run build`)';
}
const POLL_MS = 100;
const PROGRESS_EVERY_MS = 5000;
/** Give up when the stored offsets have not moved for this long. */
const STALL_MS = 120_000;

export type OursResult = {
  /** From the 'ingest started' log line (group joined) to all offsets stored. */
  fetchMs: number;
  /** From spawning node to all offsets stored (node + tsx start-up, DB open, join included). */
  wallMs: number;
  peakRssBytes: number;
  /** CPU time of the ingest process, spawn to done. */
  cpuSeconds: number;
  otherCpuSeconds: number;
  verified: Verification;
  cpuProfileDir: string | undefined;
  /** Peaks of the owner's own memory report (lib/memory.ts), sampled every MEMORY_POLL_MS. */
  memory: MemoryPeaks;
};

/** Highest value of each part of the owner's memory seen while it ingested, in bytes. */
export type MemoryPeaks = { duckdbBytes: number; heapUsedBytes: number; externalBytes: number };

const MEMORY_POLL_MS = 500;

export type Verification = {
  invoices: number;
  distinctOffsets: number;
  lines: number;
  netTotal: string;
  rejected: number;
  batches: number;
  /** DuckDB transactions that wrote them (rows of one flush share its commit timestamp). */
  flushes: number;
};

/** Starts `spend ingest`, waits until everything is stored, stops it cleanly and checks the database. */
export async function runOurs(options: {
  env: Record<string, string>;
  config: Config;
  highWatermarks: Map<number, bigint>;
  produced: Produced;
  cpuProfileDir?: string;
  /** Another checkout's bin/spend.js, for A/B runs of two versions on the same topic. */
  spendBin?: string;
}): Promise<OursResult> {
  const { config, highWatermarks } = options;
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const run = spawnMeasured(process.execPath, [...nodeArgs, options.spendBin ?? SPEND_BIN, 'ingest'], {
    ...process.env,
    ...options.env,
    // A profile names source files only when the sources run (through tsx), not the build.
    ...(options.cpuProfileDir ? { SPEND_RUN_SOURCES: '1' } : {}),
  });
  const started = new Promise<number>((resolveStarted) =>
    run.onStderrLine((line) => {
      if (line.includes('"msg":"ingest started"')) resolveStarted(performance.now());
    }),
  );
  const failed = run.exited.then(() => {
    throw new Error(`spend ingest exited early:\n${run.stderr().trim().split('\n').slice(-30).join('\n')}`);
  });
  failed.catch(() => {}); // only meaningful while racing below; a clean exit later is expected

  const startedAt = await Promise.race([started, failed]);
  const memory: MemoryPeaks = { duckdbBytes: 0, heapUsedBytes: 0, externalBytes: 0 };
  const doneAt = await Promise.race([
    waitForStoredOffsets(config, highWatermarks, options.produced.messages, memory),
    failed,
  ]);
  const peakRssBytes = run.peakRssBytes();
  const cpuSeconds = run.cpuSeconds();
  const otherCpu = otherCpuSeconds(run);
  run.child.kill('SIGTERM');
  await expectCleanExit(run, 'spend ingest');

  const verified = await verify(config.dbPath);
  checkVerification(verified, options.produced);
  return {
    fetchMs: doneAt - startedAt,
    wallMs: doneAt - run.spawnedAt,
    peakRssBytes,
    cpuSeconds,
    otherCpuSeconds: otherCpu,
    verified,
    cpuProfileDir: options.cpuProfileDir,
    memory,
  };
}

/** Polls the owner's consumer_offsets until every partition has reached its high watermark. */
async function waitForStoredOffsets(
  config: Config,
  highs: Map<number, bigint>,
  total: number,
  memory: MemoryPeaks,
): Promise<number> {
  const owner = await OwnerClient.connect(config.socketPath);
  let lastMemoryPoll = 0;
  if (!owner) throw new Error(`no owner answers on ${config.socketPath}`);
  let lastProgress = performance.now();
  let lastMove = performance.now();
  let lastDone = -1n;
  try {
    for (;;) {
      const stored = (await owner.call('offsets')) as {
        topic: string;
        partition: number;
        nextOffset: string;
      }[];
      const at = new Map(
        stored
          .filter((o) => o.topic === config.topics.invoices)
          .map((o) => [o.partition, BigInt(o.nextOffset)]),
      );
      if (performance.now() - lastMemoryPoll >= MEMORY_POLL_MS) {
        lastMemoryPoll = performance.now();
        const now = (await owner.call('memory')) as MemoryReport;
        memory.duckdbBytes = Math.max(memory.duckdbBytes, now.duckdbBytes);
        memory.heapUsedBytes = Math.max(memory.heapUsedBytes, now.heapUsedBytes);
        memory.externalBytes = Math.max(memory.externalBytes, now.externalBytes);
      }
      const behind = [...highs].filter(([partition, high]) => (at.get(partition) ?? 0n) < high);
      if (behind.length === 0) return performance.now();
      const done = [...at.values()].reduce((a, b) => a + b, 0n);
      if (done !== lastDone) {
        lastDone = done;
        lastMove = performance.now();
      } else if (performance.now() - lastMove > STALL_MS) {
        throw new Error(`spend ingest stalled at ${done} of ${total} offsets for ${STALL_MS / 1000} s`);
      }
      if (performance.now() - lastProgress > PROGRESS_EVERY_MS) {
        lastProgress = performance.now();
        process.stdout.write(
          `  … stored ${done.toLocaleString('en')} of ${total.toLocaleString('en')} offsets\n`,
        );
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    owner.close();
  }
}

async function verify(dbPath: string): Promise<Verification> {
  const db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
  try {
    const [row] = await db.withConnection((conn) =>
      queryRows<Verification>(
        conn,
        `select (select count(*) from invoices)::integer as invoices,
                (select count(distinct (kafka_partition, kafka_offset)) from invoices)::integer as "distinctOffsets",
                (select count(*) from invoice_lines)::integer as lines,
                (select coalesce(sum(net_amount), 0)::varchar from invoices) as "netTotal",
                (select count(*) from rejected_messages)::integer as rejected,
                (select count(*) from ingest_batches)::integer as batches,
                (select count(distinct committed_at) from ingest_batches)::integer as flushes`,
      ),
    );
    if (!row) throw new Error('verification query returned nothing');
    return row;
  } finally {
    db.close();
  }
}

/** A benchmark that silently loses rows is worthless: any difference fails the run. */
function checkVerification(v: Verification, produced: Produced): void {
  const expected = {
    invoices: produced.messages,
    distinctOffsets: produced.messages,
    lines: produced.lines,
    netTotal: fromScaled(produced.netPence, 2),
    rejected: 0,
  };
  const wrong = Object.entries(expected).filter(([key, value]) => v[key as keyof Verification] !== value);
  if (wrong.length > 0) {
    const detail = wrong.map(
      ([key, value]) => `${key}: expected ${value}, got ${v[key as keyof Verification]}`,
    );
    throw new Error(
      `VERIFICATION FAILED, the pipeline did not store exactly what was produced:\n  ${detail.join('\n  ')}`,
    );
  }
}

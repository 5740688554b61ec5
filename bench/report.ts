/**
 * The benchmark's report: facts about the machine, one table row per consumer, the ratios against
 * the goals, printed to stdout and written as the `## Ingest (npm run bench:ingest)` section of
 * BENCHMARKS.md (only that section is replaced; other benchmarks' sections are kept).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { kafkaVersion } from '../kafka-local/broker.ts';

export const INGEST_SECTION_TITLE = '## Ingest (npm run bench:ingest)';
export const MEMORY_SECTION_TITLE = '## Ingest memory (npm run bench:ingest -- --memory-sweep)';
const BENCHMARKS_FILE = resolve(import.meta.dirname, '../BENCHMARKS.md');
const INTRO = `# Benchmarks

Measured numbers for collective-spend, each section written by the benchmark named in its title
(re-running a benchmark replaces its own section only). Numbers are from one run on the machine
described in the section: compare runs on the same machine, not across machines.
`;

export const GOALS = { vsSerialPeers: 0.6, vsConsumerPerformance: 0.5, peakRssMiB: 400 };

/** Throughput of two stages run one after the other (each alone at its own rate): 1 / (1/a + 1/b). */
export const serialRate = (a: number, b: number): number => 1 / (1 / a + 1 / b);

export type Row = {
  name: string;
  messages: number;
  /** Consuming only: group join and process start-up excluded. */
  fetchMs: number;
  /** From spawning the process until all messages were consumed / stored. */
  wallMs: number;
  mib: number;
  peakRssBytes: number;
  /** CPU time of the consumer process, spawn to done. */
  cpuSeconds: number;
  /** CPU time of everything else on the machine meanwhile (the broker serving it, and any other work). */
  otherCpuSeconds: number;
  /** Lines were really parsed and stored (only ours); otherwise lines/s is an equivalent. */
  parsesLines: boolean;
};

export type MachineFacts = Record<string, string>;

export function machineFacts(): MachineFacts {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return {
    Date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    CPU: `${cpu} (nproc ${availableParallelism()})`,
    RAM: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    Kernel: release(),
    Node: process.version,
    Java: javaVersion(),
    Kafka: `${kafkaVersion()} (local single-node broker, KRaft)`,
    kafkajs: packageVersion('kafkajs'),
    '@duckdb/node-api': packageVersion('@duckdb/node-api'),
  };
}

function javaVersion(): string {
  const java = process.env.JAVA_HOME ? resolve(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  // `java -version` prints to stderr.
  const { stderr, stdout } = spawnSync(java, ['-version'], { encoding: 'utf8' });
  return `${stderr ?? ''}${stdout ?? ''}`.trim().split('\n').slice(0, 2).join('; ') || 'unknown';
}

/** CPU share (all cores) above which the machine does not count as idle before a timed phase. */
export const BUSY_SHARE = 0.15;
/** How long a timed phase waits for an idle machine (BENCH_IDLE_WAIT_MS: less on a machine that never idles). */
const IDLE_WAIT_MS = Number(process.env.BENCH_IDLE_WAIT_MS ?? 180_000);

/**
 * Waits (up to 3 minutes) until the rest of the machine is quiet, so timed phases are comparable;
 * returns how busy the CPUs were when it stopped waiting (the caller reports it).
 */
export async function waitForIdle(
  onBusy?: (share: number) => void,
  /** 0 in smoke runs: they measure nothing, so they never wait for the machine. */
  maxWaitMs = IDLE_WAIT_MS,
): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let share = await cpuBusyShare(2000);
  while (share > BUSY_SHARE && Date.now() < deadline) {
    onBusy?.(share);
    share = await cpuBusyShare(5000);
  }
  return share;
}

/** Share of all CPUs busy (user + system + …, not idle or iowait) over the next `ms`, from /proc/stat. */
export async function cpuBusyShare(ms = 1000): Promise<number> {
  const read = () => {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { idle, total: fields.reduce((a, b) => a + b, 0) };
  };
  const before = read();
  await new Promise((r) => setTimeout(r, ms));
  const after = read();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

export function packageVersion(name: string): string {
  const file = resolve(import.meta.dirname, '../node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

const mib = (bytes: number) => bytes / 2 ** 20;
const rate = (count: number, ms: number) => count / (ms / 1000);
const int = (n: number) => Math.round(n).toLocaleString('en');
const fixed = (n: number, digits = 1) => n.toFixed(digits);

export function resultsTable(rows: Row[], linesPerMessage: number): string[] {
  const header = [
    'Consumer',
    'msg/s',
    'invoice lines/s',
    'MB/s',
    'consume time (s)',
    'msg/s incl. start-up',
    'CPU s',
    'other CPU s',
    'peak RSS (MiB)',
  ];
  const body = rows.map((row) => [
    row.name,
    int(rate(row.messages, row.fetchMs)),
    `${int(rate(row.messages, row.fetchMs) * linesPerMessage)}${row.parsesLines ? '' : ' *'}`,
    fixed(row.mib / (row.fetchMs / 1000)),
    fixed(row.fetchMs / 1000, 2),
    int(rate(row.messages, row.wallMs)),
    fixed(row.cpuSeconds),
    fixed(row.otherCpuSeconds),
    int(mib(row.peakRssBytes)),
  ]);
  return markdownTable(header, body);
}

/** Other processes busier than this many cores on average during a run make it "contended". */
const CONTENDED_CORES = 0.25;

/** Warnings for runs during which the rest of the machine was busy (the broker alone stays well below). */
export function contentionWarnings(rows: Row[]): string[] {
  return rows
    .filter((row) => row.otherCpuSeconds / (row.wallMs / 1000) > CONTENDED_CORES)
    .map(
      (row) =>
        `WARNING: while "${row.name}" ran, other processes used ${row.otherCpuSeconds.toFixed(1)} CPU-s in ` +
        `${(row.wallMs / 1000).toFixed(1)} s (${(row.otherCpuSeconds / (row.wallMs / 1000)).toFixed(2)} cores on average): ` +
        'the machine was not idle and this row is pessimistic.',
    );
}

export function ratioLines(ours: Row, bare: Row, java: Row, duck: Row, small?: Row): string[] {
  const r = (a: Row, b: Row, ms: (row: Row) => number) => rate(a.messages, ms(a)) / rate(b.messages, ms(b));
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const vsBare = r(ours, bare, (x) => x.fetchMs);
  const serial = serialRate(rate(bare.messages, bare.fetchMs), rate(duck.messages, duck.fetchMs));
  const vsSerial = rate(ours.messages, ours.fetchMs) / serial;
  const vsJava = r(ours, java, (x) => x.fetchMs);
  const peak = mib(ours.peakRssBytes);
  return markdownTable(
    ['Measure', 'Value', 'Goal', ''],
    [
      [
        `ours / serial(bare kafkajs, DuckDB read_json) = ours / ${int(serial)} msg/s`,
        fixed(vsSerial, 2),
        `≥ ${GOALS.vsSerialPeers}`,
        mark(vsSerial >= GOALS.vsSerialPeers),
      ],
      [
        'ours / DuckDB read_json alone',
        fixed(
          r(ours, duck, (x) => x.fetchMs),
          2,
        ),
        'reported',
        '',
      ],
      ['ours / bare kafkajs', fixed(vsBare, 2), 'reported', ''],
      [
        'ours / ConsumerPerformance',
        fixed(vsJava, 2),
        `as close to ${GOALS.vsConsumerPerformance} as possible`,
        mark(vsJava >= GOALS.vsConsumerPerformance),
      ],
      [
        'ours / bare kafkajs, incl. start-up',
        fixed(
          r(ours, bare, (x) => x.wallMs),
          2,
        ),
        '',
        '',
      ],
      [
        'ours / ConsumerPerformance, incl. start-up',
        fixed(
          r(ours, java, (x) => x.wallMs),
          2,
        ),
        '',
        '',
      ],
      [
        'peak RSS of the ingest process (defaults)',
        `${int(peak)} MiB`,
        `< ${GOALS.peakRssMiB} MiB`,
        mark(peak < GOALS.peakRssMiB),
      ],
      ...(small
        ? [
            [
              'peak RSS of the ingest process, SPEND_MEMORY_PROFILE=small',
              `${int(mib(small.peakRssBytes))} MiB`,
              `< ${GOALS.peakRssMiB} MiB`,
              mark(mib(small.peakRssBytes) < GOALS.peakRssMiB),
            ],
            [
              'ours with SPEND_MEMORY_PROFILE=small / ours (msg/s)',
              fixed(rate(small.messages, small.fetchMs) / rate(ours.messages, ours.fetchMs), 2),
              'reported',
              '',
            ],
          ]
        : []),
    ],
  );
}

export function markdownTable(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
}

/**
 * Replaces (or appends) one benchmark's section of BENCHMARKS.md (from its `## ` title to the next
 * one), keeping every other section; returns the file written.
 */
export function writeSection(title: string, body: string, file = BENCHMARKS_FILE): string {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : INTRO;
  const section = `${title}\n\n${body.trim()}\n`;
  const start = current.indexOf(`${title}\n`);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.slice(start + title.length);
    const end = after.search(/^## /m);
    const rest = end < 0 ? '' : after.slice(end);
    next = `${current.slice(0, start)}${section}${rest ? `\n${rest}` : ''}`;
  }
  writeFileSync(file, next);
  return file;
}

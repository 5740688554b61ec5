/**
 * npm run bench:ingest [-- --messages N] [-- --cpu-prof] [-- --smoke] [-- --no-write]
 *
 * --smoke: 2,000 messages unless told otherwise, every peer and check, and BENCHMARKS.md left
 * alone: the suite runs it (bench/smoke.test.ts) so that the harness cannot rot.
 *
 * How fast does the real ingest pipeline (Kafka → decode + validate → DuckDB, exactly once) read a
 * topic, compared with what the Kafka client alone and Kafka's own tool can read from the SAME
 * topic on the SAME broker? And how much memory does it need on the way?
 *
 * 1. Setup: a fresh 4-partition topic filled with N realistic invoice.v1 messages (default 1M;
 *    bench/invoices.ts), produced with kafkajs (timed separately); the body registered in a fresh
 *    DuckDB file.
 * 2. Peer A: Kafka's ConsumerPerformance (Java client, counts records) — the ceiling.
 * 3. Peer B: a bare kafkajs consumer with our fetch settings that only counts messages.
 * 4. Ours: `spend ingest` on the fresh database until every partition's offset stored in DuckDB
 *    reaches the high watermark; then every invoice, line and penny is checked.
 * Each runs alone, one after the other, in its own process (peak RSS from /proc VmHWM).
 * 5. A table on stdout and the `## Ingest (npm run bench:ingest)` section of BENCHMARKS.md.
 *
 * 5. Peer C: DuckDB's own load of the same messages (bench/peer-duckdb.ts): dumped as NDJSON and
 *    read with `read_json` into the same tables by the same inserts, on the same threads and memory
 *    limit. Ours is reported against the serial combination of B and C, 1 / (1/B + 1/C): Kafka
 *    alone, then the store alone, one after the other.
 *
 * --memory-sweep [--sweep-only]: ours again under each setting of bench/memory-settings.ts (fresh
 * database and group each), with peak RSS beside throughput and DuckDB's own accounting, written
 * as the `## Ingest memory` section. --sweep-only skips peers A–C and the main section.
 *
 * Rates are over the consuming phase (process start-up and group join excluded); the "incl.
 * start-up" column counts from process spawn. --cpu-prof adds one more, untimed run of ours under
 * `node --cpu-prof` and summarises where its main thread spent its time.
 *
 * The broker: KAFKA_BROKERS if set, else the project's local broker on 127.0.0.1:19092, started
 * here if nothing answers (and stopped again at the end). Other SPEND_* / KAFKA_* settings in the
 * environment (e.g. SPEND_INGEST_CONCURRENCY) apply to ours and peer B alike.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createKafka,
  deleteTopics,
  ensureTopics,
  fetchTopicOffsets,
  type KafkaClient,
} from '../ingest/kafka/client.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { isBrokerReachable, startLocalBroker, stopLocalBroker } from '../kafka-local/broker.ts';
import { addBody } from '../lib/bodies.ts';
import { type Config, loadConfig } from '../lib/config.ts';
import { Database } from '../lib/db.ts';
import { fromScaled } from '../lib/money.ts';
import { expectCleanExit, type Measured, otherCpuSeconds, spawnMeasured, withTicker } from './child.ts';
import { summariseCpuProfiles } from './cpu-profile.ts';
import { writeNdjsonDump } from './dump.ts';
import { MEMORY_SETTINGS, type MemorySetting } from './memory-settings.ts';
import { type MemoryPeaks, runOurs, spendLauncher } from './ours.ts';
import type { DuckdbLoadResult } from './peer-duckdb.ts';
import { runConsumerPerformance } from './peer-java.ts';
import type { BareResult } from './peer-kafkajs.ts';
import { fillTopic, type Produced } from './produce.ts';
import {
  BUSY_SHARE,
  contentionWarnings,
  GOALS,
  INGEST_SECTION_TITLE,
  MEMORY_SECTION_TITLE,
  machineFacts,
  markdownTable,
  type Row,
  ratioLines,
  resultsTable,
  waitForIdle,
  writeSection,
} from './report.ts';

const PARTITIONS = 4;
const BODY_ID = 'bench-council';
const PAUSE_BETWEEN_RUNS_MS = 3000;

type Bench = {
  id: string;
  dir: string;
  env: Record<string, string>;
  config: Config;
  kafka: KafkaClient;
  messages: number;
};

const cleanups: (() => Promise<void>)[] = [];
/** --smoke: measures nothing, so it never waits for an idle machine. */
let smokeRun = false;
/** --settings: the rows of MEMORY_SETTINGS the sweep runs (all when absent). */
let sweepRows: number[] | undefined;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      'memory-sweep': { type: 'boolean', default: false },
      'sweep-only': { type: 'boolean', default: false },
      // print the tables only, BENCHMARKS.md left alone (runs at other sizes for the scaling curve)
      'no-write': { type: 'boolean', default: false },
      // --settings 0,3: only those rows of bench/memory-settings.ts
      settings: { type: 'string' },
    },
  });
  sweepRows = values.settings?.split(',').map(Number);
  smokeRun = values.smoke === true;
  const messages = Number(values.messages ?? (values.smoke ? '2000' : '1000000'));
  if (!Number.isInteger(messages) || messages < 1000) throw new Error('--messages must be an integer ≥ 1000');

  const bench = createBench(messages);
  const facts = machineFacts();
  console.log(
    `ingest benchmark ${bench.id}: ${messages.toLocaleString('en')} messages, ${PARTITIONS} partitions`,
  );
  await ensureBroker(bench.config);
  await createTopics(bench);
  await registerBody(bench.config.dbPath);

  console.log('setup: producing…');
  const produced = await fillTopic(bench.kafka, bench.config.topics.invoices, BODY_ID, messages);
  const highs = await highWatermarks(bench);
  const linesPerMessage = produced.lines / produced.messages;
  console.log(
    `setup: produced ${produced.messages.toLocaleString('en')} messages (${(produced.bytes / 2 ** 20).toFixed(0)} MiB, ` +
      `${Math.round(produced.bytes / produced.messages)} B/msg, ${linesPerMessage.toFixed(2)} lines/msg) in ` +
      `${(produced.ms / 1000).toFixed(1)} s = ${Math.round(produced.messages / (produced.ms / 1000)).toLocaleString('en')} msg/s`,
  );

  const loads: string[] = [];
  if (values['memory-sweep'] || values['sweep-only']) {
    const sweep = await memorySweep(bench, produced, highs);
    if (values.smoke || values['no-write'])
      console.log(`${sweep}\n${values.smoke ? 'smoke run' : '--no-write'}: BENCHMARKS.md left alone`);
    else console.log(`written: ${writeSection(MEMORY_SECTION_TITLE, sweep)}`);
    if (values['sweep-only']) return;
  }
  const java = await phase('peer A: Kafka ConsumerPerformance', loads, () => runJavaPeer(bench));
  const bare = await phase('peer B: bare kafkajs', loads, () => runBarePeer(bench, produced));
  const ours = await phase('ours: spend ingest', loads, () => runOursPeer(bench, produced, highs));
  const small = await phase('ours: spend ingest, SPEND_MEMORY_PROFILE=small', loads, () =>
    runOursPeer(bench, produced, highs, {
      name: 'Ours, SPEND_MEMORY_PROFILE=small',
      label: 'ours-small',
      env: SMALL_PROFILE,
    }),
  );
  const duck = await phase('peer C: DuckDB read_json', loads, () => runDuckdbPeer(bench, produced));

  const rows = [java.row, bare, duck, ours.row, small.row];
  const warnings = contentionWarnings(rows);
  const report = [
    ...resultsTable(rows, linesPerMessage),
    '',
    ...ratioLines(ours.row, bare, java.row, duck, small.row),
    ...(warnings.length > 0 ? ['', ...warnings] : []),
  ];
  console.log(`\n${report.join('\n')}\n`);

  let profile: string[] = [];
  if (values['cpu-prof']) {
    profile = await profiledRun(bench, produced, highs).catch((error: Error) => {
      console.error(`profile: failed, the measured results are still written: ${error.message}`);
      return [`(the profiled run failed: ${error.message})`];
    });
  }

  if (values.smoke || values['no-write']) {
    console.log(`${values.smoke ? 'smoke run' : '--no-write'}: BENCHMARKS.md left alone`);
    return;
  }
  const file = writeSection(
    INGEST_SECTION_TITLE,
    sectionBody({
      bench,
      facts,
      produced,
      rows,
      report,
      loads,
      javaRaw: java.raw,
      ours: [...ours.detail, ...small.detail],
      profile,
    }),
  );
  console.log(`written: ${file}`);
}

function createBench(messages: number): Bench {
  const id = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'spend-bench-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    SPEND_DB: join(dir, 'spend.duckdb'),
    SPEND_TOPIC_INVOICES: `${id}.invoices`,
    SPEND_TOPIC_PURCHASE_ORDERS: `${id}.purchase-orders`,
    SPEND_TOPIC_DEAD_LETTER: `${id}.dead-letter`,
    SPEND_TOPIC_PARTITIONS: String(PARTITIONS),
    SPEND_CONSUMER_GROUP: `${id}.ours`,
    LOG_LEVEL: 'info',
  };
  const config = loadConfig({ ...process.env, ...env });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${id}-driver` });
  return { id, dir, env, config, kafka, messages };
}

/** Uses KAFKA_BROKERS or the local broker; starts the local one if nothing answers (stopped at the end). */
async function ensureBroker(config: Config): Promise<void> {
  if (await isBrokerReachable(config.kafkaBrokers, 3000)) return;
  if (!config.usesLocalBroker)
    throw new Error(`KAFKA_BROKERS=${config.kafkaBrokers.join(',')} does not answer`);
  console.log('broker: none answers on the local address, starting the local broker…');
  const started = await startLocalBroker({ log: (m) => console.log(`broker: ${m}`) });
  if (started.started) {
    console.log(
      `broker: started in ${((started.startMs ?? 0) / 1000).toFixed(1)} s (stopped again at the end)`,
    );
    cleanups.push(async () => {
      await stopLocalBroker();
      console.log('broker: stopped');
    });
  }
}

async function createTopics(bench: Bench): Promise<void> {
  const { topics } = bench.config;
  await ensureTopics(bench.kafka, [
    { topic: topics.invoices, numPartitions: PARTITIONS },
    { topic: topics.purchaseOrders, numPartitions: PARTITIONS },
    { topic: topics.deadLetter, numPartitions: 1 },
  ]);
  cleanups.push(async () => {
    await deleteTopics(bench.kafka, [topics.invoices, topics.purchaseOrders, topics.deadLetter]);
    console.log(`cleanup: deleted topics ${bench.id}.*`);
  });
}

async function registerBody(dbPath: string): Promise<void> {
  const db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
  try {
    await db.withConnection((conn) =>
      addBody(conn, { bodyId: BODY_ID, name: 'Benchmark County Council', joinedOn: '2023-04-01' }),
    );
  } finally {
    db.close();
  }
}

async function highWatermarks(bench: Bench): Promise<Map<number, bigint>> {
  const admin = bench.kafka.admin();
  await admin.connect();
  try {
    const offsets = await fetchTopicOffsets(admin, bench.config.topics.invoices);
    return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Runs one consumer once the machine is idle (waitForIdle: up to 3 minutes for other work to end),
 * noting how busy the CPUs were just before, so a run on a busy machine shows in the report.
 */
async function phase<T>(name: string, loads: string[], run: () => Promise<T>): Promise<T> {
  await new Promise((r) => setTimeout(r, PAUSE_BETWEEN_RUNS_MS));
  const busy = await waitForIdle(
    (share) =>
      console.log(`  … ${name}: waiting for an idle machine (CPUs ${(share * 100).toFixed(0)} % busy)`),
    smokeRun ? 0 : undefined,
  );
  loads.push(`${name.split(':')[0]} ${(busy * 100).toFixed(0)} %`);
  const warning =
    busy > BUSY_SHARE
      ? ` (WARNING: CPUs ${(busy * 100).toFixed(0)} % busy before the run, the machine is not idle)`
      : '';
  console.log(`${name}…${warning}`);
  const result = await run();
  console.log(`${name}: done`);
  return result;
}

async function runJavaPeer(bench: Bench): Promise<{ row: Row; raw: string }> {
  const group = `${bench.id}.consumer-perf`;
  cleanups.push(() => deleteGroup(bench, group));
  const result = await runConsumerPerformance({
    brokers: bench.config.kafkaBrokers,
    topic: bench.config.topics.invoices,
    group,
    messages: bench.messages,
  });
  if (result.messages < bench.messages)
    throw new Error(`ConsumerPerformance read only ${result.messages} messages`);
  return {
    row: {
      name: 'A: Kafka ConsumerPerformance (Java)',
      messages: result.messages,
      fetchMs: result.fetchMs,
      wallMs: result.wallMs,
      mib: result.mb,
      peakRssBytes: result.peakRssBytes,
      cpuSeconds: result.cpuSeconds,
      otherCpuSeconds: result.otherCpuSeconds,
      parsesLines: false,
    },
    raw: result.raw,
  };
}

async function runBarePeer(bench: Bench, produced: Produced): Promise<Row> {
  const group = `${bench.id}.bare-kafkajs`;
  cleanups.push(() => deleteGroup(bench, group));
  const script = resolve(import.meta.dirname, 'peer-kafkajs.ts');
  const runTs = resolve(import.meta.dirname, '../bin/run-ts.js');
  const run = spawnMeasured(process.execPath, [runTs, script], {
    ...process.env,
    ...bench.env,
    SPEND_CONSUMER_GROUP: group,
    LOG_LEVEL: 'warn',
    BENCH_EXPECTED_MESSAGES: String(bench.messages),
  });
  let last = '';
  run.onStderrLine((line) => {
    if (line.startsWith('counted ')) last = line;
  });
  const exitedAt = await withTicker(
    expectCleanExit(run, 'bare kafkajs consumer'),
    5000,
    () => last || 'joining',
  );
  const result = JSON.parse(run.stdout().trim().split('\n').pop() ?? '{}') as BareResult;
  return childRow(run, exitedAt, produced, {
    name: 'B: bare kafkajs (counts only)',
    messages: result.messages,
    fetchMs: result.fetchMs,
    parsesLines: false,
  });
}

/** A peer's row from its own figures and what was measured of its process. */
function childRow(
  run: Measured,
  exitedAt: number,
  produced: Produced,
  own: Pick<Row, 'name' | 'messages' | 'fetchMs' | 'parsesLines'>,
): Row {
  return {
    ...own,
    wallMs: exitedAt - run.spawnedAt,
    mib: produced.bytes / 2 ** 20,
    peakRssBytes: run.peakRssBytes(),
    cpuSeconds: run.cpuSeconds(),
    otherCpuSeconds: otherCpuSeconds(run),
  };
}

/** The memory profile ours also runs under in the main run (lib/config.ts MEMORY_PROFILES). */
const SMALL_PROFILE = { SPEND_MEMORY_PROFILE: 'small' };

async function runOursPeer(
  bench: Bench,
  produced: Produced,
  highs: Map<number, bigint>,
  variant?: { name: string; label: string; env: Record<string, string> },
): Promise<{ row: Row; detail: string[] }> {
  // A variant runs on a database and consumer group of its own.
  const dbPath = variant ? join(bench.dir, `${variant.label}.duckdb`) : bench.config.dbPath;
  const group = variant ? `${bench.id}.${variant.label}` : bench.config.consumerGroup;
  const env = variant
    ? { ...bench.env, ...variant.env, SPEND_DB: dbPath, SPEND_CONSUMER_GROUP: group }
    : bench.env;
  const config = variant ? loadConfig({ ...process.env, ...env }) : bench.config;
  if (variant) await registerBody(dbPath);
  cleanups.push(() => deleteGroup(bench, group));
  const result = await runOurs({ env, config, highWatermarks: highs, produced });
  const v = result.verified;
  const who = variant ? `${variant.name}: ` : '';
  const detail = [
    `${who}Verified after the run: ${v.invoices.toLocaleString('en')} invoices at ${v.distinctOffsets.toLocaleString('en')} distinct offsets, ` +
      `${v.lines.toLocaleString('en')} invoice lines, net total £${v.netTotal}, ${v.rejected} rejected: exactly what was produced.`,
    `${who}Written in ${v.flushes.toLocaleString('en')} DuckDB transactions (${Math.round(v.invoices / Math.max(1, v.flushes)).toLocaleString('en')} messages each on average; ${v.batches.toLocaleString('en')} ingest_batches rows, one per partition and transaction).`,
    `${who}Memory at its peaks (sampled every 0.5 s through the owner's \`memory\` operation): ${memoryPeaksLine(result.memory)}; peak RSS ${mibText(result.peakRssBytes)}: the rest is native memory DuckDB's accounting does not see (allocator caches, fragmentation).`,
  ];
  return {
    row: {
      name: variant?.name ?? 'Ours: spend ingest → DuckDB',
      messages: v.invoices,
      fetchMs: result.fetchMs,
      wallMs: result.wallMs,
      mib: produced.bytes / 2 ** 20,
      peakRssBytes: result.peakRssBytes,
      cpuSeconds: result.cpuSeconds,
      otherCpuSeconds: result.otherCpuSeconds,
      parsesLines: true,
    },
    detail,
  };
}

const mibText = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MiB`;

function memoryPeaksLine(m: MemoryPeaks): string {
  return `DuckDB's own accounting ${mibText(m.duckdbBytes)}, V8 heap ${mibText(m.heapUsedBytes)}, buffers outside the heap ${mibText(m.externalBytes)}`;
}

/** Peer C: the same messages dumped as NDJSON and loaded by DuckDB alone (bench/peer-duckdb.ts). */
async function runDuckdbPeer(bench: Bench, produced: Produced): Promise<Row> {
  const file = join(bench.dir, 'messages.ndjson');
  const dbPath = join(bench.dir, 'peer-duckdb.duckdb');
  console.log('  … dumping the messages as NDJSON (not timed)');
  await writeNdjsonDump({
    file,
    topic: bench.config.topics.invoices,
    bodyId: BODY_ID,
    messages: bench.messages,
    partitions: PARTITIONS,
  });
  await registerBody(dbPath);
  const script = resolve(import.meta.dirname, 'peer-duckdb.ts');
  const runTs = resolve(import.meta.dirname, '../bin/run-ts.js');
  const run = spawnMeasured(process.execPath, [runTs, script], {
    ...process.env,
    ...bench.env,
    SPEND_DB: dbPath,
    LOG_LEVEL: 'warn',
    BENCH_NDJSON: file,
  });
  const exitedAt = await withTicker(expectCleanExit(run, 'DuckDB read_json peer'), 5000, () => 'loading');
  const result = JSON.parse(run.stdout().trim().split('\n').pop() ?? '{}') as DuckdbLoadResult;
  const expected = {
    invoices: produced.messages,
    lines: produced.lines,
    netTotal: fromScaled(produced.netPence, 2),
  };
  if (
    result.invoices !== expected.invoices ||
    result.lines !== expected.lines ||
    result.netTotal !== expected.netTotal
  )
    throw new Error(`peer C loaded ${JSON.stringify(result)}, expected ${JSON.stringify(expected)}`);
  rmSync(file, { force: true });
  return childRow(run, exitedAt, produced, {
    name: 'C: DuckDB read_json load (no Kafka)',
    messages: result.invoices,
    fetchMs: result.loadMs,
    parsesLines: true,
  });
}

/**
 * Ours under each setting of bench/memory-settings.ts, on a fresh database and group each: peak
 * RSS beside throughput. Returns the body of the `## Ingest memory` section.
 */
async function memorySweep(bench: Bench, produced: Produced, highs: Map<number, bigint>): Promise<string> {
  const settings = sweepRows
    ? sweepRows.map((i) => {
        const setting = MEMORY_SETTINGS[i];
        if (!setting) throw new Error(`--settings: no row ${i} in bench/memory-settings.ts`);
        return setting;
      })
    : smokeRun
      ? MEMORY_SETTINGS.slice(0, 2)
      : MEMORY_SETTINGS;
  const rows: string[][] = [];
  for (const [i, setting] of settings.entries()) {
    const dbPath = join(bench.dir, `sweep-${i}.duckdb`);
    const group = `${bench.id}.sweep-${i}`;
    cleanups.push(() => deleteGroup(bench, group));
    const env = { ...bench.env, ...setting.env, SPEND_DB: dbPath, SPEND_CONSUMER_GROUP: group };
    const config = loadConfig({ ...process.env, ...env });
    await registerBody(dbPath);
    const loads: string[] = [];
    const result = await phase(`sweep: ${setting.name}`, loads, () =>
      runOurs({ env, config, highWatermarks: highs, produced }),
    );
    rmSync(dbPath, { force: true });
    rmSync(`${dbPath}.wal`, { force: true });
    const seconds = result.fetchMs / 1000;
    rows.push([
      setting.name,
      Math.round(result.verified.invoices / seconds).toLocaleString('en'),
      mibText(result.peakRssBytes),
      mibText(result.memory.duckdbBytes),
      mibText(result.memory.heapUsedBytes),
      mibText(result.memory.externalBytes),
      result.verified.flushes.toLocaleString('en'),
      result.cpuSeconds.toFixed(1),
      (result.otherCpuSeconds / (result.wallMs / 1000)).toFixed(2),
      loads.join(''),
    ]);
    // the whole row, so an interrupted sweep still leaves its figures in the log
    console.log(`sweep: ${setting.name}: ${rows.at(-1)?.slice(1).join(', ')}`);
  }
  const table = markdownTable(
    [
      'Setting (over the defaults)',
      'msg/s',
      'peak RSS',
      'DuckDB accounted (peak)',
      'V8 heap (peak)',
      'buffers (peak)',
      'transactions',
      'CPU s',
      'other cores',
      'CPUs busy before',
    ],
    rows,
  );
  const env = (setting: MemorySetting) =>
    Object.entries(setting.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || '(none)';
  return [
    `One run of \`npm run bench:ingest -- --memory-sweep\` (${bench.messages.toLocaleString('en')} messages, the topic of the Ingest section's kind), ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}.`,
    `Goal (issue 9): peak RSS of \`spend ingest\` < ${GOALS.peakRssMiB} MiB while ingesting 1M messages.`,
    '',
    ...table,
    '',
    '- Each row: `spend ingest` on a fresh database and consumer group, the same topic, every invoice, line and penny verified afterwards.',
    `- \`spend ingest\` ran ${spendLauncher()}.`,
    "- peak RSS: VmHWM of the process. DuckDB accounted: the highest sum of `duckdb_memory()` seen, V8 heap and buffers: `process.memoryUsage()` (all sampled every 0.5 s through the owner's `memory` operation, so short peaks can be missed).",
    '- other cores: CPU used by every other process meanwhile (the broker, other work on this shared machine), per second of the run: above ~0.3 the msg/s is pessimistic.',
    ...settings.map((setting) => `- ${setting.name}: ${env(setting)}`),
  ].join('\n');
}

/** One more run of ours, under node --cpu-prof, on a fresh database and group (not timed). */
async function profiledRun(bench: Bench, produced: Produced, highs: Map<number, bigint>): Promise<string[]> {
  const dbPath = join(bench.dir, 'profiled.duckdb');
  const group = `${bench.id}.ours-profiled`;
  cleanups.push(() => deleteGroup(bench, group));
  const env = { ...bench.env, SPEND_DB: dbPath, SPEND_CONSUMER_GROUP: group };
  const config = loadConfig({ ...process.env, ...env });
  await registerBody(dbPath);
  const cpuProfileDir = join(bench.dir, 'cpu-profiles');
  console.log('profile: one more run of ours under node --cpu-prof (slower, not timed)…');
  await runOurs({ env, config, highWatermarks: highs, produced, cpuProfileDir });
  const summary = summariseCpuProfiles(cpuProfileDir);
  console.log(`\n${summary.join('\n')}\n`);
  return summary;
}

async function deleteGroup(bench: Bench, group: string): Promise<void> {
  const admin = bench.kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([group]);
  } catch {
    // a group that never committed an offset may not exist: nothing to clean
  } finally {
    await admin.disconnect();
  }
}

function sectionBody(r: {
  bench: Bench;
  facts: Record<string, string>;
  produced: Produced;
  rows: Row[];
  report: string[];
  loads: string[];
  javaRaw: string;
  ours: string[];
  profile: string[];
}): string {
  const { config } = r.bench;
  const p = r.produced;
  return [
    `One run of \`npm run bench:ingest\` (${r.bench.messages.toLocaleString('en')} messages), ${r.facts.Date}.`,
    'Code: `bench/ingest.ts` (what is measured and how is explained in its header).',
    '',
    '### Machine',
    '',
    ...markdownTable(
      ['Fact', 'Value'],
      Object.entries(r.facts).filter(([k]) => k !== 'Date'),
    ),
    '',
    '### Data',
    '',
    `- One topic, ${PARTITIONS} partitions, ${p.messages.toLocaleString('en')} invoice.v1 messages from one registered body, ` +
      `${Math.round(p.bytes / p.messages)} bytes on average (key + JSON value, 500–900 bytes), ` +
      `${(p.lines / p.messages).toFixed(2)} invoice lines per message (0–6), ${(p.bytes / 2 ** 20).toFixed(0)} MiB in all, no compression.`,
    `- Produced with kafkajs (batches of 2,500, idempotent, acks from all replicas) in ${(p.ms / 1000).toFixed(1)} s: ` +
      `${Math.round(p.messages / (p.ms / 1000)).toLocaleString('en')} msg/s (generation included).`,
    `- Ours and peer B ran with maxBytesPerPartition ${config.maxBytesPerPartition.toLocaleString('en')} B, ` +
      `ingest concurrency ${config.ingestConcurrency}, session timeout ${config.sessionTimeoutMs} ms; ` +
      `DuckDB memory_limit ${config.duckdb.memoryLimit}, threads ${config.duckdb.threads}.`,
    '',
    '### Results',
    '',
    ...r.report,
    '',
    '- msg/s, lines/s, MB/s (MiB of key + value, as ConsumerPerformance counts) are over the consuming phase: ' +
      "A's fetch.time.ms, B from consumer.run() resolving (group joined) to the last message, ours from the " +
      "'ingest started' log line (group joined) to every partition's offset stored in DuckDB. " +
      '"incl. start-up" counts from process spawn (JVM or node, DB open, group join) instead. ' +
      `\`spend ingest\` ran ${spendLauncher()}.`,
    '- * A and B parse nothing: their lines/s is msg/s × lines per message, for comparison only.',
    '- C: the same messages as NDJSON (bench/dump.ts), loaded by DuckDB alone in one transaction: `read_json` into the ' +
      "staging table, then the topic handler's own inserts (`from_json` shredding, column types, NOT NULL); its time runs " +
      "from BEGIN to COMMIT. It applies none of the contract's rules that ours checks in JavaScript, so it is an upper bound. " +
      'The serial combination 1 / (1/B + 1/C) is what reading with kafkajs and then loading with DuckDB, one after the other, would give.',
    '- Peak RSS: VmHWM of the consumer process (/proc/<pid>/status), polled every 100 ms. CPU s: user + ' +
      'system time of the consumer process (all threads) from spawn to done; other CPU s: the rest of the ' +
      'machine meanwhile (the broker serving the fetches, the driver, and anything else running). Both include start-up.',
    ...r.ours.map((line) => `- ${line}`),
    `- CPU busy (all cores, 2 s sample) just before each consumer ran: ${r.loads.join('; ')}.`,
    '',
    '<details><summary>ConsumerPerformance output</summary>',
    '',
    '```',
    r.javaRaw,
    '```',
    '',
    '</details>',
    '',
    ...(r.profile.length > 0
      ? ['', '### Where ours spends its time (node --cpu-prof, separate run)', '', ...r.profile]
      : []),
  ].join('\n');
}

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((error) => console.error(`cleanup failed: ${(error as Error).message}`));
  }
  cleanups.length = 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(`\nbench:ingest failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

/**
 * Sustained load (issue 10, Deliver 8): a real `spend serve` on the run's broker (topics, group
 * and database file of its own) takes steady production near its measured capacity for a set
 * time while dashboards' marts are queried over its HTTP API. Then zero loss is checked exactly:
 * every produced message is in DuckDB once (valid ones as invoices, bad ones as rejected
 * messages), and the counts and the GBP total equal what this file produced, computed here from
 * the produced JSON with its own decimal arithmetic. Lag (from the API) and the server's RSS are
 * sampled over the run and returned as a table.
 *
 * Used by `npm run test:load` (tests/load/sustained.test.ts, 15 minutes by default) and by a
 * short smoke in the suite (tests/load-smoke.test.ts).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { InvoiceGenerator } from '../../bench/invoices.ts';
import { MIGRATIONS_DIR } from '../../ingest/schema-migrations.ts';
import { addBody } from '../../lib/bodies.ts';
import { Database, queryRows } from '../../lib/db.ts';
import { createKey } from '../../lib/keys.ts';
import { callOperation } from '../../owner/call-operation.ts';
import { createPipeline } from '../helpers/pipeline.ts';

export type LoadOptions = {
  /** How long to produce at the steady rate. */
  seconds: number;
  /** Messages per second; when absent, measured first (a backlog's ingest rate) × `fraction`. */
  rate?: number;
  /** Share of the measured capacity to produce at (default 0.8). */
  fraction?: number;
  /** Messages in the capacity measurement's backlog (default 30,000). */
  calibrationMessages?: number;
  /** One rejected-by-contract message in this many (default 200). */
  badEvery?: number;
  /** Time between samples of lag and RSS (default 10 s). */
  sampleMs?: number;
  /** Transform schedule during the run (default every 3 minutes). */
  transformsCron?: string;
  /** How long the backlog may take to drain after production stops (default 10 minutes). */
  drainTimeoutMs?: number;
  /** A file to which the server's log lines are appended as they come. */
  serverLog?: string;
  /** More settings for the server (and the test's own view of the configuration). */
  serverEnv?: Record<string, string>;
  log?: (line: string) => void;
};

export type Sample = {
  seconds: number;
  produced: number;
  /** Messages in Kafka not yet stored in DuckDB (the API's /api/v1/ingest/lag). */
  behind: bigint;
  rssMiB: number;
  apiRequests: number;
};

export type LoadResult = {
  capacity: number | null;
  rate: number;
  seconds: number;
  produced: { messages: number; valid: number; bad: number; lines: number; netPence: bigint };
  stored: { invoices: number; distinctOffsets: number; lines: number; netPence: bigint; rejected: number };
  samples: Sample[];
  maxBehind: bigint;
  peakRssMiB: number;
  drainSeconds: number;
  /** Why the backlog did not drain in time (then the stored figures fall short), or null. */
  notDrained: string | null;
  api: { requests: number; failures: number; p95Ms: number };
  serveExitCode: number | null;
};

const BODY = 'load-council';

/** "-1234.56" → -123456n with nothing but string and bigint arithmetic (independent of lib/money). */
export function decimalToPence(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new Error(`not a 2-place decimal: ${text}`);
  const pence = BigInt(match[2] ?? '0') * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] ? -pence : pence;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  await new Promise((ok) => server.close(ok));
  return port;
}

function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Produces messages, keeping its own exact tally of what went out. */
class Production {
  readonly generator = new InvoiceGenerator(BODY, 20_261_204);
  produced = { messages: 0, valid: 0, bad: 0, lines: 0, netPence: 0n };
  private next = 0;

  constructor(private readonly badEvery: number) {}

  batch(count: number): { key: string; value: string }[] {
    const out: { key: string; value: string }[] = [];
    for (let n = 0; n < count; n++) {
      const i = this.next++;
      const invoice = this.generator.next(i);
      if (i % this.badEvery === this.badEvery - 1) {
        // Alternately not JSON at all and a valid document with a sub-penny amount: both must be
        // dead-lettered, neither may reach the invoices.
        const value =
          i % (2 * this.badEvery) === this.badEvery - 1
            ? `{"invoiceId": "broken-${i}"`
            : invoice.value.replace(/"netAmount":"(-?\d+)\.(\d\d)"/, '"netAmount":"$1.$21"');
        if (value === invoice.value) throw new Error(`could not spoil message ${i}`);
        out.push({ key: invoice.key, value });
        this.produced.bad++;
      } else {
        const document = JSON.parse(invoice.value) as { netAmount: string; lines?: unknown[] };
        const pence = decimalToPence(document.netAmount);
        // The generator's own pence and the JSON it wrote must agree (two routes to one figure).
        if (pence !== invoice.netPence)
          throw new Error(`generator wrote ${document.netAmount} for ${invoice.netPence}`);
        this.produced.netPence += pence;
        this.produced.lines += document.lines?.length ?? 0;
        this.produced.valid++;
        out.push({ key: invoice.key, value: invoice.value });
      }
      this.produced.messages++;
    }
    return out;
  }
}

/** Queries marts over the API at a steady pace until stopped; every answer must be 200. */
function martQueries(base: string, key: string, everyMs: number) {
  const paths = [
    '/api/v1/cube?groupBy=month,body',
    '/api/v1/marts/fct_shared_suppliers',
    '/api/v1/marts/fct_spend_cube',
    '/api/v1/ingest/lag',
  ];
  const times: number[] = [];
  const failures: string[] = [];
  let stopped = false;
  const loop = async () => {
    for (let n = 0; !stopped; n++) {
      const path = paths[n % paths.length] as string;
      const began = performance.now();
      try {
        const response = await fetch(`${base}${path}`, {
          headers: { authorization: `Bearer ${key}`, 'cache-control': 'no-cache' },
        });
        await response.arrayBuffer();
        if (response.status !== 200) failures.push(`${path}: HTTP ${response.status}`);
      } catch (error) {
        failures.push(`${path}: ${(error as Error).message}`);
      }
      times.push(performance.now() - began);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  const running = loop();
  return {
    count: () => times.length,
    stop: async () => {
      stopped = true;
      await running;
      const sorted = [...times].sort((a, b) => a - b);
      return {
        requests: times.length,
        failures,
        p95Ms: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? 0,
      };
    },
  };
}

export async function runSustainedLoad(options: LoadOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const say = options.log ?? (() => undefined);
  const log = (line: string) => say(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${line}`);
  const badEvery = options.badEvery ?? 200;
  const sampleMs = options.sampleMs ?? 10_000;
  const port = await freePort();
  const pipeline = await createPipeline({
    PORT: String(port),
    HOST: '127.0.0.1',
    API_RATE_LIMIT_PER_MINUTE: '100000000',
    TRANSFORMS_CRON: options.transformsCron ?? '*/3 * * * *',
    // The product's default, not the test helper's 3 s (made for quick rebalances in short tests).
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    ...options.serverEnv,
  });
  // Set up in the file directly before the owner holds it (no CLI start-ups: suite time).
  const setup = await Database.open({ path: pipeline.config.dbPath, migrationsDir: MIGRATIONS_DIR });
  let apiKey: string;
  try {
    apiKey = await setup.withConnection(async (conn) => {
      await addBody(conn, { bodyId: BODY, name: 'Load County Council', joinedOn: '2020-04-01' });
      return (await createKey(conn, { name: 'load', role: 'procurement' })).key;
    });
  } finally {
    setup.close();
  }
  log('body registered, API key made');

  const production = new Production(badEvery);
  const producer = await pipeline.producer();
  const send = (count: number) =>
    producer.send({ topic: pipeline.config.topics.invoices, messages: production.batch(count) });

  // Capacity: a backlog produced before the owner starts, then ingested from the owner's start.
  let capacity: number | null = null;
  if (options.rate === undefined) {
    const backlog = options.calibrationMessages ?? 30_000;
    for (let sent = 0; sent < backlog; sent += 1000) await send(Math.min(1000, backlog - sent));
    log(`capacity: ${backlog.toLocaleString('en')} messages produced; starting spend serve on them`);
  }
  const owner = pipeline.startOwner('serve');
  const serverLog = options.serverLog;
  if (serverLog) owner.child.stderr?.on('data', (d: Buffer) => appendFileSync(serverLog, d));
  await owner.ready();
  const started = performance.now();
  log('spend serve is up');
  if (options.rate === undefined) {
    await pipeline.waitUntilIngested(600_000);
    capacity = production.produced.messages / ((performance.now() - started) / 1000);
    log(
      `capacity: ${Math.round(capacity).toLocaleString('en')} msg/s (from the owner's start to every offset stored)`,
    );
  }
  const rate = Math.max(1, Math.round(options.rate ?? (capacity ?? 0) * (options.fraction ?? 0.8)));

  // The marts exist before the dashboards' queries start.
  const built = (await callOperation(pipeline.config, 'transforms.run', {
    full: false,
    select: [],
    codelistsDir: pipeline.config.codelistsDir,
  })) as { failed: number; models: { model: string; error?: string | null }[] };
  if (built.failed > 0)
    throw new Error(`transforms run failed: ${JSON.stringify(built.models.filter((m) => m.error))}`);
  log('marts built; steady production starts');
  const base = `http://127.0.0.1:${port}`;
  const queries = martQueries(base, apiKey, 250);

  const samples: Sample[] = [];
  const beganAt = performance.now();
  const producedBefore = production.produced.messages;
  const sample = async () => {
    const response = await fetch(`${base}/api/v1/ingest/lag`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    if (response.status !== 200) throw new Error(`lag: HTTP ${response.status} ${await response.text()}`);
    const lag = (await response.json()) as { behind: string };
    samples.push({
      seconds: Math.round((performance.now() - beganAt) / 1000),
      produced: production.produced.messages - producedBefore,
      behind: BigInt(lag.behind),
      rssMiB: rssMiB(owner.child.pid),
      apiRequests: queries.count(),
    });
    const last = samples.at(-1) as Sample;
    log(
      `  ${last.seconds} s: produced ${last.produced.toLocaleString('en')}, behind ${last.behind}, RSS ${Math.round(last.rssMiB)} MiB, ${last.apiRequests} API queries`,
    );
  };
  await sample();
  let nextSample = beganAt + sampleMs;
  const endAt = beganAt + options.seconds * 1000;
  // Steady production: every 100 ms, send what the schedule says is due (a late tick catches up).
  while (performance.now() < endAt) {
    if (owner.child.exitCode !== null)
      throw new Error(`spend serve exited during the run:\n${owner.stderr().slice(-3000)}`);
    const due =
      Math.floor(((performance.now() - beganAt) / 1000) * rate) -
      (production.produced.messages - producedBefore);
    // At most 1,000 messages (~800 KB, ~200 KB a partition) per send: a record batch must stay
    // under the broker's 1 MB message.max.bytes, also when a late tick catches up.
    for (let left = due; left > 0; left -= 1000) await send(Math.min(left, 1000));
    if (performance.now() >= nextSample) {
      await sample();
      nextSample += sampleMs;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const productionEnded = performance.now();
  log('production stopped; draining');
  let notDrained: string | null = null;
  try {
    await pipeline.waitUntilIngested(options.drainTimeoutMs ?? 600_000);
  } catch (error) {
    // Still count what is stored and report the run: the caller's checks then fail, with figures.
    notDrained = (error as Error).message;
    log(`NOT drained: ${notDrained.slice(0, 3000)}`);
  }
  const drainSeconds = (performance.now() - productionEnded) / 1000;
  await sample();
  const api = await queries.stop();

  owner.child.kill('SIGTERM');
  const exit = await owner.exited;
  log(`spend serve stopped (code ${exit.code}); checking the database`);

  const db = await Database.open({ path: pipeline.config.dbPath, migrationsDir: MIGRATIONS_DIR });
  let stored: LoadResult['stored'];
  try {
    stored = await db.withConnection(async (conn) => {
      const [invoices] = await queryRows<{ n: string; offsets: string; net: string }>(
        conn,
        `select count(*)::varchar as n, count(distinct (kafka_partition, kafka_offset))::varchar as offsets,
                coalesce(sum(net_amount), 0)::varchar as net
         from invoices where body_id = $body`,
        { body: BODY },
      );
      const [lines] = await queryRows<{ n: string }>(
        conn,
        'select count(*)::varchar as n from invoice_lines where body_id = $body',
        { body: BODY },
      );
      const [rejected] = await queryRows<{ n: string }>(
        conn,
        'select count(distinct (kafka_partition, kafka_offset))::varchar as n from rejected_messages where topic = $topic',
        { topic: pipeline.config.topics.invoices },
      );
      return {
        invoices: Number(invoices?.n),
        distinctOffsets: Number(invoices?.offsets),
        lines: Number(lines?.n),
        netPence: decimalToPence(invoices?.net ?? ''),
        rejected: Number(rejected?.n),
      };
    });
  } finally {
    db.close();
  }
  return {
    capacity,
    rate,
    seconds: options.seconds,
    produced: production.produced,
    stored,
    samples,
    // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max throws on them)
    maxBehind: samples.reduce((max, s) => (s.behind > max ? s.behind : max), 0n),
    peakRssMiB: samples.reduce((max, s) => Math.max(max, s.rssMiB), 0),
    drainSeconds,
    notDrained,
    api: { requests: api.requests, failures: api.failures.length, p95Ms: api.p95Ms },
    serveExitCode: exit.code,
  };
}

/** The run as Markdown: a summary and the lag/RSS table (one row per `everySeconds`). */
export function loadReport(result: LoadResult, everySeconds: number): string[] {
  const rows: Sample[] = [];
  for (const s of result.samples) {
    const last = rows.at(-1);
    if (!last || s.seconds - last.seconds >= everySeconds || s === result.samples.at(-1)) rows.push(s);
  }
  const pounds = (p: bigint) =>
    `£${p < 0n ? '-' : ''}${(p < 0n ? -p : p) / 100n}.${((p < 0n ? -p : p) % 100n).toString().padStart(2, '0')}`;
  return [
    `- ${result.seconds} s of steady production at ${result.rate.toLocaleString('en')} msg/s` +
      (result.capacity === null
        ? ' (rate given)'
        : ` (0.8 × the measured capacity of ${Math.round(result.capacity).toLocaleString('en')} msg/s: a 30,000-message backlog ingested by the same server)`),
    `- produced ${result.produced.messages.toLocaleString('en')} messages: ${result.produced.valid.toLocaleString('en')} valid invoices with ${result.produced.lines.toLocaleString('en')} lines, net ${pounds(result.produced.netPence)}; ${result.produced.bad} bad (dead-lettered by contract)`,
    `- stored: ${result.stored.invoices.toLocaleString('en')} invoices at ${result.stored.distinctOffsets.toLocaleString('en')} distinct offsets, ${result.stored.lines.toLocaleString('en')} lines, net ${pounds(result.stored.netPence)}; ${result.stored.rejected} rejected messages: ${lossVerdict(result)}`,
    `- ${result.notDrained ? `**NOT drained** ${result.drainSeconds.toFixed(0)} s after production stopped (the figures above fall short by what was still in Kafka)` : `drained ${result.drainSeconds.toFixed(1)} s after production stopped`}; most behind ${result.maxBehind.toLocaleString('en')} messages; peak RSS of spend serve ${Math.round(result.peakRssMiB)} MiB (sampled)`,
    `- marts queried over the API throughout: ${result.api.requests.toLocaleString('en')} requests (cube, shared suppliers, spend cube, lag; no-cache), ${result.api.failures} failed, p95 ${Math.round(result.api.p95Ms)} ms`,
    '',
    '| time (s) | produced | behind (messages) | RSS of spend serve (MiB) | API queries |',
    '|---:|---:|---:|---:|---:|',
    ...rows.map(
      (s) =>
        `| ${s.seconds} | ${s.produced.toLocaleString('en')} | ${s.behind.toLocaleString('en')} | ${Math.round(s.rssMiB)} | ${s.apiRequests.toLocaleString('en')} |`,
    ),
  ];
}

function lossVerdict(r: LoadResult): string {
  const exact =
    r.stored.invoices === r.produced.valid &&
    r.stored.distinctOffsets === r.produced.valid &&
    r.stored.lines === r.produced.lines &&
    r.stored.netPence === r.produced.netPence &&
    r.stored.rejected === r.produced.bad;
  if (exact) return '**exactly what was produced: lost 0, counted twice 0**';
  const twice = r.stored.invoices - r.stored.distinctOffsets;
  const missing = r.produced.valid - r.stored.distinctOffsets;
  return `**NOT what was produced**: ${missing} invoices missing, ${twice} stored twice (same Kafka offset), ${r.produced.bad - r.stored.rejected} bad messages missing`;
}

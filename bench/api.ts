/**
 * npm run bench:api [-- --lines N] [-- --seconds S] [-- --smoke] [-- --keep] [-- --database F]
 *
 * How fast does `spend serve` answer the dashboards' main queries under load, and how much memory
 * does it need? (issue 11: p95 < 100 ms with 50 connections, RSS < 1 GiB, on the 10M-line set.)
 *
 * 1. A demo database of N invoice lines (default 10,000,000; bench/transforms-data.ts, the
 *    transforms benchmark's generator), every model built, a procurement key made.
 * 2. The real owner: `spend serve` as a child process on that file (its own topics, the schedule
 *    pushed out of the way, the rate limit raised so that 50 connections are not refused).
 * 3. autocannon, 50 connections, S seconds (default 15) per endpoint, twice: as dashboards poll
 *    (answers cached per transform run, api/cache.ts) and with `Cache-Control: no-cache` (every
 *    request runs its query in DuckDB). Latency percentiles from every 200 answer's own time;
 *    answers other than 200 (the query gate's 503 after API_QUERY_TIMEOUT_MS) are counted apart.
 * 4. The server stopped, the same SQL run directly in DuckDB, one statement at a time, in the same
 *    run: the floor the API stands on.
 * 5. Peak RSS of `spend serve` (VmHWM) over the whole run; a table on stdout and the
 *    `## API (npm run bench:api)` section of BENCHMARKS.md.
 *
 * --smoke: 20,000 lines, 1 s per endpoint, 5 connections, BENCHMARKS.md left alone (the suite
 * runs it so that the harness cannot rot).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import autocannon from 'autocannon';
import { DEFAULT_PAGE_ROWS } from '../api/schemas.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { loadConfig } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import { createKey } from '../lib/keys.ts';
import { ensureContractTables } from '../transforms/contracts/store.ts';
import { runOnConnection } from '../transforms/runner.ts';
import { machineBusySeconds, spawnMeasured } from './child.ts';
import { machineFacts, markdownTable, writeSection } from './report.ts';
import { generateBenchData, scaleFor } from './transforms-data.ts';

const SECTION_TITLE = '## API (npm run bench:api)';
const GOALS = { p95Ms: 100, rssMiB: 1024 };
const SPEND_BIN = resolve(import.meta.dirname, '../bin/spend.js');
/** Direct DuckDB runs of each statement. */
const DIRECT_RUNS = 30;

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string' },
    seconds: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    // leave the generated database for looking into afterwards (its path is printed)
    keep: { type: 'boolean', default: false },
    // measure on a database a run kept (--keep) instead of generating and transforming anew
    database: { type: 'string' },
  },
});
const smoke = args.smoke === true;
const lines = Number(args.lines ?? (smoke ? 20_000 : 10_000_000));
const seconds = Number(args.seconds ?? (smoke ? 1 : 15));
const connections = smoke ? 5 : 50;
const config = loadConfig();

/** One dashboard query: its API path, and the SQL the route runs for it (for the direct run). */
type Endpoint = { name: string; path: string; sql: string; params: Record<string, DuckDBValue> };

type Latencies = {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  perSecond: number;
  requests: number;
  /** Requests with no answer within autocannon's 10 s (counted, not in the percentiles). */
  timeouts: number;
  /** Answers other than 200 (the query gate's 503 when a request waited too long), by status. */
  refused: Record<string, number>;
};

const say = (text: string) => console.log(text);
const ms = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en'));

async function main(): Promise<void> {
  const facts = machineFacts();
  const dir = mkdtempSync(join(tmpdir(), 'spend-bench-api-'));
  try {
    const dbPath = args.database ?? join(dir, 'spend.duckdb');
    say(
      `API benchmark: ${args.database ? args.database : `${lines.toLocaleString('en')} invoice lines`}, ${connections} connections, ${seconds} s per endpoint`,
    );
    const prepared = await prepareDatabase(dbPath);
    const server = await startServe(dir, dbPath);
    const cached: Latencies[] = [];
    const uncached: Latencies[] = [];
    let peakRssBytes = 0;
    try {
      for (const endpoint of prepared.endpoints) {
        for (const [mode, into] of [
          ['cached', cached],
          ['no-cache', uncached],
        ] as const) {
          const result = await load(server.base, endpoint.path, prepared.key, mode === 'no-cache');
          into.push(result);
          say(
            `  ${endpoint.name} (${mode}): p50 ${ms(result.p50)} ms, p95 ${ms(result.p95)} ms, p99 ${ms(result.p99)} ms, ${Math.round(result.perSecond)} req/s, ${result.timeouts} unanswered in 10 s, refused: ${refusals(result)}`,
          );
        }
      }
      peakRssBytes = server.run.peakRssBytes();
    } finally {
      server.run.child.kill('SIGTERM');
      await server.run.exited;
    }
    const serverProblems = problemsLogged(`${server.run.stdout()}\n${server.run.stderr()}`);
    if (serverProblems.length > 0)
      say(`the server logged:\n${serverProblems.map((p) => `  ${p}`).join('\n')}`);
    const otherCores =
      (machineBusySeconds() - server.busyAtStart - server.run.cpuSeconds()) / server.wallSeconds();
    say('Direct DuckDB runs of the same SQL …');
    const direct = await directRuns(dbPath, prepared.endpoints);

    const report = [
      ...reportLines(prepared.endpoints, cached, uncached, direct, peakRssBytes),
      ...(serverProblems.length > 0
        ? ['', 'The server logged (warnings and errors, counted):', ...serverProblems.map((p) => `- ${p}`)]
        : []),
    ];
    say(`\n${report.join('\n')}\n`);
    say(`other processes used ${otherCores.toFixed(2)} cores on average while the server ran`);
    if (smoke) {
      say('smoke run: BENCHMARKS.md left alone');
      return;
    }
    const body = [
      `One run of \`npm run bench:api${args.database ? ' -- --database …' : ''}\` (${prepared.counts}${args.database ? ', on the database an earlier run generated and kept' : `; ${lines.toLocaleString('en')} generated`}), ${facts.Date}.`,
      'Code: `bench/api.ts` (what is measured and how, in its header).',
      '',
      `Machine: ${facts.CPU}, ${facts.RAM}, Node ${facts.Node}, @duckdb/node-api ${facts['@duckdb/node-api']}; DuckDB memory_limit ${config.duckdb.memoryLimit}, threads ${config.duckdb.threads}. While the server ran, other processes used ${otherCores.toFixed(2)} cores on average (this machine is shared: above ~0.3 the figures are pessimistic).`,
      '',
      ...report,
      '',
      `- Load: autocannon, ${connections} connections, ${seconds} s per endpoint and mode, one procurement key, \`Accept-Encoding: gzip, deflate, br\` as a browser sends (kept answers go gzipped, fresh ones as they are); the server's rate limit raised for the run (API_RATE_LIMIT_PER_MINUTE), LOG_LEVEL=warn (no request log lines).`,
      '- "cached": requests as a dashboard polls; the first runs the query, the rest are answered from the cache of the current transform run (api/cache.ts). "no-cache": every request sends `Cache-Control: no-cache` and runs its query in DuckDB.',
      `- Direct DuckDB: the same statement as the route, ${DIRECT_RUNS} times one after the other on one connection of the same database file (server stopped), no HTTP, no JSON.`,
      '- Peak RSS: VmHWM of the `spend serve` process (owner: API, ingest consumer on empty topics, schedule) over the whole run.',
    ].join('\n');
    say(`written: ${writeSection(SECTION_TITLE, body)}`);
  } finally {
    if (args.keep && !args.database) say(`kept: ${join(dir, 'spend.duckdb')}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function prepareDatabase(
  path: string,
): Promise<{ endpoints: Endpoint[]; key: string; counts: string }> {
  const db = await Database.open({
    path,
    migrationsDir: MIGRATIONS_DIR,
    memoryLimit: config.duckdb.memoryLimit,
    threads: config.duckdb.threads,
  });
  try {
    return await db.withConnection(async (conn) => {
      if (args.database) say(`  on ${args.database}, generated and transformed by an earlier run`);
      else await generateAndTransform(conn);
      const key = (await createKey(conn, { name: 'bench-api', role: 'procurement' })).key;
      // a large supplier shared by several bodies, and the most widely bought item
      const [entity] = await queryRows<{ id: string }>(
        conn,
        'select entity_id as id from fct_shared_suppliers group by all order by sum(body_net_total) desc, 1 limit 1',
      );
      const [item] = await queryRows<{ code: string }>(
        conn,
        'select item_code as code from fct_price_dispersion order by bodies desc, net_amount desc, 1 limit 1',
      );
      const [counts] = await queryRows<{ lines: string; invoices: string; cube: string }>(
        conn,
        `select (select count(*) from invoice_lines)::varchar as lines, (select count(*) from invoices)::varchar as invoices,
                (select count(*) from fct_spend_cube)::varchar as cube`,
      );
      if (!entity || !item) throw new Error('no shared supplier or priced item in the generated data');
      const page = DEFAULT_PAGE_ROWS + 1; // the routes read one row past the default page
      const endpoints: Endpoint[] = [
        {
          name: 'cube by month and body',
          // as the overview page asks (one currency: totals in several would not add up)
          path: '/api/v1/cube?groupBy=month,body&currency=GBP',
          sql: `select spend_month, body_id, sum(net_total) as net_total, sum(lines)::bigint as lines,
                       sum(documents)::bigint as documents
                from fct_spend_cube where currency in ($currency0)
                group by spend_month, body_id order by all limit ${page}`,
          params: { currency0: 'GBP' },
        },
        {
          name: 'shared suppliers',
          path: '/api/v1/marts/fct_shared_suppliers',
          sql: `select * from fct_shared_suppliers order by all limit ${page}`,
          params: {},
        },
        {
          name: 'price dispersion of one item',
          path: `/api/v1/marts/fct_price_dispersion?where=${encodeURIComponent(`item_code=${item.code}`)}`,
          sql: `select * from fct_price_dispersion where item_code = $item order by all limit ${page}`,
          params: { item: item.code },
        },
        {
          name: 'supplier profile',
          path: `/api/v1/suppliers/${encodeURIComponent(entity.id)}`,
          sql: `select body_id, supplier_name, cleaned_name, reason, score, matched_body_id, matched_name,
                       vat_number, company_number, charity_number, decided
                from int_supplier_matches where entity_id = $entity order by body_id, supplier_name`,
          params: { entity: entity.id },
        },
      ];
      return {
        endpoints,
        key,
        counts: `${Number(counts?.lines).toLocaleString('en')} invoice lines stored, ${Number(counts?.invoices).toLocaleString('en')} invoices, ${Number(counts?.cube).toLocaleString('en')} spend cube rows`,
      };
    });
  } finally {
    db.close();
  }
}

async function generateAndTransform(conn: DuckDBConnection): Promise<void> {
  await ensureContractTables(conn);
  let began = performance.now();
  await generateBenchData(conn, scaleFor(lines));
  say(`  generated in ${((performance.now() - began) / 1000).toFixed(1)} s; full transform run …`);
  began = performance.now();
  const run = await runOnConnection(conn, { full: true, codelistsDir: config.codelistsDir });
  const failed = run.models.filter((m) => m.status !== 'success');
  if (failed.length > 0)
    throw new Error(`models did not build: ${failed.map((m) => `${m.model}: ${m.error}`).join('; ')}`);
  say(`  transforms in ${((performance.now() - began) / 1000).toFixed(1)} s`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  await new Promise((ok) => server.close(ok));
  return port;
}

async function startServe(dir: string, dbPath: string) {
  const port = await freePort();
  const id = `bench-api-${randomBytes(3).toString('hex')}`;
  const busyAtStart = machineBusySeconds();
  const startedAt = performance.now();
  const run = spawnMeasured(process.execPath, [SPEND_BIN, 'serve'], {
    ...process.env,
    SPEND_DB: dbPath,
    SPEND_SOCKET: join(dir, 'spend.sock'),
    HOST: '127.0.0.1',
    PORT: String(port),
    SPEND_TOPIC_INVOICES: `${id}.invoices`,
    SPEND_TOPIC_PURCHASE_ORDERS: `${id}.purchase-orders`,
    SPEND_TOPIC_DEAD_LETTER: `${id}.dead-letter`,
    SPEND_CONSUMER_GROUP: `${id}.group`,
    // once a year: no transform run starts during the measurement
    TRANSFORMS_CRON: '0 0 1 1 *',
    API_RATE_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'warn',
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    const exited = await Promise.race([run.exited.then(() => true), new Promise((r) => setTimeout(r, 250))]);
    if (exited) throw new Error(`spend serve exited:\n${run.stderr().slice(-3000)}`);
    const up = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
  }
  return { run, base, busyAtStart, wallSeconds: () => (performance.now() - startedAt) / 1000 };
}

/** autocannon against one path; latency percentiles from every response's own time. */
async function load(base: string, path: string, key: string, noCache: boolean): Promise<Latencies> {
  const times: number[] = [];
  const refused: Record<string, number> = {};
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((done, fail) => {
    instance = autocannon(
      {
        url: `${base}${path}`,
        connections,
        duration: seconds,
        headers: {
          authorization: `Bearer ${key}`,
          // as a browser asks
          'accept-encoding': 'gzip, deflate, br',
          ...(noCache ? { 'cache-control': 'no-cache' } : {}),
        },
      },
      (error, result) => (error ? fail(error) : done(result)),
    );
  });
  instance?.on('response', (_client, statusCode, _bytes, responseTime) => {
    // refusals are counted apart: a fast 503 is not a fast answer
    if (statusCode === 200) times.push(responseTime);
    else refused[statusCode] = (refused[statusCode] ?? 0) + 1;
  });
  const result = await finished;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return {
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    mean: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
    perSecond: times.length / seconds,
    requests: times.length,
    timeouts: result.timeouts + result.errors,
    refused,
  };
}

async function directRuns(path: string, endpoints: Endpoint[]): Promise<Latencies[]> {
  const db = await Database.open({
    path,
    migrationsDir: MIGRATIONS_DIR,
    memoryLimit: config.duckdb.memoryLimit,
    threads: config.duckdb.threads,
  });
  try {
    return await db.withConnection(async (conn) => {
      const out: Latencies[] = [];
      for (const endpoint of endpoints) {
        const times: number[] = [];
        for (let i = 0; i < DIRECT_RUNS; i++) {
          const began = performance.now();
          await conn.runAndReadAll(endpoint.sql, endpoint.params);
          times.push(performance.now() - began);
        }
        times.sort((a, b) => a - b);
        const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
        const total = times.reduce((a, b) => a + b, 0);
        out.push({
          p50: at(0.5),
          p95: at(0.95),
          p99: at(0.99),
          mean: total / times.length,
          perSecond: times.length / (total / 1000),
          requests: times.length,
          timeouts: 0,
          refused: {},
        });
      }
      return out;
    });
  } finally {
    db.close();
  }
}

/** p50 / p95 / p99, or a dash when nothing was answered (no percentile to give). */
/**
 * The server's warnings and errors (pino JSON lines, level ≥ 40), by message and error, counted:
 * why an answer other than 200 was given.
 */
function problemsLogged(output: string): string[] {
  const counts = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) < 40) continue;
      const what = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message.split('\n')[0]}` : ''}`;
      counts.set(what, (counts.get(what) ?? 0) + 1);
    } catch {
      // not a log line
    }
  }
  return [...counts].map(([what, n]) => `${what} (× ${n})`);
}

/** "none", or each status other than 200 with its count: "503 × 241". */
const refusals = (l: Latencies) =>
  Object.entries(l.refused)
    .map(([status, n]) => `${status} × ${n}`)
    .join(', ') || 'none';
const refusedCount = (l: Latencies) => Object.values(l.refused).reduce((a, b) => a + b, 0);

const percentiles = (l: Latencies) =>
  l.requests === 0 ? '– (none answered)' : `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)}`;

function reportLines(
  endpoints: Endpoint[],
  cached: Latencies[],
  uncached: Latencies[],
  direct: Latencies[],
  peakRssBytes: number,
): string[] {
  const rows = endpoints.map((endpoint, i) => {
    const c = cached[i] as Latencies;
    const u = uncached[i] as Latencies;
    const d = direct[i] as Latencies;
    return [
      endpoint.name,
      percentiles(c),
      Math.round(c.perSecond).toLocaleString('en'),
      percentiles(u),
      Math.round(u.perSecond).toLocaleString('en'),
      `${c.timeouts} / ${u.timeouts}`,
      `${refusals(c)} / ${refusals(u)}`,
      `${ms(d.p50)} / ${ms(d.p95)}`,
      c.timeouts + u.timeouts + refusedCount(c) + refusedCount(u) > 0
        ? 'NOT met'
        : c.p95 < GOALS.p95Ms && u.p95 < GOALS.p95Ms
          ? 'met'
          : c.p95 < GOALS.p95Ms
            ? 'met cached only'
            : 'NOT met',
    ];
  });
  const peakMiB = peakRssBytes / 2 ** 20;
  return [
    ...markdownTable(
      [
        'Endpoint',
        'cached p50 / p95 / p99 (ms)',
        'cached req/s',
        'no-cache p50 / p95 / p99 (ms)',
        'no-cache req/s',
        'unanswered in 10 s (cached / no-cache)',
        'answers other than 200 (cached / no-cache)',
        'direct DuckDB p50 / p95 (ms)',
        `p95 < ${GOALS.p95Ms} ms`,
      ],
      rows,
    ),
    '',
    ...markdownTable(
      ['Measure', 'Value', 'Goal', ''],
      [
        [
          'peak RSS of spend serve',
          `${Math.round(peakMiB).toLocaleString('en')} MiB`,
          `< ${GOALS.rssMiB} MiB`,
          peakMiB < GOALS.rssMiB ? 'met' : 'NOT met',
        ],
      ],
    ),
    '',
    ...endpoints.map((e) => `- ${e.name}: \`GET ${e.path}\``),
  ];
}

try {
  await main();
} catch (error) {
  console.error(`\nbench:api failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}

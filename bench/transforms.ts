/**
 * npm run bench:transforms [-- --lines N] [-- --increment K] [-- --keep]
 *
 * How long do the SQL transforms take on a large partnership, in full and incrementally, and
 * what do the marts cost next to a plain DuckDB query of their core aggregate?
 *
 * 1. A fresh DuckDB file (the configured memory limit and threads) holding N generated invoice
 *    lines (default 10,000,000; bench/transforms-data.ts), written directly by SQL.
 * 2. Full refresh: every model from scratch (`spend transforms run --full`), timed per model.
 * 3. For each mart, a plain DuckDB query of its core aggregate over the raw ingested tables
 *    (current versions of the invoices, no models), materialised as the mart is, in the same
 *    run. The ratio compares the mart's own build with it; "with upstream" adds every model the
 *    mart depends on, all of which it shares with the other marts.
 * 4. K more lines (default 100,000) in new ingest batches: new invoices, late invoices for old
 *    months, corrections and retractions; then an incremental refresh, timed per model, and the
 *    cube checked against the current lines to the penny.
 * 5. The resolver's precision and recall on the demo generator's planted supplier groups and,
 *    when ../shared is there, on the real Nov 2023 pairs (identifier-labelled and hand-labelled).
 * 6. A table on stdout and the `## Transforms (npm run bench:transforms)` section of BENCHMARKS.md
 *    (only that section is replaced).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { plantedDemoSample } from '../evaluation/resolver/demo-pairs.ts';
import { buildIdentifierPairs } from '../evaluation/resolver/identifier-pairs.ts';
import { readRealAliases, sharedDataAvailable } from '../evaluation/resolver/real-names.ts';
import {
  HAND_LABELLED_PAIRS,
  readPairs,
  realSamples,
  resolveRealNamesOnly,
  type Score,
  score,
} from '../evaluation/resolver/score.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { loadConfig } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import { ensureContractTables } from '../transforms/contracts/store.ts';
import { ancestors, loadModels } from '../transforms/models.ts';
import { cleanName } from '../transforms/resolver/normalise.ts';
import { resolveSuppliers } from '../transforms/resolver/resolve.ts';
import { isDistinctive } from '../transforms/resolver/similarity.ts';
import { type ModelRun, runOnConnection } from '../transforms/runner.ts';
import { machineBusySeconds } from './child.ts';
import { markdownTable, packageVersion, waitForIdle, writeSection } from './report.ts';
import { addIncrement, BODIES, generateBenchData, scaleFor } from './transforms-data.ts';

const SECTION_TITLE = '## Transforms (npm run bench:transforms)';
const BENCHMARKS_FILE = resolve(import.meta.dirname, '../BENCHMARKS.md');
const GOALS = { martVsPlain: 3, incrementalVsFull: 0.1, precision: 0.99, recall: 0.95 };

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string' },
    increment: { type: 'string' },
    keep: { type: 'boolean', default: false },
    // A small data set, every step and check, BENCHMARKS.md left alone (bench/smoke.test.ts).
    smoke: { type: 'boolean', default: false },
    // Print the report only (runs at other sizes for the scaling curve keep the 10M section).
    'no-write': { type: 'boolean', default: false },
  },
});
const lines = Number(args.lines ?? (args.smoke ? '20000' : '10000000'));
const increment = Number(args.increment ?? (args.smoke ? '1000' : '100000'));
const config = loadConfig();
const say = (text: string) => process.stdout.write(`${text}\n`);

// The current version of each invoice, as the raw tables hold them: what a plain query must
// compute first to give the same answer as the marts.
const CURRENT = `current_docs as (
  select * exclude (version_rank) from (
    select *, row_number() over (partition by body_id, invoice_id order by kafka_offset desc) as version_rank
    from invoices
  ) where version_rank = 1 and not retracted
)`;
const CURRENT_LINES = `${CURRENT}, current_lines as (
  select l.*, d.supplier_name, d.invoice_date, d.currency, d.category_code, d.document_type
  from invoice_lines as l inner join current_docs as d using (topic, kafka_partition, kafka_offset)
)`;
const CONTRACTS = `contracts as (
  select
    release ->> '$.buyer.name' as buyer,
    left(release ->> '$.tender.items[0].classification.id', 2) as division,
    try_cast(award ->> '$.value.amount' as decimal(20, 2)) as value,
    try_cast(left(award ->> '$.contractPeriod.startDate', 10) as date) as start_date,
    try_cast(left(award ->> '$.contractPeriod.endDate', 10) as date) as end_date,
    json_extract(award, '$.suppliers[*]') as suppliers
  from ocds_releases, unnest(json_extract(release, '$.awards[*]')) as a(award)
)`;

/** Each mart's core aggregate as a plain query over the raw tables. */
const BASELINES: Record<string, { what: string; sql: string }> = {
  dim_supplier_entities: {
    what: 'documents, bodies and GBP total per raw supplier name',
    sql: `with ${CURRENT} select supplier_name, count(*) as documents, count(distinct body_id) as bodies, sum(net_amount) as total
          from current_docs group by supplier_name`,
  },
  fct_spend_cube: {
    what: 'net total, lines and documents per month × body × supplier name × category code',
    sql: `with ${CURRENT_LINES} select date_trunc('month', invoice_date) as month, body_id, supplier_name, category_code, currency,
            sum(net_amount) as net_total, count(*) as lines, count(distinct invoice_id) as documents
          from current_lines group by all`,
  },
  fct_shared_suppliers: {
    what: 'per-body spend of supplier names used by two or more bodies',
    sql: `with ${CURRENT} select * from (
            select supplier_name, body_id, sum(net_amount) as total, count(*) over (partition by supplier_name) as bodies
            from current_docs group by supplier_name, body_id
          ) where bodies >= 2`,
  },
  fct_fragmented_categories: {
    what: 'per category code bought by two or more bodies from two or more supplier names: bodies, suppliers, total, top supplier share',
    sql: `with ${CURRENT_LINES}, coded as (
            select category_code, supplier_name, body_id, net_amount from current_lines
            where category_code is not null and currency = 'GBP'
          ), per_supplier as (
            select category_code, supplier_name, sum(net_amount) as total from coded group by all
          ), per_category as (
            select category_code, count(*) as suppliers, sum(total) as total, max(total) as top
            from per_supplier group by all
          ), bodies as (
            select category_code, count(distinct body_id) as bodies from coded group by all
          )
          select c.*, b.bodies, c.top / nullif(c.total, 0) as top_share
          from per_category as c inner join bodies as b using (category_code)
          where c.suppliers >= 2 and b.bodies >= 2`,
  },
  fct_duplicate_payments: {
    what: 'pairs of a body’s invoices to one supplier name, same amount, ≤ 14 days apart',
    sql: `with ${CURRENT} select a.body_id, a.invoice_id, b.invoice_id as other_invoice_id
          from current_docs as a inner join current_docs as b
            on a.body_id = b.body_id and a.supplier_name = b.supplier_name and a.net_amount = b.net_amount
            and a.invoice_id < b.invoice_id
          where a.document_type = 'invoice' and b.document_type = 'invoice'
            and abs(datediff('day', a.invoice_date, b.invoice_date)) <= 14`,
  },
  fct_price_dispersion: {
    what: 'min / p25 / median / max unit price and volume per item',
    sql: `with ${CURRENT_LINES} select item_code, unit, min(unit_price) as min_price, quantile_cont(unit_price, 0.25) as p25,
            median(unit_price) as median_price, max(unit_price) as max_price, sum(quantity) as quantity
          from current_lines where item_code is not null and document_type = 'invoice' group by all`,
  },
  fct_po_compliance: {
    what: 'invoices and totals on a known PO, an unknown PO or none, per body × month',
    sql: `with ${CURRENT}, orders as (
            select body_id, po_number from purchase_orders
            qualify row_number() over (partition by body_id, po_number order by kafka_offset desc) = 1
          )
          select d.body_id, date_trunc('month', d.invoice_date) as month, count(*) as invoices,
            sum(d.net_amount) filter (where o.po_number is not null) as on_po,
            sum(d.net_amount) filter (where d.po_number is null) as off_po
          from current_docs as d left join orders as o using (body_id, po_number)
          where d.document_type = 'invoice' group by all`,
  },
  fct_classification_coverage: {
    what: 'share of each body’s value carrying a category code',
    sql: `with ${CURRENT_LINES} select body_id, sum(abs(net_amount)) as value,
            sum(abs(net_amount)) filter (where category_code is not null) as coded
          from current_lines group by body_id`,
  },
  fct_data_freshness: {
    what: 'latest spend date and documents per body',
    sql: `with ${CURRENT} select body_id, max(invoice_date) as latest, count(*) as documents from current_docs group by body_id`,
  },
  fct_contracts: {
    what: 'contracts, suppliers and value per buyer from the OCDS releases',
    sql: `with ${CONTRACTS} select buyer, count(*) as contracts, sum(len(suppliers)) as suppliers, sum(value) as value
          from contracts group by buyer`,
  },
  fct_contract_coverage: {
    what: 'spend per body × month to a contract’s supplier (by name) in its period',
    sql: `with ${CURRENT}, ${CONTRACTS}, contract_suppliers as (
            select distinct c.buyer, s ->> '$.name' as supplier, c.start_date, c.end_date
            from contracts as c, unnest(c.suppliers) as u(s)
          )
          select d.body_id, date_trunc('month', d.invoice_date) as month, sum(d.net_amount) as total,
            sum(d.net_amount) filter (where exists (
              select 1 from contract_suppliers as cs
              where cs.supplier = d.supplier_name and d.invoice_date between cs.start_date and cs.end_date
            )) as under_contract
          from current_docs as d group by all`,
  },
  fct_joint_procurement_windows: {
    what: 'per CPV division, contracts of other buyers ending within 18 months of each expiry',
    sql: `with ${CONTRACTS} select a.division, a.end_date, count(distinct b.buyer) as buyers, sum(b.value) as value
          from contracts as a inner join contracts as b
            on a.division = b.division and b.end_date >= a.end_date and b.end_date < a.end_date + interval 18 month
          group by all having count(distinct b.buyer) >= 2`,
  },
};

/** Wall time, and the CPU the rest of the machine used meanwhile (other engineers' tests…). */
type Timed = { ms: number; otherCores: number };
const time = async <T>(work: () => Promise<T>): Promise<T & Timed> => {
  const started = performance.now();
  const busyBefore = machineBusySeconds();
  const oursBefore = process.cpuUsage();
  const result = await work();
  const ms = performance.now() - started;
  const ours = process.cpuUsage(oursBefore);
  const others = Math.max(0, machineBusySeconds() - busyBefore - (ours.user + ours.system) / 1e6);
  return Object.assign(result ?? {}, { ms, otherCores: others / (ms / 1000) }) as T & Timed;
};

async function main(): Promise<void> {
  const scale = scaleFor(lines);
  const dir = mkdtempSync(join(tmpdir(), 'spend-bench-transforms-'));
  const path = join(dir, 'bench.duckdb');
  const db = await Database.open({
    path,
    migrationsDir: MIGRATIONS_DIR,
    memoryLimit: config.duckdb.memoryLimit,
    threads: config.duckdb.threads,
  });
  const conn = await db.connect();
  try {
    await ensureContractTables(conn);
    say(`Generating ${lines.toLocaleString('en-GB')} invoice lines in ${path} …`);
    const generated = await time(() => generateBenchData(conn, scale));
    const counts = await counts_(conn);
    say(
      `  ${fmtInt(counts.invoices)} invoices, ${fmtInt(counts.lines)} lines, ${fmtInt(counts.orders)} orders in ${secs(generated.ms)} s`,
    );

    say('Full refresh …');
    const models = loadModels();
    const busyBeforeFull = await waitForIdle(undefined, args.smoke ? 0 : undefined);
    const full = await time(() => runOnConnection(conn, { full: true, codelistsDir: config.codelistsDir }));
    mustSucceed(full.models);
    say(`  ${secs(full.ms)} s`);

    say('Plain DuckDB queries of each mart’s core aggregate …');
    const baselines: Record<string, number> = {};
    for (const [mart, baseline] of Object.entries(BASELINES)) {
      const run = await time(async () => {
        await conn.run(`create or replace temp table bench_baseline as ${baseline.sql}`);
      });
      baselines[mart] = run.ms;
    }
    await conn.run('drop table if exists bench_baseline');

    say(`Incremental refresh after ${increment.toLocaleString('en-GB')} new lines …`);
    const added = await time(() => addIncrement(conn, scale, increment));
    const after = await counts_(conn);
    const busyBeforeIncremental = await waitForIdle(undefined, args.smoke ? 0 : undefined);
    const incremental = await time(() => runOnConnection(conn, { codelistsDir: config.codelistsDir }));
    mustSucceed(incremental.models);
    say(`  ${secs(incremental.ms)} s`);
    const check = await queryRows<{ cube: string; lines: string }>(
      conn,
      `select (select sum(net_total) from fct_spend_cube)::varchar as cube,
              (select sum(net_amount) from current_invoice_lines)::varchar as lines`,
    );
    const cubeAgrees = check[0]?.cube === check[0]?.lines;

    say('Resolver precision and recall …');
    const resolver = await resolverScores();

    const body = report({
      scale,
      counts,
      after,
      generatedMs: generated.ms,
      addedMs: added.ms,
      full: { ms: full.ms, models: full.models, otherCores: full.otherCores, busyBefore: busyBeforeFull },
      incremental: {
        ms: incremental.ms,
        models: incremental.models,
        otherCores: incremental.otherCores,
        busyBefore: busyBeforeIncremental,
      },
      baselines,
      models,
      cubeAgrees,
      cube: check[0],
      resolver,
    });
    say('');
    say(body);
    if (args.smoke) say('\nsmoke run: BENCHMARKS.md left alone');
    else if (args['no-write']) say('\n--no-write: BENCHMARKS.md left alone');
    else {
      writeSection(SECTION_TITLE, body, BENCHMARKS_FILE);
      say(`\nWrote the "${SECTION_TITLE.slice(3)}" section of ${BENCHMARKS_FILE}.`);
    }
  } finally {
    conn.closeSync();
    db.close();
    if (args.keep) say(`Kept ${path}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

type Counts = { invoices: number; lines: number; orders: number; aliases: number; contracts: number };
async function counts_(conn: DuckDBConnection): Promise<Counts> {
  const rows = await queryRows<Record<keyof Counts, string>>(
    conn,
    `select (select count(*) from invoices)::varchar as invoices, (select count(*) from invoice_lines)::varchar as lines,
            (select count(*) from purchase_orders)::varchar as orders,
            (select count(distinct (body_id, supplier_name)) from invoices)::varchar as aliases,
            (select count(*) from ocds_releases)::varchar as contracts`,
  );
  const r = rows[0] as Record<keyof Counts, string>;
  return {
    invoices: Number(r.invoices),
    lines: Number(r.lines),
    orders: Number(r.orders),
    aliases: Number(r.aliases),
    contracts: Number(r.contracts),
  };
}

function mustSucceed(runs: ModelRun[]): void {
  const failed = runs.filter((r) => r.status !== 'success');
  if (failed.length > 0)
    throw new Error(`models did not build: ${failed.map((f) => `${f.model}: ${f.error}`).join('; ')}`);
}

type ResolverResult = { name: string; pairs: number; score: Score }[];

/** The same measures as tests/transforms-resolver.test.ts. */
async function resolverScores(): Promise<ResolverResult> {
  const out: ResolverResult = [];
  const { inputs, pairs: demoPairs } = plantedDemoSample();
  const predicted = new Map(resolveSuppliers(inputs).map((m) => [`${m.bodyId}\u0000${m.name}`, m.entityId]));
  out.push({
    name: 'demo generator: every pair of planted spellings (identifiers as sent)',
    pairs: demoPairs.length,
    score: score(demoPairs, (body, name) => predicted.get(`${body}\u0000${name}`) ?? null),
  });
  if (sharedDataAvailable()) {
    const aliases = await readRealAliases();
    const entityOf = await resolveRealNamesOnly(aliases);
    const words = (name: string) => (cleanName(name)?.tokens ?? []).filter(isDistinctive);
    out.push(
      ...realSamples(buildIdentifierPairs(aliases).pairs, readPairs(HAND_LABELLED_PAIRS), entityOf, words),
    );
  }
  return out;
}

const secs = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const fmtInt = (n: number) => n.toLocaleString('en-GB');
const ratio = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

function machine(): string[][] {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return [
    ['CPU', `${cpu} (nproc ${availableParallelism()})`],
    ['RAM', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['Node', process.version],
    ['@duckdb/node-api', packageVersion('@duckdb/node-api')],
    [
      'DuckDB settings',
      `memory_limit ${config.duckdb.memoryLimit}, threads ${config.duckdb.threads} (the configured ones), a database file`,
    ],
  ];
}

type Phase = { ms: number; models: ModelRun[]; otherCores: number; busyBefore: number };

type Report = {
  scale: ReturnType<typeof scaleFor>;
  counts: Counts;
  after: Counts;
  generatedMs: number;
  addedMs: number;
  full: Phase;
  incremental: Phase;
  baselines: Record<string, number>;
  models: ReturnType<typeof loadModels>;
  cubeAgrees: boolean;
  cube: { cube: string; lines: string } | undefined;
  resolver: ResolverResult;
};

function report(r: Report): string {
  const fullMs = new Map(r.full.models.map((m) => [m.model, m.durationMs]));
  const incMs = new Map(r.incremental.models.map((m) => [m.model, m]));
  const out: string[] = [];
  out.push(
    `One run of \`npm run bench:transforms\` (${fmtInt(r.scale.lines)} generated invoice lines, ${fmtInt(increment)} more for the incremental refresh), ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}.`,
    'Code: `bench/transforms.ts` (what is measured and how, in its header) and `bench/transforms-data.ts` (the data).',
    '',
    '### Machine',
    '',
    ...markdownTable(['Fact', 'Value'], machine()),
    '',
    '### Data',
    '',
    `- ${fmtInt(r.counts.lines)} invoice lines on ${fmtInt(r.counts.invoices)} invoices (3 % credit notes, 0.1 % paid twice) from ${BODIES.length} bodies over three years; ${fmtInt(r.counts.orders)} purchase orders; ${fmtInt(r.counts.aliases)} raw supplier names for ${fmtInt(r.scale.entities)} suppliers; ${fmtInt(r.counts.contracts)} OCDS contracts. Written by SQL in ${secs(r.generatedMs)} s.`,
    `- The increment: ${fmtInt(r.after.lines - r.counts.lines)} lines on ${fmtInt(r.after.invoices - r.counts.invoices)} invoice messages (90 % new, a third of them dated months back; 8 % corrections; 2 % retractions) in new ingest batches, written in ${secs(r.addedMs)} s.`,
    '',
    '### Refresh',
    '',
  );
  const incrementalRatio = r.incremental.ms / r.full.ms;
  out.push(
    ...markdownTable(
      ['Measure', 'Value', 'Goal', ''],
      [
        ['full refresh (every model from scratch)', `${secs(r.full.ms)} s`, '', ''],
        [`incremental refresh after ${fmtInt(increment)} lines`, `${secs(r.incremental.ms)} s`, '', ''],
        [
          'incremental / full',
          ratio(incrementalRatio),
          `≤ ${GOALS.incrementalVsFull}`,
          incrementalRatio <= GOALS.incrementalVsFull ? 'met' : 'NOT met',
        ],
        [
          'cube total = current lines after the incremental refresh',
          r.cubeAgrees ? `yes (£${r.cube?.cube})` : `NO (${r.cube?.cube} vs ${r.cube?.lines})`,
          'to the penny',
          r.cubeAgrees ? 'met' : 'NOT met',
        ],
      ],
    ),
    '',
    ...contention(r),
    '### Marts next to a plain query of their core aggregate',
    '',
  );
  const martRows: string[][] = [];
  let met = 0;
  for (const [mart, baseline] of Object.entries(BASELINES)) {
    const own = fullMs.get(mart) ?? 0;
    const chain = [...ancestors(r.models, mart)].reduce((sum, a) => sum + (fullMs.get(a) ?? 0), own);
    const plain = r.baselines[mart] ?? 0;
    const ownRatio = own / Math.max(plain, 1);
    if (ownRatio <= GOALS.martVsPlain) met++;
    martRows.push([
      mart,
      baseline.what,
      secs(plain),
      secs(own),
      ratio(ownRatio),
      ownRatio <= GOALS.martVsPlain ? 'met' : 'NOT met',
      secs(chain),
      ratio(chain / Math.max(plain, 1)),
      secs(incMs.get(mart)?.durationMs ?? 0),
    ]);
  }
  out.push(
    ...markdownTable(
      [
        'Mart',
        'plain query (core aggregate over the raw tables)',
        'plain s',
        'mart s',
        'mart / plain',
        `≤ ${GOALS.martVsPlain}`,
        'with upstream s',
        'with upstream / plain',
        'incremental s',
      ],
      martRows,
    ),
    '',
    `- ${met} of ${martRows.length} marts within ${GOALS.martVsPlain}× of the plain query. "mart s" is the mart's own build in the full refresh (it reads the intermediate models); "with upstream" adds every model it depends on (staging, supplier resolution, classification, shared by all marts), the cost of getting that mart from nothing. Plain queries and marts are both materialised as tables, one after the other, on the same connection.`,
    '',
    '### Every model',
    '',
  );
  const rows = r.models.map((m) => {
    const inc = incMs.get(m.name);
    return [
      m.name,
      m.incrementalBy === 'key' && m.kind === 'sql'
        ? `incremental by key (${m.groupKey?.join(', ')})`
        : m.incrementalBy
          ? `incremental by ${m.incrementalBy}`
          : m.kind === 'ts'
            ? 'TypeScript (kept when its inputs did not change)'
            : 'full',
      secs(fullMs.get(m.name) ?? 0),
      secs(inc?.durationMs ?? 0),
      inc ? `${inc.mode}, ${fmtInt(inc.rows ?? 0)} rows` : '',
    ];
  });
  out.push(
    ...markdownTable(['Model', 'materialised', 'full s', 'incremental s', 'incremental run'], rows),
    '',
  );
  const top = [...r.incremental.models].sort((a, b) => b.durationMs - a.durationMs).slice(0, 5);
  const rebuiltInFull = r.incremental.models.filter((m) => m.mode === 'full');
  const fullShare = rebuiltInFull.reduce((sum, m) => sum + m.durationMs, 0);
  out.push(
    `- Where the incremental refresh spends its time: ${top.map((m) => `${m.model} ${secs(m.durationMs)} s (${m.mode})`).join(', ')}.`,
    `- The ${rebuiltInFull.length} models rebuilt in full in the incremental run (full models, and incremental ones whose inputs changed wholesale) took ${secs(fullShare)} s of the ${secs(r.incremental.ms)} s; the ${r.incremental.models.length - rebuiltInFull.length} incremental ones ${secs(r.incremental.models.filter((m) => m.mode !== 'full').reduce((sum, m) => sum + m.durationMs, 0))} s.`,
    '',
    '### Supplier resolution',
    '',
  );
  out.push(
    ...markdownTable(
      ['Sample', 'pairs', 'true +', 'false +', 'false −', 'precision', 'recall'],
      r.resolver.map((s) => [
        s.name,
        fmtInt(s.pairs),
        fmtInt(s.score.tp),
        fmtInt(s.score.fp),
        fmtInt(s.score.fn),
        s.score.precision.toFixed(3),
        s.score.recall.toFixed(3),
      ]),
    ),
    '',
    `- Goals: precision ≥ ${GOALS.precision}, recall ≥ ${GOALS.recall}. Identifier-labelled recall is low by nature: different names under one VAT or company number are mostly groups and branches (schools of a trust, care homes of an operator) that no name reveals; with the identifiers present, the resolver joins them by evidence. See docs/transforms.md.`,
  );
  if (!sharedDataAvailable())
    out.push('- ../shared/datasets was not there: the real-pair samples were not measured.');
  return out.join('\n');
}

/** Warnings for phases during which the rest of the machine was busy: their times are pessimistic. */
function contention(r: Report): string[] {
  const lines: string[] = [];
  for (const [name, phase] of [
    ['full refresh', r.full],
    ['incremental refresh', r.incremental],
  ] as const) {
    lines.push(
      phase.otherCores > 0.2
        ? `WARNING: while the ${name} ran, other processes used ${phase.otherCores.toFixed(2)} cores on average (machine ${Math.round(phase.busyBefore * 100)} % busy just before): the machine was not idle and this time is pessimistic.`
        : `- During the ${name}, other processes used ${phase.otherCores.toFixed(2)} cores on average.`,
    );
  }
  return [...lines, ''];
}

await main();

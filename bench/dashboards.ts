/**
 * npm run bench:dashboards [-- --lines N] [--runs R] [--smoke]
 *
 * How fast does each dashboard page show something, and its data, on the demo data set? The
 * demo (default 1,000,000 invoice lines, as `npm run demo`) is built by `spend demo --exit`, then
 * served by a `spend serve` owner (tests/helpers/dashboard-demo.ts); Debian's Chromium
 * (tests/helpers/browser.ts) opens every page R times, each time in a fresh browser context (empty
 * cache, new session: a first visit), at 1280×800. From the page's own Performance API:
 *
 * - first paint and first contentful paint (the goal: under 1 s for every page);
 * - largest contentful paint (the biggest thing drawn, usually the chart or table);
 * - DOMContentLoaded and load of the document;
 * - drawn: every part of the page drawn with its data (tests/helpers/browser.ts `drawn`), the
 *   moment a user has the whole answer; and the end of the last API response before it.
 *
 * Medians of the R runs go to stdout and to the `## Dashboards (npm run bench:dashboards)` section
 * of BENCHMARKS.md (other sections are left alone). --smoke: a small demo, one run, every page
 * opened and measured, BENCHMARKS.md left alone.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { isBrokerReachable, startLocalBroker, stopLocalBroker } from '../kafka-local/broker.ts';
import { loadConfig } from '../lib/config.ts';
import type { Role } from '../lib/keys.ts';
import {
  chromiumInstalled,
  drawn,
  launchChromium,
  MISSING_CHROMIUM,
  VIEWPORT,
} from '../tests/helpers/browser.ts';
import { type DashboardDemo, startDashboardDemo } from '../tests/helpers/dashboard-demo.ts';
import { cpuBusyShare, markdownTable, packageVersion, waitForIdle, writeSection } from './report.ts';

export const DASHBOARDS_SECTION_TITLE = '## Dashboards (npm run bench:dashboards)';
const GOAL_MS = 1000;

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string' },
    runs: { type: 'string' },
    smoke: { type: 'boolean', default: false },
  },
});
const lines = Number(args.lines ?? (args.smoke ? '2000' : '1000000'));
const runs = Number(args.runs ?? (args.smoke ? '1' : '5'));
const log = (line: string) => process.stdout.write(`${line}\n`);

type PageSpec = { path: string; title: string; roles: string[] };
type Timing = {
  firstPaint: number;
  firstContentfulPaint: number;
  largestContentfulPaint: number;
  domContentLoaded: number;
  load: number;
  lastApiResponse: number;
  drawn: number;
  apiCalls: number;
};

/** The pages as the dashboards declare them (dashboards/pages.json). */
function dashboardPageList(): PageSpec[] {
  return JSON.parse(readFileSync(new URL('../dashboards/pages.json', import.meta.url), 'utf8')) as PageSpec[];
}

/** The role a page is measured as: admin where it may see it, else the first role listed. */
function roleFor(page: PageSpec): Role | undefined {
  if (page.roles.length === 0) return undefined;
  return (page.roles.includes('admin') ? 'admin' : page.roles[0]) as Role;
}

/** Reads the page's own performance entries (in the page: it has the DOM types the project lacks). */
function readTimings(page: Page): Promise<Timing> {
  return page.evaluate(async () => {
    type Entry = {
      name: string;
      entryType: string;
      startTime: number;
      responseEnd: number;
      initiatorType?: string;
    };
    const perf = (globalThis as unknown as { performance: { getEntriesByType(type: string): Entry[] } })
      .performance;
    const Observer = (
      globalThis as unknown as {
        PerformanceObserver: new (
          callback: (list: { getEntries(): { startTime: number }[] }) => void,
        ) => { observe(options: unknown): void; disconnect(): void };
      }
    ).PerformanceObserver;
    // buffered LCP entries arrive on the observer's first callback; a page that drew nothing large has none
    const largest = await new Promise<number>((resolve) => {
      const observer = new Observer((list) => {
        observer.disconnect();
        resolve(list.getEntries().at(-1)?.startTime ?? Number.NaN);
      });
      observer.observe({ type: 'largest-contentful-paint', buffered: true });
      setTimeout(() => resolve(Number.NaN), 200);
    });
    // (no named functions in here: tsx would wrap them in a helper the page does not have)
    const paints = new Map(perf.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
    const navigation = perf.getEntriesByType('navigation')[0] as unknown as {
      domContentLoadedEventEnd: number;
      loadEventEnd: number;
    };
    const api = perf
      .getEntriesByType('resource')
      .filter((e) => e.initiatorType === 'fetch' || e.initiatorType === 'xmlhttprequest');
    return {
      firstPaint: paints.get('first-paint') ?? Number.NaN,
      firstContentfulPaint: paints.get('first-contentful-paint') ?? Number.NaN,
      largestContentfulPaint: largest,
      domContentLoaded: navigation.domContentLoadedEventEnd,
      load: navigation.loadEventEnd,
      lastApiResponse: Math.max(0, ...api.map((e) => e.responseEnd)),
      drawn: (globalThis as unknown as { drawnAt?: number }).drawnAt ?? Number.NaN,
      apiCalls: api.length,
    };
  });
}

async function measurePage(browser: Browser, demo: DashboardDemo, spec: PageSpec): Promise<Timing> {
  const context = await browser.newContext({ baseURL: demo.baseUrl, viewport: VIEWPORT });
  try {
    const role = roleFor(spec);
    if (role) {
      const login = await context.request.post('/api/v1/session', { data: { key: demo.keys[role] } });
      if (login.status() !== 201) throw new Error(`login as ${role} failed: ${login.status()}`);
    }
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(spec.path, { waitUntil: 'load' });
    if (!response?.ok()) throw new Error(`${spec.path} answered ${response?.status()}`);
    await drawn(page);
    // a part that could not load says so in a role="alert" paragraph: a page with one is broken
    errors.push(...(await page.locator('.error[role="alert"]:visible').allTextContents()));
    if (errors.length > 0) throw new Error(`${spec.path}: errors in the page: ${errors.join('; ')}`);
    return await readTimings(page);
  } finally {
    await context.close();
  }
}

const median = (values: number[]) => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const ms = (value: number) => (Number.isNaN(value) ? '–' : `${Math.round(value)}`);

if (!chromiumInstalled()) throw new Error(`No browser: ${MISSING_CHROMIUM}`);
const base = loadConfig();
let startedBroker = false;
if (!(await isBrokerReachable(base.kafkaBrokers, 3000))) {
  if (!base.usesLocalBroker) throw new Error(`KAFKA_BROKERS=${base.kafkaBrokers.join(',')} does not answer`);
  await startLocalBroker();
  startedBroker = true;
}

let demo: DashboardDemo | undefined;
let browser: Browser | undefined;
try {
  log(`building the demo data set (${lines.toLocaleString('en-GB')} invoice lines)…`);
  const builtAt = performance.now();
  demo = await startDashboardDemo({ brokers: base.kafkaBrokers, lines });
  log(`  built and served in ${((performance.now() - builtAt) / 1000).toFixed(1)} s at ${demo.baseUrl}`);
  browser = await launchChromium();
  const pages = dashboardPageList();
  const busy = args.smoke ? await cpuBusyShare(1000) : await waitForIdle(undefined, 60_000);
  const results: { spec: PageSpec; timings: Timing[] }[] = [];
  for (const spec of pages) {
    const timings: Timing[] = [];
    for (let run = 0; run < runs; run++) timings.push(await measurePage(browser, demo, spec));
    results.push({ spec, timings });
    const fcp = median(timings.map((t) => t.firstContentfulPaint));
    log(
      `${spec.path}: first contentful paint ${ms(fcp)} ms, drawn ${ms(median(timings.map((t) => t.drawn)))} ms`,
    );
  }

  const rows = results.map(({ spec, timings }) => {
    const m = (pick: (t: Timing) => number) => median(timings.map(pick));
    const fcp = m((t) => t.firstContentfulPaint);
    return [
      `${spec.title} (${spec.path})`,
      roleFor(spec) ?? 'anonymous',
      ms(m((t) => t.firstPaint)),
      ms(fcp),
      ms(m((t) => t.largestContentfulPaint)),
      ms(m((t) => t.domContentLoaded)),
      ms(m((t) => t.load)),
      ms(m((t) => t.lastApiResponse)),
      ms(m((t) => t.drawn)),
      String(m((t) => t.apiCalls)),
      fcp < GOAL_MS ? 'met' : 'NOT met',
    ];
  });
  const missed = rows.filter((row) => row.at(-1) !== 'met').map((row) => row[0]);
  const slow = results
    .filter(({ timings }) => !(median(timings.map((t) => t.drawn)) < GOAL_MS))
    .map(({ spec, timings }) => `${spec.title} (${ms(median(timings.map((t) => t.drawn)))} ms)`);
  const body = [
    `Every dashboard page opened ${runs} times in a fresh browser context (empty cache, new session:`,
    'a first visit) at 1280×800, in headless Debian Chromium driven by playwright-core, against a',
    '`spend serve` owner on the same machine. Times are milliseconds from navigation start, medians',
    "of the runs, read from the page's own Performance API. Goal: first contentful paint under",
    `${GOAL_MS} ms on every page.`,
    '',
    '### Machine',
    '',
    ...markdownTable(
      ['', ''],
      [
        ['CPU', `${cpus()[0]?.model ?? '?'} (nproc ${cpus().length})`],
        ['RAM', `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`],
        ['Kernel', release()],
        ['Node', process.version],
        ['Chromium', `${browser.version()} (Debian package, headless)`],
        ['playwright-core', packageVersion('playwright-core')],
        ['@duckdb/node-api', packageVersion('@duckdb/node-api')],
        [
          'Machine load while timing',
          `${(busy * 100).toFixed(0)} % of all cores busy before, load average ${loadavg()[0]?.toFixed(1)} (shared machine: pessimistic)`,
        ],
      ],
    ),
    '',
    '### Data',
    '',
    `\`spend demo --lines ${lines} --seed 11\`: the demo's eight bodies, its savings registers and`,
    'marts, served with one API key per role. Each page is measured as admin where admin may see it',
    '(the login page anonymously).',
    '',
    '### Results',
    '',
    ...markdownTable(
      [
        'Page',
        'as',
        'first paint',
        'first contentful paint',
        'largest contentful paint',
        'DOMContentLoaded',
        'load',
        'last API answer',
        'drawn',
        'API calls',
        `FCP < ${GOAL_MS} ms`,
      ],
      rows,
    ),
    '',
    missed.length === 0
      ? `Every page met the goal (first contentful paint under ${GOAL_MS} ms).`
      : `Goal NOT met on: ${missed.join(', ')}.`,
    slow.length === 0
      ? `Every page was drawn whole, with its data, within ${GOAL_MS} ms too.`
      : `Drawn whole (with its data) after more than ${GOAL_MS} ms: ${slow.join(', ')}.`,
    '"drawn" is when every part of the page had drawn its data (nothing left marked aria-busy):',
    'the figure a user waits for, which grows with the data set; "last API answer" is when the last',
    'response the page asked for had arrived.',
  ].join('\n');
  log('');
  log(body);
  if (args.smoke) log('smoke run: BENCHMARKS.md left alone');
  else log(`\nwritten to ${writeSection(DASHBOARDS_SECTION_TITLE, body)}`);
} finally {
  await browser?.close();
  await demo?.stop();
  if (startedBroker) await stopLocalBroker();
}

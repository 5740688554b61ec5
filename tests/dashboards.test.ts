/**
 * The dashboards end to end in a real headless Chromium (tests/helpers/browser.ts) against a real
 * `spend serve` owner on a small demo data set with the real broker (tests/helpers/dashboard-demo.ts,
 * one per file). The pages and their labels are the contract in docs/dashboards.md; the list of
 * pages and their roles is dashboards/pages.json. Expected figures come from other routes than the
 * page's own (the stats of the raw invoices, the savings statement, the council file itself).
 * Locally the file skips when there is no Chromium; under CI=true that fails the run.
 * SCREENSHOTS=1 also writes every page to docs/screenshots/<module>.png (`npm run screenshots`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../lib/keys.ts';
import {
  chromiumInstalled,
  describeViolations,
  drawn,
  launchChromium,
  MISSING_CHROMIUM,
  seriousAxeViolations,
  VIEWPORT,
} from './helpers/browser.ts';
import { type DashboardDemo, OTHER_BODY, OWN_BODY, startDashboardDemo } from './helpers/dashboard-demo.ts';
import { testBrokers } from './helpers/kafka.ts';
import { requiredUnderCi, sharedDataPresent } from './helpers/shared-data.ts';

const ROOT = resolve(import.meta.dirname, '..');
const COUNCIL_FILE = resolve(ROOT, '../shared/datasets/uk-spend/2023-11/hyndburn/November-23-csv.csv');
const SCREENSHOTS_DIR = join(ROOT, 'docs', 'screenshots');
const ROLES: Role[] = ['body', 'procurement', 'finance', 'admin'];

type PageSpec = { path: string; title: string; roles: string[]; module: string; nav: boolean };
const PAGES = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'pages.json'), 'utf8')) as PageSpec[];
const DATA_PAGES = PAGES.filter((p) => p.module !== 'login');

const browserPresent = requiredUnderCi('Dashboard browser tests', chromiumInstalled(), MISSING_CHROMIUM);

/** £ with thousands separators, from pence (the test's own formatting, not the pages'). */
function pounds(pence: bigint): string {
  const negative = pence < 0n;
  const digits = (negative ? -pence : pence).toString().padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}£${whole}.${digits.slice(-2)}`;
}

/** "1234.5", "-12", "3,636.00", "£1.20" → pence. */
function pence(text: string): bigint {
  const match = /^(-?)£?([\d,]+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) throw new Error(`not an amount: ${JSON.stringify(text)}`);
  const value = BigInt((match[2] ?? '').replaceAll(',', '')) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] ? -value : value;
}

/** The errors a page showed (the pages put every failure in a visible role="alert" paragraph). */
async function shownErrors(page: Page): Promise<string[]> {
  return page.locator('.error[role="alert"]:visible').allTextContents();
}

describe.runIf(browserPresent)('dashboards in a real browser', () => {
  let demo: DashboardDemo;
  let browser: Browser;
  const sessions = new Map<Role, BrowserContext>();
  /** Script errors and console errors (failed requests among them) of the pages opened. */
  const pageProblems: string[] = [];
  let uploadId: string | undefined;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDashboardDemo({ brokers: testBrokers() }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  async function newContext(): Promise<BrowserContext> {
    return browser.newContext({ baseURL: demo.baseUrl, viewport: VIEWPORT });
  }

  async function open(context: BrowserContext, path: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageProblems.push(`${path}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(`${path}: console: ${message.text()}`);
    });
    await page.goto(path);
    await drawn(page);
    return page;
  }

  /** Logs in through the login page with the role's key; the context keeps the session. */
  async function logIn(key: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext();
    const page = await context.newPage();
    // an unauthenticated page sends the visitor to the login page, and back afterwards (to the
    // uploads history, the one page every role has and the lightest)
    await page.goto('/uploads?upload=');
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname === '/uploads' && url.search === '?upload=');
    await drawn(page);
    return { context, page };
  }

  async function session(role: Role): Promise<BrowserContext> {
    let context = sessions.get(role);
    if (!context) {
      const loggedIn = await logIn(demo.keys[role]);
      await loggedIn.page.close();
      context = loggedIn.context;
      sessions.set(role, context);
    }
    return context;
  }

  /** A JSON answer of the API with the role's key (not through the page). */
  async function apiAs<T>(role: Role, path: string): Promise<T> {
    const response = await fetch(`${demo.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${demo.keys[role]}` },
    });
    expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
    return (await response.json()) as T;
  }

  it('logs in with each role: the nav lists exactly its pages, and a wrong key is refused in words', async () => {
    for (const role of ROLES) {
      const { context, page } = await logIn(demo.keys[role]);
      sessions.set(role, context);
      const nav = page.getByRole('navigation', { name: 'Dashboards' });
      const expected = PAGES.filter((p) => p.nav && p.roles.includes(role)).map((p) => p.title);
      expect(await nav.getByRole('link').allTextContents(), role).toEqual(expected);
      // the demo's keys are named demo-<role>
      expect(await page.locator('#who').textContent()).toContain(`demo-${role}`);
      await page.close();
    }
    const anonymous = await newContext();
    const page = await open(anonymous, '/login');
    await page.getByLabel('API key').fill(`cs_${'0'.repeat(16)}_${'x'.repeat(43)}`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That key is unknown, expired or revoked.' }).waitFor();
    await anonymous.close();
  });

  // Every page as admin (who may see them all) and as a body (whose pages differ: no staff
  // filters, an upload form for its own body; the others refused); procurement and finance use
  // their pages in the tests after this one.
  it('loads every page as admin and as a body, with no serious or critical axe-core violation', async () => {
    pageProblems.length = 0;
    const violations: string[] = [];
    const check = async (page: Page, label: string) => {
      const found = await seriousAxeViolations(page);
      if (found.length > 0) violations.push(describeViolations(label, found));
    };
    const anonymous = await newContext();
    const login = await open(anonymous, '/login');
    await check(login, '/login (anonymous)');
    if (process.env.SCREENSHOTS === '1') {
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      await login.screenshot({ path: join(SCREENSHOTS_DIR, 'login.png') });
    }
    await anonymous.close();

    for (const spec of DATA_PAGES) {
      for (const role of ['admin', 'body'] as const) {
        const page = await open(await session(role), spec.path);
        const label = `${spec.path} (${role})`;
        expect(await page.locator('h1').textContent(), label).toBe(spec.title);
        if (!spec.roles.includes(role)) {
          // the shell says so, and no data is fetched
          expect(await page.locator('#page').textContent(), label).toContain('This page is not open to a');
          await page.close();
          continue;
        }
        expect(await shownErrors(page), label).toEqual([]);
        expect(await page.locator('main section').count(), label).toBeGreaterThan(0);
        await check(page, label);
        // the screenshot shows the page as an admin sees it
        if (process.env.SCREENSHOTS === '1' && role === 'admin') {
          await page.screenshot({ path: join(SCREENSHOTS_DIR, `${spec.module}.png`) });
        }
        await page.close();
      }
    }
    expect(violations.join('\n\n'), 'axe-core: serious or critical violations').toBe('');
    expect(pageProblems).toEqual([]);
  }, 300_000);

  it('keeps the overview filters in the URL, and the filtered figures agree with the raw invoices', async () => {
    // the witness: every body's GBP net total of its current invoices, summed in TypeScript
    // from the invoices table (lib/stats.ts), not from the spend cube the page reads; partnership
    // figures leave out the prospective body and what the leaver spent after leaving, which the
    // generator's manifest states (demo/membership.ts)
    const stats = await apiAs<{ bodies: { bodyId: string; netTotal: string }[] }>('admin', '/api/v1/stats');
    const planted = demo.manifest.membership;
    if (!planted) throw new Error('the demo planted no prospective body or leaver');
    const members = stats.bodies.filter((b) => b.bodyId !== planted.prospective.bodyId);
    const totalOf = (bodyId: string) =>
      bodyId === planted.leaver.bodyId
        ? pence(planted.leaver.netTotalWhileMember)
        : pence(stats.bodies.find((b) => b.bodyId === bodyId)?.netTotal ?? 'none');
    const everyBody = members.reduce((sum, b) => sum + totalOf(b.bodyId), 0n);
    const tile = (page: Page, label: string) =>
      page.locator('.tile').filter({ hasText: label }).locator('strong').textContent();

    // amounts in other currencies are no pounds: named in the message should they be added in
    const byCurrency = await apiAs<{ rows: { currency: string; net_total: string }[] }>(
      'admin',
      '/api/v1/cube?groupBy=currency',
    );
    const currencies = `the cube per currency: ${byCurrency.rows.map((r) => `${r.currency} ${r.net_total}`).join(', ')}`;
    const page = await open(await session('procurement'), '/overview');
    expect(await tile(page, 'Total spend'), currencies).toBe(pounds(everyBody));
    expect(await tile(page, 'Bodies')).toBe(`${members.length} of ${stats.bodies.length}`);

    await page.getByLabel('Body', { exact: true }).selectOption(OTHER_BODY);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => url.searchParams.getAll('body').join() === OTHER_BODY);
    await drawn(page);
    expect(await tile(page, 'Total spend'), currencies).toBe(pounds(totalOf(OTHER_BODY)));
    expect(await tile(page, 'Bodies')).toBe(`1 of ${stats.bodies.length}`);

    // the URL alone carries the view: a fresh load shows the same filter and figures
    await page.reload();
    await drawn(page);
    expect(await page.getByLabel('Body', { exact: true }).inputValue()).toBe(OTHER_BODY);
    expect(await tile(page, 'Total spend')).toBe(pounds(totalOf(OTHER_BODY)));
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.waitForURL((url) => url.pathname === '/overview' && url.search === '');
    await drawn(page);
    expect(await tile(page, 'Total spend')).toBe(pounds(everyBody));
    await page.close();
  });

  it('drills down from price dispersion to the invoice lines, which add up to the spend of the row', async () => {
    const page = await open(await session('procurement'), '/buying-power');
    const dispersion = page.getByRole('table', { name: 'Items bought at different prices' });
    const headers = (await dispersion.locator('thead th').allTextContents()).map((h) => h.trim());
    const cell = async (row: Locator, header: string) =>
      ((await row.locator('td, th').nth(headers.indexOf(header)).textContent()) ?? '').trim();
    // the item with the largest saving at the best price (the table's order)
    const row = dispersion.locator('tbody tr').first();
    const button = row.getByRole('button');
    const item = ((await button.textContent()) ?? '').trim();
    const bodies = Number(await cell(row, 'Bodies'));
    const best = await cell(row, 'Best price');
    const spend = pence(await cell(row, 'Spend'));
    await button.click();
    await page.waitForURL((url) => url.searchParams.has('item'));
    await drawn(page);
    expect(await shownErrors(page)).toEqual([]);

    const itemCode = item.replace(/ \(.*\)$/, '');
    const byBody = page.getByRole('table', { name: `Unit price of ${itemCode} by body` });
    const bodyRows = byBody.locator('tbody tr');
    expect(await bodyRows.count()).toBe(bodies);
    const bodyHeaders = (await byBody.locator('thead th').allTextContents()).map((h) => h.trim());
    const column = async (rows: Locator, names: string[], header: string) =>
      rows
        .locator(`td:nth-child(${names.indexOf(header) + 1}), th:nth-child(${names.indexOf(header) + 1})`)
        .allTextContents();
    expect(new Set(await column(bodyRows, bodyHeaders, 'Best'))).toEqual(new Set([best]));
    const bodySpend = (await column(bodyRows, bodyHeaders, 'Spend')).reduce(
      (sum, text) => sum + pence(text),
      0n,
    );
    expect(bodySpend).toBe(spend);

    // the lines themselves (int_spend_lines, not the price marts): their net amounts add up to it
    const lines = page.getByRole('table', { name: `Invoice lines of ${itemCode}` });
    const more = page.getByRole('button', { name: `Show more rows of Invoice lines of ${itemCode}` });
    while (await more.isVisible()) await more.click();
    const lineHeaders = (await lines.locator('thead th').allTextContents()).map((h) => h.trim());
    const lineRows = lines.locator('tbody tr');
    expect(await lineRows.count()).toBeGreaterThan(0);
    const net = (await column(lineRows, lineHeaders, 'Net')).reduce((sum, text) => sum + pence(text), 0n);
    expect(net).toBe(spend);
    await page.close();
  });

  it('drills down: a top supplier to its profile, a savings figure to the records behind it', async () => {
    const overview = await open(await session('procurement'), '/overview');
    const suppliers = overview.getByRole('table', { name: 'Suppliers by net spend' });
    const first = suppliers.getByRole('link').first();
    const name = (await first.textContent()) ?? '';
    await first.click();
    await overview.waitForURL((url) => url.pathname === '/suppliers' && url.searchParams.has('entity'));
    await drawn(overview);
    const profile = overview.getByRole('region', { name: 'Supplier profile' });
    await profile.getByRole('heading', { level: 3, name, exact: true }).waitFor();
    await overview.close();

    const savings = await open(await session('finance'), '/savings');
    const byBody = savings.getByRole('table', { name: /^Savings by stream and body, contract year/ });
    const tracing = savings.getByRole('button', { name: /^Trace [1-9]\d* records:/ });
    const row = byBody.locator('tbody tr').filter({ has: tracing }).first();
    const traceButton = row.getByRole('button', { name: /^Trace / });
    const records = Number(/^Trace (\d+)/.exec((await traceButton.textContent()) ?? '')?.[1]);
    // the realised figure of that row, from the savings statement
    const headers = await byBody.locator('thead th').allTextContents();
    const realisedColumn = headers.findIndex(
      (h) => h.trim().startsWith('Realised') && !h.includes('not yet'),
    );
    const realised = await row.locator('td, th').nth(realisedColumn).textContent();
    await traceButton.click();
    await drawn(savings);
    const traced = savings.getByRole('region', { name: 'Traced records' });
    await traced.getByText(`Total ${realised} from ${records} records.`, { exact: true }).waitFor();
    const tracedRows = traced.getByRole('table', { name: 'Records behind the figure' }).locator('tbody tr');
    expect(await tracedRows.count()).toBe(Math.min(records, 100));
    await savings.close();
  });

  const councilFile = sharedDataPresent('Dashboard upload test (a real council file)', COUNCIL_FILE);

  it.runIf(councilFile)(
    "uploads a real council file: both progress bars fill, and the report equals the file's own figures",
    async () => {
      // The file's own figures, read here with csv-parse: every data row, and the sum of its
      // "Net Amount (£)" column (Hyndburn publishes net amounts; no row is a total).
      const bytes = readFileSync(COUNCIL_FILE);
      const records = parse(new TextDecoder('windows-1252').decode(bytes), {
        relax_column_count: true,
        skip_empty_lines: true,
      }) as string[][];
      const header = (records[0] ?? []).map((cell) => cell.trim());
      const amountColumn = header.findIndex((cell) => /^Net Amount/.test(cell));
      const dataRows = records.slice(1).filter((cells) => (cells[amountColumn] ?? '').trim() !== '');
      const fileTotal = dataRows.reduce((sum, cells) => sum + pence(cells[amountColumn] ?? ''), 0n);
      const fileName = basename(COUNCIL_FILE);

      const page = await open(await session('body'), '/uploads');
      await page.getByLabel('Choose spend files').setInputFiles(COUNCIL_FILE);
      const item = page
        .locator('.upload-item')
        .filter({ has: page.getByRole('heading', { name: fileName }) });
      // the ingest bar's line, once the status events say every document is in DuckDB
      await item
        .getByText(/^ingested: [\d,]+ of [\d,]+ documents in the database$/)
        .waitFor({ timeout: 90_000 });
      for (const bar of [`Upload of ${fileName}`, `Ingest of ${fileName}`]) {
        const progress = item.getByLabel(bar);
        expect(
          await progress.evaluate((el) => (el as unknown as { value: number; max: number }).value),
          bar,
        ).toBe(await progress.evaluate((el) => (el as unknown as { max: number }).max));
      }
      const ingestedLine = (await item.getByText(/^ingested: /).textContent()) ?? '';
      const [ingested, expected] = [...ingestedLine.matchAll(/[\d,]+/g)].map((m) =>
        Number(m[0].replaceAll(',', '')),
      );
      expect(ingested).toBe(expected);

      const fact = async (term: string) =>
        (await item.locator('dt', { hasText: term }).first().locator('+ dd').textContent()) ?? '';
      uploadId = await fact('Upload');
      expect(await fact('Body')).toBe(OWN_BODY);
      // rows read counts every row of the file, the header among them (docs/uploads.md)
      expect(await fact('Rows read')).toBe(records.length.toLocaleString('en-GB'));
      expect(await fact('Accepted')).toBe(dataRows.length.toLocaleString('en-GB'));
      expect(await fact('Rejected')).toBe('0');
      expect(await fact('Skipped')).toBe(String(records.length - dataRows.length));
      expect(await fact('Accepted net total')).toBe(pounds(fileTotal));
      await item.getByText('No rejected rows.').waitFor();
      await item.getByRole('form', { name: `Column mapping of ${fileName}` }).waitFor();

      // the API's report of the same upload, and the history row the page lists after a reload
      const report = await apiAs<{ accepted: number; rejected: number; acceptedNetTotal: string }>(
        'body',
        `/api/v1/uploads/${uploadId}`,
      );
      expect(report).toMatchObject({ accepted: dataRows.length, rejected: 0 });
      expect(pence(report.acceptedNetTotal)).toBe(fileTotal);
      await page.reload();
      await drawn(page);
      const history = page.getByRole('table', { name: 'Uploads, newest first' });
      expect(await history.getByRole('row').nth(1).textContent()).toContain(fileName);
      await page.close();
    },
  );

  it("a body key reaches neither another body's figures nor its upload report, in the page or the API", async () => {
    const stats = await apiAs<{ bodies: { bodyId: string; netTotal: string }[] }>('admin', '/api/v1/stats');
    const otherTotal = pounds(pence(stats.bodies.find((b) => b.bodyId === OTHER_BODY)?.netTotal ?? 'none'));

    // the other body named in the URL: no body filter is offered, and none of its spend is shown
    const overview = await open(await session('body'), `/overview?body=${OTHER_BODY}`);
    expect(await overview.getByLabel('Body', { exact: true }).count()).toBe(0);
    const page = await overview.locator('main').textContent();
    expect(page).not.toContain(otherTotal);
    const freshness = overview.getByRole('table', { name: 'Data freshness per body' });
    const otherName = (await apiAs<{ name: string }>('admin', `/api/v1/bodies/${OTHER_BODY}`)).name;
    expect(await freshness.textContent()).not.toContain(otherName);
    await overview.close();
    const cube = await apiAs<{ rows: unknown[] }>('body', `/api/v1/cube?body=${OTHER_BODY}&groupBy=body`);
    expect(cube.rows).toEqual([]);
    const adminCube = await apiAs<{ rows: { body_id: string }[] }>(
      'admin',
      `/api/v1/cube?body=${OTHER_BODY}&groupBy=body`,
    );
    expect(adminCube.rows.map((r) => r.body_id)).toEqual([OTHER_BODY]);

    // pages for staff only say so
    for (const spec of DATA_PAGES.filter((p) => !p.roles.includes('body'))) {
      const refused = await open(await session('body'), spec.path);
      expect(await refused.locator('#page').textContent()).toContain('This page is not open to a');
      await refused.close();
    }

    // another body's key on this body's upload report: refused, in the page and by the API
    if (councilFile) {
      expect(uploadId, 'the upload test ran first').toBeTruthy();
      const other = (await logIn(demo.keys.otherBody)).context;
      const report = await open(other, `/uploads?upload=${uploadId}`);
      expect(await shownErrors(report), (await report.locator('main').textContent()) ?? '').toEqual([
        'A body key uploads and reads for its own body only.',
      ]);
      expect(await report.locator('dl.facts').count()).toBe(0);
      await other.close();
      const refused = await fetch(`${demo.baseUrl}/api/v1/uploads/${uploadId}`, {
        headers: { authorization: `Bearer ${demo.keys.otherBody}` },
      });
      expect(refused.status).toBe(403);
    }
  });
});

/**
 * Partnership performance on a small demo (docs/partnership.md): the generator's messages written
 * through the batch writer into a real DuckDB (the Kafka path is `spend demo`'s, tested in
 * transforms-demo.test.ts), the demo's agreement and registers loaded as `spend demo` loads them,
 * the transforms run. Then:
 * - the planted SLA breach year is the only body-year breaching the payment measures;
 * - the commitments are what demo/service-levels.ts planted (worked out there in BigInt);
 * - the 2025Q3 partnership report renders every section with data, each checked against a query
 *   of the ingested documents (current_invoices, bodies) or the planted figures, not the marts
 *   the report reads.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../api/app.ts';
import { generateDemo } from '../demo/generate.ts';
import { buildDemoSavings, type DemoSavings } from '../demo/savings.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { addBody } from '../lib/bodies.ts';
import { Database, queryRows } from '../lib/db.ts';
import { createKey } from '../lib/keys.ts';
import { createLogger } from '../lib/log.ts';
import { toScaled } from '../lib/money.ts';
import { runOperation } from '../owner/operations.ts';
import type { PartnershipReport } from '../transforms/partnership/report.ts';
import { renderPartnershipReport } from '../transforms/partnership/report-page.ts';
import { loadDemoSavingsAndSignOff, writeDemoMessages } from './helpers/demo-batches.ts';

type Row = Record<string, string | number | boolean | null>;
let db: Database;
let savings: DemoSavings;
const rows = (sql: string, params: Record<string, string | number> = {}) =>
  db.withConnection((conn) => queryRows<Row>(conn, sql, params));

/** a ÷ b half up to `places` decimals, for a ≥ 0 (BigInt), as text. */
const halfUp = (a: bigint, b: bigint, places: number) => {
  const scale = 10n ** BigInt(places);
  const scaled = (2n * a * scale + b) / (2n * b);
  const text = scaled.toString().padStart(places + 1, '0');
  return `${text.slice(0, -places)}.${text.slice(-places)}`;
};

beforeAll(async () => {
  const demo = generateDemo({ targetInvoiceLines: 6000 });
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1 });
  await db.withConnection(async (conn) => {
    for (const body of demo.bodies) await addBody(conn, { ...body, status: 'active' });
    await writeDemoMessages(conn, demo.messages());
  });
  const { startDate, endDate } = demo.manifest.generator;
  savings = buildDemoSavings(demo.bodies, startDate, endDate);
  await loadDemoSavingsAndSignOff(db, savings);
}, 120_000);

afterAll(() => db?.close());

describe('partnership performance on the demo', () => {
  it('finds the planted SLA breach year, and no other body-year breaching the payment measures', async () => {
    const slow = savings.partnership.slowPayments;
    expect(slow).not.toBeNull();
    const breaches = await rows(
      `select measure, body_id, contract_year from fct_service_level_years
       where scope = 'body' and breach and measure in ('days_to_pay', 'paid_within_30_days_pct') order by measure`,
    );
    expect(breaches).toEqual(
      (slow?.breaches ?? []).map((measure) => ({
        measure,
        body_id: slow?.bodyId,
        contract_year: slow?.contractYear,
      })),
    );
    // the slow year's average days to pay, from the ingested documents themselves
    const [raw] = await rows(
      `select sum(date_diff('day', invoice_date, payment_date))::varchar as days, count(*)::varchar as invoices,
              count(*) filter (where date_diff('day', invoice_date, payment_date) <= 30)::varchar as within_30
       from current_invoices
       where body_id = $body and document_type = 'invoice' and invoice_date is not null
         and payment_date >= invoice_date and payment_date >= $from::date and payment_date < $to::date`,
      { body: slow?.bodyId ?? '', from: slow?.invoicesFrom ?? '', to: slow?.invoicesTo ?? '' },
    );
    const [mart] = await rows(
      `select value::varchar as value, rows_counted::varchar as rows_counted, status from fct_service_level_years
       where measure = 'days_to_pay' and body_id = $body and contract_year = $year`,
      { body: slow?.bodyId ?? '', year: slow?.contractYear ?? 0 },
    );
    expect(mart?.rows_counted).toBe(raw?.invoices);
    expect(toScaled(String(mart?.value), 2)).toBe(
      toScaled(halfUp(BigInt(String(raw?.days)), BigInt(String(raw?.invoices)), 1), 2),
    );
    expect(Number(mart?.value)).toBeGreaterThan(30);
    // rows without a payment date were left out and said so (the last months' unpaid invoices)
    const [excluded] = await rows(
      `select sum(rows_excluded)::integer as n from fct_service_level_years where measure = 'days_to_pay' and scope = 'partnership'`,
    );
    expect(Number(excluded?.n)).toBeGreaterThan(0);
    // the documents behind days-to-pay breaches (mostly the slow body's; a small body may have a
    // slow month of its own) really took longer than the 30-day target, by their own dates
    const explained = await rows(
      `select b.body_id, b.days_to_pay, date_diff('day', i.invoice_date, i.payment_date) as raw_days
       from fct_service_level_breaches as b
       inner join current_invoices as i on i.body_id = b.body_id and i.invoice_id = b.document_id
       where b.measure = 'days_to_pay'`,
    );
    expect(explained.filter((e) => e.body_id === slow?.bodyId).length).toBeGreaterThan(0);
    for (const e of explained) {
      expect(Number(e.days_to_pay)).toBe(Number(e.raw_days));
      expect(Number(e.days_to_pay)).toBeGreaterThan(30);
    }
  });

  it('shows the planted commitments against delivery', async () => {
    const found = await rows(
      `select contract_year, category, committed::varchar as committed, delivered::varchar as delivered,
              entries::integer as entries, status from fct_partner_commitments order by contract_year, category`,
    );
    const planted = savings.partnership.commitments;
    expect(planted.some((p) => p.outcome === 'short')).toBe(true);
    expect(
      found.map((f) => [
        f.contract_year,
        f.category,
        toScaled(String(f.committed), 2),
        toScaled(String(f.delivered), 2),
        f.entries,
        f.status,
      ]),
    ).toEqual(
      planted
        .map((p) => [
          p.contractYear,
          p.category,
          toScaled(p.committed, 2),
          toScaled(p.delivered, 2),
          p.entries,
          p.outcome,
        ])
        .sort((a, b) => Number(a[0]) - Number(b[0]) || String(a[1]).localeCompare(String(b[1]))),
    );
  });

  it('renders the 2025Q3 report with every section populated, each figure matching an independent query', async () => {
    // a body joining during the quarter: a membership change the report must show
    await db.withConnection((conn) =>
      addBody(conn, {
        bodyId: 'ashby-parish',
        name: 'Ashby Parish Council',
        kind: 'other',
        joinedOn: '2025-08-01',
      }),
    );
    const report = (await runOperation(db, 'partnership.report', {
      quarter: '2025Q3',
      commentary: 'Summary for the board.\n\n## Savings\nThird-party sales ran ahead of plan.',
    })) as PartnershipReport;
    const page = renderPartnershipReport(report);
    const section = (name: string) => {
      const match = new RegExp(`<section data-section="${name}">([\\s\\S]*?)</section>`).exec(page);
      expect(match, name).not.toBeNull();
      return match?.[1] ?? '';
    };
    const figure = (html: string, name: string) =>
      new RegExp(`data-figure="${name}">([^<]*)<`).exec(html)?.[1] ?? null;
    const pence = (shown: string | null) => toScaled(String(shown).replace(/[£,]/g, '').replace('−', '-'), 2);

    // spend: every member's GBP documents dated in the quarter, from the ingested documents
    const [spend] = await rows(
      `select sum(i.net_amount)::varchar as total, count(*)::varchar as invoices
       from current_invoices as i inner join bodies as b using (body_id)
       where i.currency = 'GBP' and coalesce(i.invoice_date, i.payment_date) between '2025-07-01' and '2025-09-30'
         and coalesce(i.invoice_date, i.payment_date) >= b.joined_on`,
    );
    const spendHtml = section('spend');
    expect(pence(figure(spendHtml, 'spend-total'))).toBe(toScaled(String(spend?.total), 2));
    expect(figure(spendHtml, 'spend-invoices')).toBe(spend?.invoices);
    expect(Number(figure(spendHtml, 'shared-suppliers'))).toBeGreaterThan(0);

    // savings: the planted deliveries of contract year 2025 (demo/savings.ts, in BigInt)
    const savingsHtml = section('savings');
    const planted2025 = savings.planted.filter((p) => p.contractYear === 2025);
    expect(pence(figure(savingsHtml, 'savings-realised'))).toBe(
      planted2025.reduce((s, p) => s + toScaled(p.delivered, 2), 0n),
    );
    expect(pence(figure(savingsHtml, 'savings-guaranteed'))).toBe(
      planted2025.reduce((s, p) => s + toScaled(p.guaranteed, 2), 0n),
    );
    expect(savingsHtml).toContain('Third-party sales ran ahead of plan.');

    // service levels: the partnership's days to pay over the quarter's payments, from the documents
    const [paid] = await rows(
      `select sum(date_diff('day', i.invoice_date, i.payment_date))::varchar as days, count(*)::varchar as invoices
       from current_invoices as i inner join bodies as b using (body_id)
       where i.document_type = 'invoice' and i.invoice_date is not null and i.payment_date >= i.invoice_date
         and i.payment_date between '2025-07-01' and '2025-09-30'
         and coalesce(i.invoice_date, i.payment_date) >= b.joined_on`,
    );
    const levelsHtml = section('service-levels');
    const daysRow = /<tr data-measure="days_to_pay"[^>]*>([\s\S]*?)<\/tr>/.exec(levelsHtml)?.[1] ?? '';
    expect(daysRow).toContain(
      `${halfUp(BigInt(String(paid?.days)), BigInt(String(paid?.invoices)), 1)} days`,
    );
    expect(daysRow).toContain(`>${paid?.invoices}<`);
    const slow = savings.partnership.slowPayments;
    expect(levelsHtml).toContain(`data-measure="days_to_pay" data-body="${slow?.bodyId}"`);
    expect(Number(figure(levelsHtml, 'breach-documents'))).toBeGreaterThan(0);

    // commitments: the planted contract year 2025
    const commitmentsHtml = section('commitments');
    const committed2025 = savings.partnership.commitments.filter((c) => c.contractYear === 2025);
    expect(pence(figure(commitmentsHtml, 'commitments-delivered'))).toBe(
      committed2025.reduce((s, c) => s + toScaled(c.delivered, 2), 0n),
    );
    expect(pence(figure(commitmentsHtml, 'commitments-committed'))).toBe(
      committed2025.reduce((s, c) => s + toScaled(c.committed, 2), 0n),
    );

    // membership: the register's members at the quarter's end
    const [members] = await rows(
      `select count(*)::varchar as n from bodies where status = 'active' and joined_on <= '2025-09-30'
         and (left_on is null or left_on > '2025-09-30')`,
    );
    const membershipHtml = section('membership');
    expect(figure(membershipHtml, 'members')).toBe(members?.n);
    expect(Number(members?.n)).toBeGreaterThan(0);
    const [changes] = await rows(
      `select count(*)::varchar as n from membership_events where effective_on between '2025-07-01' and '2025-09-30'`,
    );
    expect(figure(membershipHtml, 'membership-changes')).toBe(changes?.n);
    expect(membershipHtml).toContain('Ashby Parish Council');

    // commentary where it was written, ruled space elsewhere; a self-contained page
    expect(page).toContain('Summary for the board.');
    expect(section('spend')).toContain('commentary blank');
    expect(page).not.toMatch(/<script|<link|src="http/);
  });
});

describe('partnership performance over HTTP', () => {
  let server: Server | undefined;
  let base = '';
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    const slowBody = savings.partnership.slowPayments?.bodyId ?? '';
    await db.withConnection(async (conn) => {
      keys.finance = (await createKey(conn, { name: 'cfo', role: 'finance' })).key;
      keys.slowBody = (await createKey(conn, { name: 'r', role: 'body', bodyId: slowBody })).key;
    });
    server = await startApi(db, 0, createLogger('silent'));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))));
  const get = (key: string, path: string) =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });

  it("answers service levels, a body's own only, commitments and the report page", async () => {
    const slow = savings.partnership.slowPayments;
    const breaches = (await (
      await get(
        keys.finance as string,
        `/api/v1/partnership/service-levels?year=${slow?.contractYear}&measure=days_to_pay&breaches=true`,
      )
    ).json()) as { rows: { scope: string; body_id: string | null }[] };
    expect(breaches.rows.filter((r) => r.scope === 'body').map((r) => r.body_id)).toEqual([slow?.bodyId]);

    const own = (await (
      await get(keys.slowBody as string, '/api/v1/partnership/service-levels?period=month')
    ).json()) as {
      rows: { body_id: string | null }[];
    };
    expect(own.rows.length).toBeGreaterThan(0);
    expect(new Set(own.rows.map((r) => r.body_id))).toEqual(new Set([slow?.bodyId]));
    expect(
      (await get(keys.slowBody as string, '/api/v1/partnership/service-levels?body=eastvale-dc')).status,
    ).toBe(403);
    expect((await get(keys.slowBody as string, '/api/v1/partnership/commitments')).status).toBe(403);

    const invested = (await (
      await get(keys.finance as string, '/api/v1/partnership/commitments?year=2025')
    ).json()) as {
      totals: { delivered: string }[];
    };
    expect(toScaled(invested.totals[0]?.delivered ?? '', 2)).toBe(
      savings.partnership.commitments
        .filter((c) => c.contractYear === 2025)
        .reduce((s, c) => s + toScaled(c.delivered, 2), 0n),
    );

    const page = await get(keys.finance as string, '/api/v1/partnership/report?quarter=2025Q3&format=html');
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    for (const name of ['spend', 'savings', 'service-levels', 'commitments', 'membership'])
      expect(html).toContain(`<section data-section="${name}">`);
  });
});

/**
 * The membership packs on a small hand-made partnership, ingested by the consumer's own writer
 * into a real DuckDB and built by the real models. Expected figures are worked out by hand below;
 * the case-for-joining pack's figures are also traced to the marts and intermediate models by
 * queries of their own. The API serves the same packs as JSON, CSV and a printable page.
 *
 * Bodies: a and b (members), l (left on 2024-03-31), p (prospective).
 *   a: A1 2024-03-05 ACME 20 boxes of PAPER at 10.00 = 200.00; A2 2024-04-02 BIGCO 1000.00
 *   b: B1 2024-03-07 ACME 5 boxes at 12.00 = 60.00
 *   l: L1 2024-03-20 ACME 100.00 (counts); L2 2024-04-10 ACME 70.00 (after it left: does not)
 *   p: P1 ACME 10 boxes at 15.00 = 150.00; P2 Greenway Grounds 200.00 (both addressable);
 *      P3 redacted 80.00; P4 Lancashire County Council 500.00 (inter-authority);
 *      P5 Helping Hands Trust "Grants to Voluntary Organisations" 300.00 (grant)
 * Partnership PAPER prices: a 10.00, b 12.00 → best 10.00, p25 10.50, median 11.00; p's 10 boxes
 * at 15.00 save 150 − 100 = 50.00 at best, 150 − 105 = 45.00 at p25, 150 − 110 = 40.00 at median.
 * ACME is shared: p 150.00; members while members a 200.00 + b 60.00 + l 100.00 = 360.00 (3 bodies).
 * Contracts: a's grounds maintenance contract (tests/fixtures/ocds, ending 2027-03-31) names
 * Greenway Grounds & Gardens, whom p pays 200.00: p could use it.
 */

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../api/app.ts';
import { writeBatch } from '../ingest/batch-writer.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { invoicesHandler } from '../ingest/topics/invoices/handler.ts';
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import { addBody } from '../lib/bodies.ts';
import { Database, queryRows } from '../lib/db.ts';
import { createKey } from '../lib/keys.ts';
import { createLogger } from '../lib/log.ts';
import { changeMembership } from '../lib/membership.ts';
import { fromScaled, toScaled } from '../lib/money.ts';
import type { Pack } from '../owner/operations.ts';
import { loadContracts } from '../transforms/contracts/store.ts';
import { caseForJoining, dueDiligence } from '../transforms/membership/packs.ts';
import { runOnConnection } from '../transforms/runner.ts';
import { asMessage, invoice } from './helpers/messages.ts';

let db: Database;
let conn: DuckDBConnection;

const header = (
  bodyId: string,
  invoiceId: string,
  date: string,
  supplier: string,
  net: string,
  extra: Partial<InvoiceV1> = {},
) =>
  invoice({
    bodyId,
    invoiceId,
    invoiceDate: date,
    supplier: { name: supplier },
    netAmount: net,
    vatAmount: '0.00',
    lines: undefined,
    ...extra,
  });
const paper = (
  bodyId: string,
  invoiceId: string,
  date: string,
  quantity: string,
  price: string,
  net: string,
) =>
  header(bodyId, invoiceId, date, 'ACME SUPPLIES LTD', net, {
    expenseType: 'Stationery',
    lines: [
      {
        lineNo: 1,
        description: 'Copier paper',
        itemCode: 'PAPER',
        unit: 'box',
        quantity,
        unitPrice: price,
        netAmount: net,
      },
    ],
  });

const DOCUMENTS: InvoiceV1[] = [
  paper('a', 'A1', '2024-03-05', '20', '10.00', '200.00'),
  header('a', 'A2', '2024-04-02', 'BIGCO LTD', '1000.00', { expenseType: 'Consultants Fees' }),
  paper('b', 'B1', '2024-03-07', '5', '12.00', '60.00'),
  header('l', 'L1', '2024-03-20', 'ACME SUPPLIES LTD', '100.00'),
  header('l', 'L2', '2024-04-10', 'ACME SUPPLIES LTD', '70.00'),
  paper('p', 'P1', '2024-03-10', '10', '15.00', '150.00'),
  header('p', 'P2', '2024-03-11', 'Greenway Grounds & Gardens Ltd', '200.00', {
    expenseType: 'Grounds Maintenance',
  }),
  header('p', 'P3', '2024-03-12', 'REDACTED', '80.00', { supplier: { name: 'REDACTED', redacted: true } }),
  header('p', 'P4', '2024-03-13', 'Lancashire County Council', '500.00', { expenseType: 'Contribution' }),
  header('p', 'P5', '2024-03-14', 'Helping Hands Trust', '300.00', {
    expenseType: 'Grants to Voluntary Organisations',
  }),
];

const section = (pack: Pack, name: string) => {
  const found = pack.sections.find((s) => s.name === name);
  if (!found) throw new Error(`no section ${name}`);
  return found.table.rows;
};
const value = (pack: Pack, label: string) => pack.summary.find((s) => s.label === label)?.value;
const sum = (values: unknown[]) =>
  fromScaled(
    values.reduce<bigint>((t, v) => t + toScaled(String(v), 2), 0n),
    2,
  );
const rows = <T = Record<string, string>>(sql: string) => queryRows<T>(conn, sql);

beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
  conn = await db.connect();
  for (const id of ['a', 'b', 'l'])
    await addBody(conn, { bodyId: id, name: `Body ${id.toUpperCase()}`, joinedOn: '2023-04-01' });
  await addBody(conn, { bodyId: 'p', name: 'Body P', status: 'prospective', joinedOn: '2026-04-01' });
  await changeMembership(conn, { bodyId: 'l', change: 'leave', on: '2024-03-31', by: 'test' });
  await writeBatch(
    conn,
    invoicesHandler,
    'packs.invoices',
    0,
    DOCUMENTS.map((doc, offset) => asMessage(`${doc.bodyId}:${doc.invoiceId}`, doc, offset)),
  );
  const fixture = new URL('./fixtures/ocds/eastvale-release-package.json', import.meta.url);
  await loadContracts(conn, {
    files: [{ name: 'eastvale.json', text: readFileSync(fixture, 'utf8') }],
    bodyId: 'a',
  });
  const built = await runOnConnection(conn, { full: true, codelistsDir: null });
  expect(built.models.filter((m) => m.status !== 'success').map((m) => `${m.model}: ${m.error}`)).toEqual([]);
}, 120_000);

afterAll(() => {
  conn?.closeSync();
  db?.close();
});

describe('case-for-joining pack', () => {
  it('has the hand-computed figures', async () => {
    const pack = await caseForJoining(conn, { bodyId: 'p', asOf: '2024-01-01' });
    expect(value(pack, 'Spend (GBP, net)')).toBe('1230.00');
    expect(value(pack, 'Addressable spend (GBP)')).toBe('350.00');
    expect(
      Object.fromEntries(section(pack, 'addressability').map((r) => [r.addressability, r.net_total])),
    ).toEqual({
      addressable: '350.00',
      'redacted payment': '80.00',
      'inter-authority transfer': '500.00',
      grant: '300.00',
    });
    expect(sum(section(pack, 'addressable_by_category').map((r) => r.net_total))).toBe('350.00');
    expect(section(pack, 'shared_suppliers')).toEqual([
      expect.objectContaining({
        entity_name: 'ACME SUPPLIES LTD',
        prospect_net_total: '150.00',
        partnership_net_total: '360.00',
        partnership_bodies: '3',
        combined_net_total: '510.00',
      }),
    ]);
    expect(section(pack, 'price_savings')).toEqual([
      expect.objectContaining({
        item_code: 'PAPER',
        unit: 'box',
        quantity: '10.0000',
        net_amount: '150.00',
        saving_at_best_price: '50.00',
        saving_at_p25_price: '45.00',
        saving_at_median_price: '40.00',
      }),
    ]);
    expect(value(pack, 'Saving at the partnership’s best prices (GBP)')).toBe('50.00');
    const contract = section(pack, 'contracts').find((r) => r.ocid === 'ocds-test01-ev-0001');
    expect(contract).toMatchObject({
      body_id: 'a',
      why: 'a supplier it pays',
      prospect_spend_with_its_suppliers: '200.00',
    });
  });

  it('traces to the marts and models, by queries of its own', async () => {
    const pack = await caseForJoining(conn, { bodyId: 'p', asOf: '2024-01-01' });
    // shared suppliers: the cube's members' spend per entity, and p's own lines per entity
    for (const row of section(pack, 'shared_suppliers')) {
      const [cube] = await rows(
        `select sum(net_total)::varchar as total, count(distinct body_id)::varchar as bodies from fct_spend_cube
         where supplier_entity_id = '${row.entity_id}' and in_partnership and currency = 'GBP'`,
      );
      expect([row.partnership_net_total, row.partnership_bodies]).toEqual([cube?.total, cube?.bodies]);
      const [own] = await rows(
        `select sum(net_amount)::varchar as total from int_spend_lines where body_id = 'p' and supplier_entity_id = '${row.entity_id}'`,
      );
      expect(row.prospect_net_total).toBe(own?.total);
    }
    // price savings: the price-dispersion mart's prices, applied in TypeScript to p's own lines
    for (const row of section(pack, 'price_savings')) {
      const [prices] = await rows(
        `select min_unit_price::varchar as best, p25_unit_price::varchar as p25, median_unit_price::varchar as median
         from fct_price_dispersion where item_code = '${row.item_code}' and unit = '${row.unit}'`,
      );
      const [own] = await rows(
        `select sum(quantity)::varchar as quantity, sum(net_amount)::varchar as net from int_spend_lines
         where body_id = 'p' and item_code = '${row.item_code}' and unit = '${row.unit}'`,
      );
      const saving = (price: string) => {
        // quantity (4 places) × price (6 places: p25 and median are exact) = 10 places,
        // rounded half up to pence (2)
        const cost = toScaled(own?.quantity ?? '0', 4) * toScaled(price, 6);
        const pence = (cost + 50_000_000n) / 100_000_000n;
        const net = toScaled(own?.net ?? '0', 2);
        return fromScaled(net > pence ? net - pence : 0n, 2);
      };
      expect(row.saving_at_best_price).toBe(saving(prices?.best ?? ''));
      expect(row.saving_at_p25_price).toBe(saving(prices?.p25 ?? ''));
      expect(row.saving_at_median_price).toBe(saving(prices?.median ?? ''));
    }
    // addressable categories: p's classified lines, not redacted or non-addressable
    const categories = await rows(
      `select coalesce(proclass_level1, '(unclassified)') as category, sum(net_amount)::varchar as total
       from int_spend_classified where body_id = 'p' and invoice_id in ('P1', 'P2') group by all order by all`,
    );
    expect(
      section(pack, 'addressable_by_category')
        .map((r) => ({ category: r.category, total: r.net_total }))
        .sort((x, y) => String(x.category).localeCompare(String(y.category))),
    ).toEqual(categories);
  });

  it('is only for a prospective body', async () => {
    await expect(caseForJoining(conn, { bodyId: 'a' })).rejects.toThrow(/a is active/);
  });
});

describe('due-diligence pack', () => {
  it('has the hand-computed figures, without the leaver after its last day', async () => {
    const pack = await dueDiligence(conn, { bodies: ['a', 'b', 'l'], from: '2024-03-01', to: '2024-04-30' });
    expect(value(pack, 'Spend (GBP, net)')).toBe('1360.00');
    expect(Object.fromEntries(section(pack, 'by_body').map((r) => [r.body_id, r.net_total]))).toEqual({
      a: '1200.00',
      b: '60.00',
      l: '100.00',
    });
    expect(section(pack, 'by_month').map((r) => [r.spend_month, r.net_total])).toEqual([
      ['2024-03-01', '360.00'],
      ['2024-04-01', '1000.00'],
    ]);
    expect(Object.fromEntries(section(pack, 'by_supplier').map((r) => [r.supplier, r.net_total]))).toEqual({
      'ACME SUPPLIES LTD': '360.00',
      'BIGCO LTD': '1000.00',
    });
    expect(sum(section(pack, 'by_category').map((r) => r.net_total))).toBe('1360.00');
    expect(pack.caveats.join('\n')).toContain('l left the partnership on 2024-03-31');
    const contracts = section(pack, 'contracts');
    expect(contracts.length).toBeGreaterThan(0);
    expect(contracts.every((r) => r.body_id === 'a')).toBe(true);
    // ends 2027-03-31: after the period and more than 18 months after its end (2025-10-30)
    expect(
      contracts.find((r) => r.ocid === 'ocds-test01-ev-0001' && r.end_date === '2027-03-31')?.expiry,
    ).toBe('later');
    // the same figure by another route: the cube's cells of those bodies and months
    const [cube] = await rows(
      `select sum(net_total)::varchar as total from fct_spend_cube
       where body_id in ('a', 'b', 'l') and spend_month between '2024-03-01' and '2024-04-01'`,
    );
    expect(cube?.total).toBe('1360.00');
  });

  it('refuses a prospective body, whose figures are not the partnership’s', async () => {
    await expect(
      dueDiligence(conn, { bodies: ['a', 'p'], from: '2024-03-01', to: '2024-04-30' }),
    ).rejects.toThrow(/p is prospective/);
  });

  it('is served as JSON, CSV and a printable page', async () => {
    const server = await startApi(db, 0, createLogger('silent'));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const headers = {
        authorization: `Bearer ${(await createKey(conn, { name: 'packs', role: 'procurement' })).key}`,
      };
      const query = 'bodies=a&bodies=b&from=2024-03-01&to=2024-04-30';
      const json = (await (
        await fetch(`${base}/api/v1/packs/due-diligence?${query}`, { headers })
      ).json()) as Pack;
      expect(value(json, 'Spend (GBP, net)')).toBe('1260.00');
      const csv = await fetch(`${base}/api/v1/packs/due-diligence?${query}&format=csv&section=by_body`, {
        headers,
      });
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect((await csv.text()).trim().split(/\r?\n/)).toHaveLength(3);
      const html = await (
        await fetch(`${base}/api/v1/packs/due-diligence?${query}&format=html`, { headers })
      ).text();
      expect(html).toContain('<h1>Due-diligence spend pack</h1>');
      expect(html).toContain('1260.00');
      // a body key reads its own case for joining, not another body's
      const ownKey = {
        authorization: `Bearer ${(await createKey(conn, { name: 'p', role: 'body', bodyId: 'p' })).key}`,
      };
      expect(
        (await fetch(`${base}/api/v1/packs/case-for-joining/p?asOf=2024-01-01`, { headers: ownKey })).status,
      ).toBe(200);
      const otherKey = {
        authorization: `Bearer ${(await createKey(conn, { name: 'a', role: 'body', bodyId: 'a' })).key}`,
      };
      expect((await fetch(`${base}/api/v1/packs/case-for-joining/p`, { headers: otherKey })).status).toBe(
        403,
      );
    } finally {
      server.close();
    }
  });
});

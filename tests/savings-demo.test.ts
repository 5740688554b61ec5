/**
 * The demo's savings, end to end on a small demo: the generated partnership with the baselines
 * sent for the year before each body joined (demo/procurement-savings.ts), written through the
 * batch writer into a real DuckDB, the demo's agreement and registers loaded through the owner
 * operations, transformed and signed off as `spend demo` does, and read back:
 * - the statement finds exactly the guarantees and deliveries demo/savings.ts planted, on every
 *   stream, some years short of the guarantee and some above;
 * - the unit-price savings (cost reduction, avoidance, leakage per contract year, body and item)
 *   are worked out here again from the messages alone (latest version per key, retractions and
 *   bad records left out), the agreement's join dates and the price index file, in BigInt with
 *   the test's own arithmetic: they must equal the manifest's and the product's, to the penny.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type DemoMessage, generateDemo } from '../demo/generate.ts';
import { type PlantedProcurementSavings, withDemoProcurementSavings } from '../demo/procurement-savings.ts';
import { buildDemoSavings, type DemoSavings } from '../demo/savings.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import { addBody } from '../lib/bodies.ts';
import { Database, queryRows } from '../lib/db.ts';
import { runOperation } from '../owner/operations.ts';
import { loadDemoSavingsAndSignOff, writeDemoMessages } from './helpers/demo-batches.ts';
import { decimalToUnits, unitsToDecimal } from './helpers/messages.ts';

type Demo = ReturnType<typeof withDemoProcurementSavings>;
type Statement = {
  rows: { stream: string; body_id: string; realised: string | null }[];
  byStream: { stream: string; guaranteed: string; realised: string; validated: string }[];
};

let db: Database;
let demo: Demo;
/** The messages, generated once: the batch writer and the recomputation read the same ones. */
let messages: DemoMessage[];
let savings: DemoSavings;
let planted: PlantedProcurementSavings;

beforeAll(async () => {
  demo = withDemoProcurementSavings(generateDemo({ targetInvoiceLines: 6000 }));
  messages = [...demo.messages()];
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1 });
  await db.withConnection(async (conn) => {
    for (const body of demo.bodies) await addBody(conn, { ...body, status: 'active' });
    await writeDemoMessages(conn, messages);
  });
  planted = demo.procurementSavings;
  const { startDate, endDate } = demo.manifest.generator;
  savings = buildDemoSavings(demo.bodies, startDate, endDate, planted);
  await loadDemoSavingsAndSignOff(db, savings);
}, 120_000);

afterAll(() => db?.close());

// ---------------------------------------------------------------------------------------------
// The test's own recomputation: units of 10^-4 for prices, pence for money, BigInt throughout.

const price = (value: string) => decimalToUnits(value, 4);
const pence = (value: string) => decimalToUnits(value, 2);
const abs = (x: bigint) => (x < 0n ? -x : x);
const big = (a: bigint, b: bigint) => (a > b ? a : b);
/** 10^-4 units × whole quantity → pence, half away from zero. */
const roundToPence = (x: bigint) => (x < 0n ? -((-x + 50n) / 100n) : (x + 50n) / 100n);
/** First day of the month `n` months after YYYY-MM. */
const shiftMonth = (yyyyMm: string, n: number) => {
  const total = Number(yyyyMm.slice(0, 4)) * 12 + Number(yyyyMm.slice(5, 7)) - 1 + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
};

interface Measured {
  basis: 'baseline' | 'register';
  lines: number;
  reduction: bigint;
  avoidance: bigint;
  leakage: bigint;
}

/** Per `year|body|item|unit`: what the agreement's rules make of the current lines. */
function recomputeFromMessages(): Map<string, Measured> {
  const agreement = parseYaml(savings.files.agreement.text) as {
    start: string;
    term_years: number;
    contract_year_start_month: number;
    bodies: { id: string; joined: string }[];
  };
  const index = new Map(
    savings.files['price-index'].text
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(',') as [string, string])
      .map(([month, value]) => [month, decimalToUnits(value, 2)]),
  );
  const joined = new Map(agreement.bodies.map((b) => [b.id, String(b.joined)]));
  const termEnd = `${Number(String(agreement.start).slice(0, 4)) + agreement.term_years}${String(agreement.start).slice(4)}`;

  // the current documents: the latest message per key, retractions and bad records left out
  const bad = new Set(demo.manifest.badRecords.map((b) => `${b.topic}|${b.key}`));
  const current = new Map<string, InvoiceV1>();
  for (const message of messages) {
    if (message.topic !== 'invoices' || bad.has(`invoices|${message.key}`)) continue;
    if (message.value === null) current.delete(message.key);
    else current.set(message.key, JSON.parse(message.value) as InvoiceV1);
  }
  // every GBP line of an item; a contract at a saving rate reads only its amount, every other
  // measure needs its quantity and unit price
  const itemLines = [...current.values()].flatMap((doc) =>
    doc.currency !== 'GBP'
      ? []
      : (doc.lines ?? [])
          .filter((l) => l.itemCode)
          .map((l) => {
            const priced = l.unitPrice !== undefined && l.quantity !== undefined;
            const q = priced ? abs(decimalToUnits(l.quantity as string, 0)) : 0n;
            return {
              bodyId: doc.bodyId,
              supplierName: doc.supplier.name,
              itemCode: l.itemCode as string,
              date: (doc.invoiceDate ?? doc.paymentDate) as string,
              item: `${l.itemCode}|${l.unit ?? ''}`,
              priced,
              paid: priced ? price(l.unitPrice as string) : 0n,
              quantity: pence(l.netAmount) < 0n ? -q : q,
              net: pence(l.netAmount),
            };
          }),
  );
  const priced = itemLines.filter((l) => l.priced);

  // baselines: Σ net ÷ Σ quantity over the 12 months before the month each body joined, half up to 4 places
  const sums = new Map<string, { net: bigint; quantity: bigint; mid: string }>();
  for (const line of priced) {
    const joinMonth = (joined.get(line.bodyId) as string).slice(0, 7);
    const month = line.date.slice(0, 7);
    if (line.quantity === 0n || month < shiftMonth(joinMonth, -12) || month >= joinMonth) continue;
    const key = `${line.bodyId}|${line.item}`;
    const sum = sums.get(key) ?? { net: 0n, quantity: 0n, mid: shiftMonth(joinMonth, -6) };
    sum.net += line.net;
    sum.quantity += line.quantity;
    sums.set(key, sum);
  }
  const baselines = new Map(
    [...sums]
      .filter(([, s]) => s.net > 0n && s.quantity > 0n)
      .map(([key, s]) => [key, { price: (2n * s.net * 100n + s.quantity) / (2n * s.quantity), mid: s.mid }]),
  );

  // the savings register: each contract's supplier is every name the body sends for it (the
  // generator's supplier groups, the truth the resolver is tested against)
  const [header, ...rows] = (savings.files.register?.text ?? '').trim().split('\n');
  const columns = (header ?? '').split(',');
  const contracts = rows.map((row) => {
    const cells = Object.fromEntries(row.split(',').map((cell, i) => [columns[i], cell]));
    const group = demo.manifest.supplierGroups.find((g) =>
      g.bodies.some((b) => b.bodyId === cells.body_id && b.names.includes(cells.supplier_name as string)),
    );
    return {
      bodyId: cells.body_id as string,
      itemCode: cells.item_code as string,
      names: new Set(group?.bodies.find((b) => b.bodyId === cells.body_id)?.names ?? [cells.supplier_name]),
      // a contract gives the price it replaces, or an agreed saving rate (% of spend) instead
      previous: cells.previous_unit_price ? price(cells.previous_unit_price) : null,
      ratePct: cells.agreed_saving_pct ? decimalToUnits(cells.agreed_saving_pct, 4) : null,
      startsOn: cells.starts_on as string,
      endsOn: cells.ends_on || '9999-12-31',
    };
  });

  const measured = new Map<string, Measured>();
  for (const line of itemLines) {
    if (line.date < (joined.get(line.bodyId) as string) || line.date >= termEnd) continue;
    // a contract of the register first (its previous price, not indexed), else the baseline
    const contract = contracts.find(
      (c) =>
        c.bodyId === line.bodyId &&
        c.itemCode === line.itemCode &&
        c.names.has(line.supplierName) &&
        line.date >= c.startsOn &&
        line.date <= c.endsOn,
    );
    const baseline = baselines.get(`${line.bodyId}|${line.item}`);
    const startMonth = agreement.contract_year_start_month;
    const year = Number(line.date.slice(0, 4)) - (Number(line.date.slice(5, 7)) < startMonth ? 1 : 0);
    const key = `${year}|${line.bodyId}|${line.item}`;
    if (contract?.previous === null && contract.ratePct !== null) {
      // at the agreed rate: net pence × rate (10^-4 %) ÷ 10^6, half away from zero, as a reduction
      const m = measured.get(key) ?? {
        basis: 'register',
        lines: 0,
        reduction: 0n,
        avoidance: 0n,
        leakage: 0n,
      };
      const exact = line.net * contract.ratePct;
      m.lines++;
      m.reduction += exact < 0n ? -((-exact + 500_000n) / 1_000_000n) : (exact + 500_000n) / 1_000_000n;
      measured.set(key, m);
      continue;
    }
    if (!line.priced) continue;
    let reference: bigint;
    let indexed: bigint;
    if (contract && contract.previous !== null) {
      reference = contract.previous;
      indexed = contract.previous;
    } else if (baseline) {
      const from = index.get(`${baseline.mid}`) as bigint;
      const now = index.get(line.date.slice(0, 7)) as bigint;
      reference = baseline.price;
      indexed = (2n * baseline.price * now + from) / (2n * from);
    } else continue;
    const m = measured.get(key) ?? {
      basis: contract ? 'register' : 'baseline',
      lines: 0,
      reduction: 0n,
      avoidance: 0n,
      leakage: 0n,
    };
    m.lines++;
    m.reduction += roundToPence(big(reference - line.paid, 0n) * line.quantity);
    m.avoidance += roundToPence(big(indexed - big(line.paid, reference), 0n) * line.quantity);
    m.leakage += roundToPence(big(line.paid - indexed, 0n) * line.quantity);
    measured.set(key, m);
  }
  return measured;
}

const asText = (m: Map<string, Measured>) =>
  Object.fromEntries(
    [...m]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, v]) => [
        key,
        {
          basis: v.basis,
          lines: v.lines,
          costReduction: unitsToDecimal(v.reduction, 2),
          costAvoidance: unitsToDecimal(v.avoidance, 2),
          leakage: unitsToDecimal(v.leakage, 2),
        },
      ]),
  );

describe('demo savings', () => {
  it('finds the planted guarantees and deliveries of every stream, short and above', async () => {
    const outcomes = new Set(savings.planted.map((p) => p.outcome));
    expect(outcomes).toEqual(new Set(['short', 'above']));
    const procurement = savings.planted.filter((p) => p.stream === 'procurement');
    expect(new Set(procurement.map((p) => p.outcome))).toEqual(new Set(['short', 'above']));
    // every year but the last is validated
    const years = [...new Set(savings.planted.map((p) => p.contractYear))];
    expect(years.length).toBeGreaterThanOrEqual(3);
    const signed = (await runOperation(db, 'savings.signoffs', {})) as { contract_year: number }[];
    expect(signed.map((s) => s.contract_year).sort()).toEqual(years.slice(0, -1));
    for (const year of years) {
      const statement = (await runOperation(db, 'savings.statement', {
        year,
        asOf: demo.manifest.generator.endDate,
      })) as Statement;
      for (const want of savings.planted.filter((p) => p.contractYear === year)) {
        const found = statement.byStream.find((s) => s.stream === want.stream);
        expect({
          year,
          stream: want.stream,
          guaranteed: found?.guaranteed,
          realised: found?.realised,
        }).toEqual({
          year,
          stream: want.stream,
          guaranteed: want.guaranteed,
          realised: want.delivered,
        });
        expect(found?.validated).toBe(want.signedOff ? want.delivered : '0.00');
      }
    }
  });

  it('finds exactly the unit-price savings the baselines plant, worked out again from the messages', async () => {
    const expected = recomputeFromMessages();
    // every body has a baseline and realises something; each kind of measure is planted
    expect(new Set([...expected.keys()].map((k) => k.split('|')[1]))).toEqual(
      new Set(demo.bodies.map((b) => b.bodyId)),
    );
    const all = [...expected.values()];
    // a couple of bodies' contracts are at an agreed saving rate (no previous price): planted,
    // in the register without a price, and realising something
    const rateContracts = planted.contracts.filter((c) => c.previousUnitPrice === null);
    expect(rateContracts.length).toBeGreaterThanOrEqual(2);
    for (const contract of rateContracts) {
      expect(contract.agreedSavingPct).not.toBeNull();
      const realised = [...expected]
        .filter(([key]) => key.split('|')[1] === contract.bodyId && key.split('|')[2] === contract.itemCode)
        .reduce((sum, [, m]) => sum + m.reduction, 0n);
      expect(realised, contract.registerId).toBeGreaterThan(0n);
    }
    for (const measure of ['reduction', 'avoidance', 'leakage'] as const) {
      expect(
        all.some((m) => m[measure] > 0n),
        measure,
      ).toBe(true);
    }
    // the manifest says the same…
    expect(
      Object.fromEntries(
        planted.results.map(({ contractYear, bodyId, itemCode, unit, ...figures }) => [
          `${contractYear}|${bodyId}|${itemCode}|${unit}`,
          figures,
        ]),
      ),
    ).toEqual(asText(expected));
    // …and so do the product's lines, summed
    const product = await db.withConnection((conn) =>
      queryRows<{ key: string; basis: string; lines: number; r: string; a: string; l: string }>(
        conn,
        `select concat_ws('|', contract_year, body_id, item_code, unit) as key,
                if(basis = 'baseline', 'baseline', 'register') as basis, count(*)::integer as lines,
                sum(cost_reduction)::varchar as r, sum(cost_avoidance)::varchar as a, sum(leakage)::varchar as l
         from int_savings_procurement_lines group by all`,
      ),
    );
    expect(
      Object.fromEntries(
        product.map((p) => [
          p.key,
          { basis: p.basis, lines: p.lines, costReduction: p.r, costAvoidance: p.a, leakage: p.l },
        ]),
      ),
    ).toEqual(asText(expected));

    // the statement's procurement stream, per year and body: reduction + avoidance, less leakage
    // in the year whose guarantee nets price increases (read from the agreement file)
    const agreement = parseYaml(savings.files.agreement.text) as {
      guarantees: { year: number; procurement?: { net_price_increases?: boolean } }[];
    };
    for (const year of new Set([...expected.keys()].map((k) => Number(k.split('|')[0])))) {
      const netted =
        agreement.guarantees.find((g) => g.year === year)?.procurement?.net_price_increases === true;
      const perBody = new Map<string, bigint>();
      for (const [key, m] of expected) {
        const [y, bodyId] = key.split('|') as [string, string];
        if (Number(y) !== year) continue;
        const saving = m.reduction + m.avoidance - (netted ? m.leakage : 0n);
        perBody.set(bodyId, (perBody.get(bodyId) ?? 0n) + saving);
      }
      const statement = (await runOperation(db, 'savings.statement', { year })) as Statement;
      const got = statement.rows
        .filter((r) => r.stream === 'procurement' && perBody.has(r.body_id))
        .map((r) => [r.body_id, r.realised]);
      expect(Object.fromEntries(got), String(year)).toEqual(
        Object.fromEntries([...perBody].map(([b, p]) => [b, unitsToDecimal(p, 2)])),
      );
    }
    expect(
      Object.values(parseYaml(savings.files.agreement.text).guarantees).some(
        (g) => (g as { procurement?: { net_price_increases?: boolean } }).procurement?.net_price_increases,
      ),
    ).toBe(true);
  });
});

/**
 * Property (fast-check): for random invoice lines, index values, rules and other streams'
 * records, the statement's totals equal the sum of the records explain traces them to, and that
 * sum equals savings worked out here line by line from the issue's definitions, in BigInt,
 * independently of the product's money code (lib/money) and SQL.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database } from '../lib/db.ts';
import { runOperation } from '../owner/operations.ts';
import { runOnConnection } from '../transforms/runner.ts';

/** An amount with at most `places` decimals as an integer of 10^-places units (test's own parser). */
function units(text: string, places: number): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const value = BigInt(whole) * 10n ** BigInt(places) + BigInt(fraction.padEnd(places, '0') || '0');
  return negative ? -value : value;
}
const text = (value: bigint, places: number): string => {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(places + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`;
};
/** a ÷ b rounded half away from zero (b > 0). */
const divRound = (a: bigint, b: bigint) => (a < 0n ? -((-a * 2n + b) / (2n * b)) : (a * 2n + b) / (2n * b));
const max = (a: bigint, b: bigint) => (a > b ? a : b);

type Purchase = { month: number; pence: number; qty: number; credit: boolean };
type Case = {
  baselinePence: number;
  indexBase: number;
  indexByMonth: (number | null)[];
  purchases: Purchase[];
  indexation: boolean;
  avoidanceCounts: boolean;
  netting: boolean;
  evidencePence: number[];
  sharePct: number;
  salesPence: number[];
};

const MONTHS = [
  '2024-04',
  '2024-05',
  '2024-06',
  '2024-07',
  '2024-08',
  '2024-09',
  '2024-10',
  '2024-11',
  '2024-12',
  '2025-01',
  '2025-02',
  '2025-03',
];

const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  baselinePence: fc.integer({ min: 1, max: 5000 }),
  indexBase: fc.integer({ min: 50, max: 200 }),
  indexByMonth: fc.array(fc.option(fc.integer({ min: 50, max: 250 }), { nil: null }), {
    minLength: 12,
    maxLength: 12,
  }),
  purchases: fc.array(
    fc.record({
      month: fc.integer({ min: 0, max: 11 }),
      pence: fc.integer({ min: 1, max: 6000 }),
      qty: fc.integer({ min: 1, max: 999 }),
      credit: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  indexation: fc.boolean(),
  avoidanceCounts: fc.boolean(),
  netting: fc.boolean(),
  evidencePence: fc.array(fc.integer({ min: -50000, max: 500000 }), { maxLength: 3 }),
  sharePct: fc.integer({ min: 0, max: 100 }),
  salesPence: fc.array(fc.integer({ min: 1, max: 999999 }), { maxLength: 3 }),
});

/** The expected realised total in pence, by the definitions. */
function expectedPence(c: Case): bigint {
  const b4 = BigInt(c.baselinePence) * 100n; // £ in 10^-4
  let total = 0n;
  for (const p of c.purchases) {
    const p4 = BigInt(p.pence) * 100n;
    const q = BigInt(p.credit ? -p.qty : p.qty);
    const now = c.indexByMonth[p.month];
    const i4 = c.indexation && now != null ? divRound(b4 * BigInt(now), BigInt(c.indexBase)) : b4;
    // prices in 10^-4 pounds times whole quantities: to pence is ÷ 100
    const reduction = divRound(max(b4 - p4, 0n) * q, 100n);
    const avoidance = divRound(max(i4 - max(p4, b4), 0n) * q, 100n);
    const leakage = divRound(max(p4 - i4, 0n) * q, 100n);
    total += reduction + (c.avoidanceCounts ? avoidance : 0n) - (c.netting ? leakage : 0n);
  }
  for (const e of c.evidencePence) total += BigInt(e);
  for (const s of c.salesPence) total += divRound(BigInt(s) * BigInt(c.sharePct), 100n);
  return total;
}

async function realise(c: Case) {
  const db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1 });
  try {
    const conn = await db.connect();
    await conn.run(
      "insert into bodies (body_id, name, kind, status, joined_on) values ('b1', 'B1', 'council', 'active', '2024-04-01')",
    );
    await conn.run(
      "insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected) values (1, 't', 0, 0, 0, 1, 1, 0)",
    );
    const baseline = text(BigInt(c.baselinePence), 2);
    const lines = [
      {
        id: 'BASE',
        date: '2023-08-01',
        type: 'invoice',
        qty: '10',
        price: baseline,
        net: text(BigInt(c.baselinePence) * 10n, 2),
      },
      ...c.purchases.map((p, n) => ({
        id: `P${n}`,
        date: `${MONTHS[p.month]}-15`,
        type: p.credit ? 'credit-note' : 'invoice',
        qty: String(p.credit ? -p.qty : p.qty),
        price: text(BigInt(p.pence), 2),
        net: text(BigInt(p.pence) * BigInt(p.credit ? -p.qty : p.qty), 2),
      })),
    ];
    for (const [n, l] of lines.entries()) {
      await conn.run(
        `insert into invoices (topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, invoice_id, retracted,
                               document_type, supplier_name, invoice_date, currency, net_amount)
         values ('t', 0, $n, 1, 'b1', $id, false, $type, 'ACME', $date::date, 'GBP', $net::decimal(18,2))`,
        { n, id: l.id, type: l.type, date: l.date, net: l.net },
      );
      await conn.run(
        `insert into invoice_lines (topic, kafka_partition, kafka_offset, body_id, invoice_id, line_no, item_code, quantity, unit, unit_price, net_amount)
         values ('t', 0, $n, 'b1', $id, 1, 'A', $qty::decimal(18,4), 'each', $price::decimal(18,4), $net::decimal(18,2))`,
        { n, id: l.id, qty: l.qty, price: l.price, net: l.net },
      );
    }
    const agreement = [
      'agreement: p',
      'partner: Acme',
      'start: 2024-04-01',
      'term_years: 1',
      'contract_year_start_month: 4',
      `revenue_share_pct: ${c.sharePct}`,
      'rules:',
      `  indexation: ${c.indexation}`,
      `  cost_avoidance_counts: ${c.avoidanceCounts}`,
      `  net_price_increases: ${c.netting}`,
      '  split: pro-rata-months',
      '  partner_pays_shortfall: true',
      '  partner_share_above_guarantee_pct: 50',
      'bodies:',
      '  - { id: b1, joined: 2024-04-01 }',
      'guarantees:',
      '  - { year: 2024, procurement: { guaranteed: 100 } }',
    ].join('\n');
    const by = 'property';
    await runOperation(db, 'agreements.load', { file: { name: 'a.yaml', text: agreement }, by });
    const index = ['month,index_value', `2023-10,${c.indexBase}`];
    c.indexByMonth.forEach((value, m) => {
      if (value !== null) index.push(`${MONTHS[m]},${value}`);
    });
    await runOperation(db, 'savings.load', {
      kind: 'price-index',
      by,
      file: { name: 'i.csv', text: index.join('\n') },
    });
    const evidence = ['evidence_id,body_id,dated,description,amount,evidence_ref,approver'];
    for (const [n, pence] of c.evidencePence.entries())
      evidence.push(`E${n},b1,2024-06-0${n + 1},saving,${text(BigInt(pence), 2)},R${n},CFO`);
    await runOperation(db, 'savings.load', {
      kind: 'evidence',
      by,
      file: { name: 'e.csv', text: evidence.join('\n') },
    });
    const sales = ['sale_id,body_id,sale_date,customer,amount'];
    for (const [n, pence] of c.salesPence.entries())
      sales.push(`S${n},b1,2024-07-0${n + 1},Town,${text(BigInt(pence), 2)}`);
    await runOperation(db, 'savings.load', {
      kind: 'sales',
      by,
      file: { name: 's.csv', text: sales.join('\n') },
    });
    const run = await runOnConnection(conn);
    if (run.failed > 0) throw new Error(JSON.stringify(run.models.filter((m) => m.status === 'failed')));
    const statement = (await runOperation(db, 'savings.statement', { year: 2024, asOf: '2025-04-01' })) as {
      rows: { stream: string; realised: string }[];
      totals: { realised: string };
    };
    const traced = await Promise.all(
      statement.rows.map(
        (row) =>
          runOperation(db, 'savings.explain', { year: 2024, stream: row.stream, body: 'b1' }) as Promise<{
            records: { amount: string }[];
          }>,
      ),
    );
    conn.closeSync();
    return { statement, traced };
  } finally {
    db.close();
  }
}

describe('savings statement (property)', () => {
  it('totals equal the sum of the traced records and of savings worked out line by line', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const { statement, traced } = await realise(c);
        const tracedPence = traced.flatMap((t) => t.records).reduce((sum, r) => sum + units(r.amount, 2), 0n);
        statement.rows.forEach((row, i) => {
          const rowTraced = (traced[i]?.records ?? []).reduce((sum, r) => sum + units(r.amount, 2), 0n);
          expect(text(rowTraced, 2)).toBe(row.realised);
        });
        expect(statement.totals.realised).toBe(text(tracedPence, 2));
        expect(statement.totals.realised).toBe(text(expectedPence(c), 2));
      }),
      // each case builds every model on a fresh database: a few seconds apiece on a busy machine
      { numRuns: 8 },
    );
  });
});

/**
 * The savings ledger end to end on a real in-memory DuckDB: the agreement and registers loaded
 * through the owner operations, invoices in the ingested tables, the transforms run, the
 * statement, sign-off, a late invoice and a credit note into the signed-off period, explain.
 * Every expected figure is worked out by hand in the comments (the rules), never by the
 * product's code.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database, queryRows } from '../lib/db.ts';
import { runOperation } from '../owner/operations.ts';
import { runOnConnection } from '../transforms/runner.ts';
import { normaliseAgreement, parseAgreement } from '../transforms/savings/agreement.ts';

let db: Database | undefined;
afterEach(() => db?.close());

const AGREEMENT = `# the partnership agreement
agreement: north-partnership
partner: Acme Shared Services Ltd
start: 2024-04-01
term_years: 3
contract_year_start_month: 4
revenue_share_pct: 25
rules:
  indexation: true
  cost_avoidance_counts: true
  net_price_increases: false
  split: pro-rata-months
  partner_pays_shortfall: true
  partner_share_above_guarantee_pct: 50
bodies:
  - id: b1
    joined: 2024-04-01
    services: [procurement, payroll]
  - id: b2
    joined: 2024-10-01
    services: [procurement]
guarantees:
  - year: 2024
    procurement: { guaranteed: 90.00, stretch: 120.00 }
    services_transferred: { guaranteed: 100, indexation: false }
    consequential: { guaranteed: "30.00" }
`;

async function open(): Promise<DuckDBConnection> {
  // the time zone is set at open: the configuration is locked afterwards (lib/db.ts)
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1, timeZone: 'UTC' });
  const conn = await db.connect();
  await conn.run(
    `insert into bodies (body_id, name, kind, status, joined_on) values
       ('b1', 'B1', 'council', 'active', '2024-04-01'), ('b2', 'B2', 'fire', 'active', '2024-10-01')`,
  );
  return conn;
}

type Line = { item: string; qty: string; price: string; net: string };
type Invoice = { body: string; id: string; date: string; net: string; type?: string; lines?: Line[] };

let offset = 0;
async function ingest(conn: DuckDBConnection, batch: number, invoices: Invoice[]): Promise<void> {
  await conn.run(
    `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
     values ($batch, 't', 0, 0, 0, 1, 1, 0)`,
    { batch },
  );
  for (const i of invoices) {
    offset += 1;
    await conn.run(
      `insert into invoices (topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, invoice_id, retracted,
                             document_type, supplier_name, invoice_date, currency, net_amount)
       values ('t', 0, $offset, $batch, $body, $id, false, $type, 'ACME LTD', $date::date, 'GBP', $net::decimal(18,2))`,
      { offset, batch, body: i.body, id: i.id, type: i.type ?? 'invoice', date: i.date, net: i.net },
    );
    for (const [n, line] of (i.lines ?? []).entries()) {
      await conn.run(
        `insert into invoice_lines (topic, kafka_partition, kafka_offset, body_id, invoice_id, line_no, item_code,
                                    quantity, unit, unit_price, net_amount)
         values ('t', 0, $offset, $body, $id, $no, $item, $qty::decimal(18,4), 'each', $price::decimal(18,4), $net::decimal(18,2))`,
        {
          offset,
          body: i.body,
          id: i.id,
          no: n + 1,
          item: line.item,
          qty: line.qty,
          price: line.price,
          net: line.net,
        },
      );
    }
  }
}

const file = (name: string, text: string) => ({ name, text });
const by = 'fiona.finance';

async function loadEverything(database: Database) {
  const loads = [
    await runOperation(database, 'agreements.load', { file: file('agreement.yaml', AGREEMENT), by }),
    await runOperation(database, 'savings.load', {
      kind: 'price-index',
      by,
      file: file('index.csv', 'month,index_value\n2023-10,100\n2024-04,102\n2024-06,104\n2024-11,103\n'),
    }),
    await runOperation(database, 'savings.load', {
      kind: 'evidence',
      by,
      file: file(
        'evidence.csv',
        'evidence_id,body_id,dated,description,amount,evidence_ref,approver\nEV1,b1,2024-08-01,Agency staff no longer needed,500.00,HR-2024-17,CFO B1\n',
      ),
    }),
    await runOperation(database, 'savings.load', {
      kind: 'service-charges',
      by,
      file: file(
        'charges.csv',
        'body_id,service,month,baseline_cost,charge\nb1,payroll,2024-05,1000.00,900.00\nb2,payroll,2024-10,200.00,190.00\n',
      ),
    }),
    await runOperation(database, 'savings.load', {
      kind: 'sales',
      by,
      file: file(
        'sales.csv',
        'sale_id,body_id,sale_date,customer,amount\nS1,b1,2024-09-01,Town Council,200.00\nS2,b2,2025-01-10,Parish,33.33\n',
      ),
    }),
  ];
  return loads as { status: string; version: number; errors: string[] }[];
}

/** A transforms run, which must build every model. */
async function runWithoutFailures(conn: DuckDBConnection) {
  const run = await runOnConnection(conn);
  expect(run.models.filter((m) => m.status !== 'success')).toEqual([]);
  return run;
}

const pick = (rows: Record<string, unknown>[], stream: string, body: string) =>
  rows.find((r) => r.stream === stream && r.body_id === body) as Record<string, string>;

describe('savings ledger end to end', () => {
  it('realises, signs off, shows late changes as variance and explains every figure', async () => {
    const conn = await open();
    const database = db as Database;
    // baselines: b1 paid £10.00 (Apr 2023 – Mar 2024, mid-point Oct 2023: index 100); b2 £8.00
    // (Oct 2023 – Sep 2024, mid-point Apr 2024: index 102)
    await ingest(conn, 1, [
      {
        body: 'b1',
        id: 'B1',
        date: '2023-06-15',
        net: '1000.00',
        lines: [{ item: 'A', qty: '100', price: '10.00', net: '1000.00' }],
      },
      {
        body: 'b2',
        id: 'B2',
        date: '2023-12-01',
        net: '400.00',
        lines: [{ item: 'A', qty: '50', price: '8.00', net: '400.00' }],
      },
      // the worked example: £9.50 against £10.40 indexed (104/100): 50.00 + 40.00 = 90.00
      {
        body: 'b1',
        id: 'I1',
        date: '2024-06-10',
        net: '950.00',
        lines: [{ item: 'A', qty: '100', price: '9.50', net: '950.00' }],
      },
      // b2, indexed 8 × 103/102 = 8.0784: £8.50 is leakage (0.4216 × 50 = 21.08), not netted: 0.00
      {
        body: 'b2',
        id: 'I2',
        date: '2024-11-05',
        net: '425.00',
        lines: [{ item: 'A', qty: '50', price: '8.50', net: '425.00' }],
      },
      // £7.00: reduction 1.00 × 10 = 10.00, avoidance 0.0784 × 10 = 0.784 → 0.78: 10.78
      {
        body: 'b2',
        id: 'I3',
        date: '2024-11-06',
        net: '70.00',
        lines: [{ item: 'A', qty: '10', price: '7.00', net: '70.00' }],
      },
      // no unit price: a spend variance at most, never a saving
      { body: 'b1', id: 'U1', date: '2024-07-01', net: '5000.00' },
    ]);
    const loads = await loadEverything(database);
    expect(loads.map((l) => [l.status, l.version, l.errors])).toEqual(loads.map(() => ['loaded', 1, []]));
    await runWithoutFailures(conn);

    // Guarantees split by months (b1 12, b2 6 of 18): procurement 90.00 → 60.00 / 30.00;
    // services 100.00 → 10,000p × 12 ÷ 18 = 6,666 r 12 and 3,333 r 6, the odd penny to b1:
    // 66.67 / 33.33; consequential 30.00 → 20.00 / 10.00.
    const before = (await runOperation(database, 'savings.statement', {
      year: 2024,
      asOf: '2024-12-15',
    })) as {
      rows: Record<string, string>[];
      totals: Record<string, string>;
      monthsElapsed: number;
    };
    expect(pick(before.rows, 'procurement', 'b1')).toMatchObject({
      guaranteed: '60.00',
      stretch: '80.00',
      realised: '90.00',
    });
    expect(pick(before.rows, 'procurement', 'b2')).toMatchObject({
      guaranteed: '30.00',
      stretch: '40.00',
      realised: '10.78',
    });
    expect(pick(before.rows, 'services_transferred', 'b1')).toMatchObject({
      guaranteed: '66.67',
      realised: '100.00',
    });
    expect(pick(before.rows, 'services_transferred', 'b2')).toMatchObject({
      guaranteed: '33.33',
      realised: '10.00',
    });
    expect(pick(before.rows, 'consequential', 'b1')).toMatchObject({
      guaranteed: '20.00',
      realised: '500.00',
    });
    // 200.00 × 25 % = 50.00; 33.33 × 25 % = 8.3325 → 8.33
    expect(pick(before.rows, 'third_party_revenue_share', 'b1')).toMatchObject({ realised: '50.00' });
    expect(pick(before.rows, 'third_party_revenue_share', 'b2')).toMatchObject({ realised: '8.33' });
    // 90 + 10.78 + 100 + 10 + 500 + 50 + 8.33
    expect(before.totals.realised).toBe('769.11');
    // nothing validated yet: shortfall is on validated figures only, so all of the guarantee
    expect(before.totals.validated).toBe('0.00');
    expect(before.totals.shortfall).toBe('220.00');

    // Finance signs off April–September: I1 90.00, b1 payroll May 100.00, EV1 500.00, S1 50.00
    const signed = (await runOperation(database, 'savings.signoff', {
      year: 2024,
      period: '2024-09',
      by: 'Chief Finance Officer',
      comment: 'H1 checked against AP and HR evidence',
    })) as { records: number; total: string; sha256: string; through: string; signoffId: number };
    expect(signed).toMatchObject({ records: 4, total: '740.00', through: '2024-09-30' });
    // the snapshot's hash is of its content: recomputed here from the frozen rows
    const frozen = await queryRows<Record<string, string | number>>(
      conn,
      `select record_id, stream, body_id, contract_year, record_date::varchar as record_date, amount::varchar as amount
       from savings_signoff_records where signoff_id = $id`,
      { id: signed.signoffId },
    );
    const lines = frozen
      .map((r) => `${r.record_id}|${r.stream}|${r.body_id}|${r.contract_year}|${r.record_date}|${r.amount}`)
      .sort();
    expect(createHash('sha256').update(lines.join('\n')).digest('hex')).toBe(signed.sha256);

    // A late invoice (July, £9.00 × 10: reduction 10.00; no July index, so no avoidance) and a
    // credit note for 10 of I1's units (−5.00 − 4.00 = −9.00) arrive into the validated period.
    await ingest(conn, 2, [
      {
        body: 'b1',
        id: 'L1',
        date: '2024-07-20',
        net: '90.00',
        lines: [{ item: 'A', qty: '10', price: '9.00', net: '90.00' }],
      },
      {
        body: 'b1',
        id: 'C1',
        type: 'credit-note',
        date: '2024-06-30',
        net: '-95.00',
        lines: [{ item: 'A', qty: '-10', price: '9.50', net: '-95.00' }],
      },
    ]);
    // figures not yet rebuilt over the new documents cannot be signed off
    await expect(
      runOperation(database, 'savings.signoff', { year: 2024, by: 'x', comment: 'too early' }),
    ).rejects.toThrow(/1 ingest batch\(es\) arrived since the savings were last built/);
    const second = await runWithoutFailures(conn);
    expect(second.models.find((m) => m.model === 'int_savings_procurement_lines')?.mode).toBe('incremental');

    // the incremental refresh equals a rebuild from scratch
    const incremental = await queryRows(conn, 'select * from int_savings_procurement_lines order by all');
    expect((await runOnConnection(conn, { full: true })).failed).toBe(0);
    expect(await queryRows(conn, 'select * from int_savings_procurement_lines order by all')).toEqual(
      incremental,
    );

    const after = (await runOperation(database, 'savings.statement', {
      year: 2024,
      asOf: '2024-12-15',
    })) as typeof before;
    // validated never moves; the change shows as variance: 10.00 − 9.00 = 1.00
    expect(pick(after.rows, 'procurement', 'b1')).toMatchObject({
      validated: '90.00',
      realised: '91.00',
      variance_since_validation: '1.00',
      realised_not_validated: '1.00',
      shortfall: '0.00',
      // 30.00 above the guarantee, half to the partner
      gain_share_to_partner: '15.00',
      validated_through: '2024-09-30',
      // 8 months gone on 15 Dec: 91.00 × 12 ÷ 8
      forecast_to_year_end: '136.50',
    });
    expect(pick(after.rows, 'procurement', 'b2')).toMatchObject({
      validated: '0.00',
      realised_not_validated: '10.78',
      shortfall: '30.00',
      due_from_partner: '30.00',
    });
    // 33.33 above the services guarantee: half is 16.665 → 16.67
    expect(pick(after.rows, 'services_transferred', 'b1')).toMatchObject({ gain_share_to_partner: '16.67' });
    expect(pick(after.rows, 'consequential', 'b1')).toMatchObject({ gain_share_to_partner: '240.00' });
    expect(after.totals).toMatchObject({
      validated: '740.00',
      realised: '770.11',
      // b2: 30.00 + 33.33 + 10.00
      shortfall: '73.33',
      // 15.00 + 16.67 + 240.00 + 25.00
      gain_share_to_partner: '296.67',
    });

    // explain walks each figure to its records; the records sum to the figure
    const realised = (await runOperation(database, 'savings.explain', {
      year: 2024,
      stream: 'procurement',
      body: 'b1',
    })) as { total: string; records: { record_id: string; amount: string }[] };
    expect(realised.total).toBe('91.00');
    expect(realised.records.map((r) => [r.record_id, r.amount]).sort()).toEqual([
      ['procurement:b1:C1:1', '-9.00'],
      ['procurement:b1:I1:1', '90.00'],
      ['procurement:b1:L1:1', '10.00'],
    ]);
    const validated = (await runOperation(database, 'savings.explain', {
      year: 2024,
      body: 'b1',
      figure: 'validated',
    })) as { total: string; records: unknown[] };
    expect(validated.total).toBe('740.00');
    const one = (await runOperation(database, 'savings.explain', {
      year: 2024,
      record: 'procurement:b1:I1:1',
    })) as {
      line: Record<string, unknown>;
      baseline: Record<string, unknown>;
      signoffs: unknown[];
    };
    expect(one.line).toMatchObject({
      index_base: '100.0000',
      index_now: '104.0000',
      indexed_price: '10.4000',
    });
    expect(one.baseline).toMatchObject({
      baseline_unit_price: '10.0000',
      baseline_lines: 1,
      baseline_mid_month: '2023-10-01',
    });
    expect(one.signoffs).toEqual([{ signoff_id: signed.signoffId, amount_validated: '90.00' }]);
    const late = (await runOperation(database, 'savings.explain', {
      year: 2024,
      record: 'procurement:b1:L1:1',
    })) as {
      line: Record<string, unknown>;
    };
    expect(late.line).toMatchObject({ index_missing: true, cost_avoidance: '0.00', cost_reduction: '10.00' });

    // b1's unpriced £5,000 is a spend variance, not a saving
    const variance = await queryRows(
      conn,
      "select unpriced_spend::varchar as spend from fct_savings_spend_variance where body_id = 'b1' and contract_year = 2024",
    );
    expect(variance).toEqual([{ spend: '5000.00' }]);

    // a sign-off may not cover less than the one before
    await expect(
      runOperation(database, 'savings.signoff', { year: 2024, period: '2024-06', by: 'x', comment: 'y' }),
    ).rejects.toThrow(/already signed off through 2024-09-30/);
  });
});

describe('savings loads', () => {
  it('versions every load, never rewriting an old one, and recognises a file loaded again', async () => {
    await open();
    const database = db as Database;
    const index1 = 'month,index_value\n2024-01,100\n';
    const index2 = 'month,index_value\n2024-01,101\n2024-02,102\n';
    const load = (text: string) =>
      runOperation(database, 'savings.load', {
        kind: 'price-index',
        by: 'ann',
        file: file('i.csv', text),
      }) as Promise<{
        status: string;
        version: number;
      }>;
    expect(await load(index1)).toMatchObject({ status: 'loaded', version: 1 });
    expect(await load(index2)).toMatchObject({ status: 'loaded', version: 2 });
    expect(await load(index2)).toMatchObject({ status: 'unchanged', version: 2 });
    const rows = await (db as Database).withConnection((conn) =>
      queryRows(
        conn,
        `select l.version, l.loaded_by, p.month::varchar as month, p.index_value::varchar as value
         from savings_price_index p join savings_loads l using (load_id) order by all`,
      ),
    );
    expect(rows).toEqual([
      { version: 1, loaded_by: 'ann', month: '2024-01-01', value: '100.0000' },
      { version: 2, loaded_by: 'ann', month: '2024-01-01', value: '101.0000' },
      { version: 2, loaded_by: 'ann', month: '2024-02-01', value: '102.0000' },
    ]);
  });

  it('names file, line and field of each bad row and loads the good ones', async () => {
    await open();
    const csv = [
      'register_id,body_id,supplier_name,contract_ref,item_code,previous_unit_price,agreed_saving_pct,agreed_annual_saving,starts_on,ends_on',
      'R1,b1,ACME LTD,C-1,A,10.00,,1200.00,2024-04-01,',
      'R2,b1,ACME LTD,,,£9.00,,,2024-04-01,',
      'R3,zz,ACME LTD,,,9.00,,,2024-04-01,',
      'R4,b1,ACME LTD,,,,,,2024-02-30,',
      'R1,b1,OTHER,,,,5,,2024-04-01,',
      'R5,b2,OTHER LTD,,,,5,,2024-04-01,2025-03-31',
    ].join('\n');
    const result = (await runOperation(db as Database, 'savings.load', {
      kind: 'register',
      by: 'ann',
      file: file('register.csv', csv),
    })) as { rows: number; errors: string[] };
    expect(result.rows).toBe(2);
    expect(result.errors).toEqual([
      'register.csv:3: previous_unit_price: a decimal number not below 0 with at most 4 decimal places, no £ or commas',
      'register.csv:4: body_id: zz is not a registered body',
      'register.csv:5: starts_on: not a real date',
      'register.csv:6: R1 appears already on line 2; each once',
    ]);
  });

  it('refuses an agreement with the YAML line of every problem', async () => {
    await open();
    const bad = AGREEMENT.replace('term_years: 3', 'term_years: three')
      .replace('joined: 2024-10-01', 'joined: 2024-13-01')
      .replace('guaranteed: 90.00, stretch: 120.00', 'guaranteed: 90.00, stretch: 80.00');
    const error = await runOperation(db as Database, 'agreements.load', {
      file: file('a.yaml', bad),
      by,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('a.yaml:5: term_years:');
    expect(message).toContain('a.yaml:20: bodies.1.joined: not a real date');
    expect(message).toContain(
      'a.yaml:24: guarantees.0.procurement.stretch: the stretch target is at least the guarantee',
    );
    const unknownBody = AGREEMENT.replace('id: b2', 'id: b9');
    await expect(
      runOperation(db as Database, 'agreements.load', { file: file('a.yaml', unknownBody), by }),
    ).rejects.toThrow(/b9 are not registered/);
  });
});

describe('baselines, versioned', () => {
  type Version = {
    body_id: string;
    item_code: string;
    version: number;
    baseline_unit_price: string;
    previous_unit_price: string | null;
    transform_run_id: number;
  };
  type Change = {
    body_id: string;
    item_code: string;
    from_version: number | null;
    to_version: number;
    price_before: string | null;
    price_after: string | null;
    lines_added: number;
    lines_removed: number;
    lines_changed: number;
    causes: {
      invoice_id: string;
      line_no: number;
      change: string;
      quantity_after: string;
      net_after: string;
      ingest_batch_id: number;
    }[];
    changed_by: string;
  };

  it('records a late invoice into a baseline period as one new version, with before, after and its cause', async () => {
    const conn = await open();
    const database = db as Database;
    // b1's baseline period is April 2023 – March 2024: 100 of A at £10.00 and 10 of B at £3.00
    await ingest(conn, 1, [
      {
        body: 'b1',
        id: 'B1',
        date: '2023-06-15',
        net: '1030.00',
        lines: [
          { item: 'A', qty: '100', price: '10.00', net: '1000.00' },
          { item: 'B', qty: '10', price: '3.00', net: '30.00' },
        ],
      },
    ]);
    await loadEverything(database);
    const first = await runWithoutFailures(conn);
    const baselines = async (history: boolean) =>
      runOperation(database, 'savings.baselines', { body: 'b1', history });
    // a body that is not registered is refused, not answered with no baselines
    await expect(runOperation(database, 'savings.baselines', { body: 'nobody' })).rejects.toThrow(
      'Body "nobody" is not registered.',
    );
    expect(
      ((await baselines(false)) as Version[]).map((v) => [
        v.item_code,
        v.version,
        v.baseline_unit_price,
        v.transform_run_id,
      ]),
    ).toEqual([
      ['A', 1, '10.0000', first.runId],
      ['B', 1, '3.0000', first.runId],
    ]);
    // every first version is on record too, from no baseline to its price
    expect(
      ((await baselines(true)) as Change[]).map((c) => [
        c.item_code,
        c.from_version,
        c.to_version,
        c.price_before,
        c.price_after,
      ]),
    ).toEqual([
      ['A', null, 1, null, '10.0000'],
      ['B', null, 1, null, '3.0000'],
    ]);

    // a late invoice dated in the baseline period: 50 more of A at £11.00.
    // New baseline (1000.00 + 550.00) ÷ 150 = 10.3333… → £10.3333; B is unchanged.
    await ingest(conn, 2, [
      {
        body: 'b1',
        id: 'LATE1',
        date: '2024-02-20',
        net: '550.00',
        lines: [{ item: 'A', qty: '50', price: '11.00', net: '550.00' }],
      },
    ]);
    const second = await runWithoutFailures(conn);
    const changes = (await baselines(true)) as Change[];
    expect(changes).toHaveLength(3);
    expect(changes[2]).toMatchObject({
      body_id: 'b1',
      item_code: 'A',
      from_version: 1,
      to_version: 2,
      price_before: '10.0000',
      price_after: '10.3333',
      lines_added: 1,
      lines_removed: 0,
      lines_changed: 0,
      changed_by: `transforms run ${second.runId}`,
    });
    expect(changes[2]?.causes).toEqual([
      expect.objectContaining({
        invoice_id: 'LATE1',
        line_no: 1,
        change: 'added',
        net_after: '550.00',
        ingest_batch_id: 2,
      }),
    ]);
    expect(
      ((await baselines(false)) as Version[]).map((v) => [
        v.item_code,
        v.version,
        v.baseline_unit_price,
        v.previous_unit_price,
      ]),
    ).toEqual([
      ['A', 2, '10.3333', '10.0000'],
      ['B', 1, '3.0000', null],
    ]);

    // a run with nothing new records nothing, and neither does a full rebuild
    const counts = async () =>
      queryRows<{ versions: number; changes: number }>(
        conn,
        `select (select count(*)::integer from savings_baseline_versions) as versions,
                (select count(*)::integer from savings_baseline_changes) as changes`,
      );
    expect(await counts()).toEqual([{ versions: 3, changes: 3 }]);
    await runOnConnection(conn);
    await runOnConnection(conn, { full: true });
    expect(await counts()).toEqual([{ versions: 3, changes: 3 }]);

    // a credit note for the late invoice brings the price back: a third version, not version 1 again
    await ingest(conn, 3, [
      {
        body: 'b1',
        id: 'CN1',
        date: '2024-02-28',
        net: '-550.00',
        type: 'credit-note',
        lines: [{ item: 'A', qty: '50', price: '11.00', net: '-550.00' }],
      },
    ]);
    await runOnConnection(conn);
    const last = ((await baselines(true)) as Change[]).at(-1);
    expect(last).toMatchObject({
      item_code: 'A',
      from_version: 2,
      to_version: 3,
      price_before: '10.3333',
      price_after: '10.0000',
      lines_added: 1,
    });
    expect(last?.causes.map((c) => [c.invoice_id, c.change, c.quantity_after])).toEqual([
      ['CN1', 'added', '-50.0000'],
    ]);
  });
});

describe('the documented agreement', () => {
  it('is a valid agreement: docs/savings.md and the schema agree', () => {
    const docs = readFileSync(new URL('../docs/savings.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
    const agreement = parseAgreement('docs/savings.md', example);
    const normal = normaliseAgreement(agreement);
    // ten April–March years from April 2024; the fire service's baseline as written
    expect([normal.firstYear, normal.lastYear, normal.endDate]).toEqual([2024, 2033, '2034-04-01']);
    expect(normal.bodies.map((b) => [b.bodyId, b.baselineStart, b.baselineEnd])).toEqual([
      ['north-shire-cc', '2023-04-01', '2024-04-01'],
      ['north-shire-fire', '2023-04-01', '2024-04-01'],
    ]);
    expect(
      normal.guarantees.find((g) => g.contractYear === 2025 && g.stream === 'procurement'),
    ).toMatchObject({
      guaranteed: '1500000',
      netPriceIncreases: true,
      indexation: true,
      indexMonth: 'contract-year-start',
    });
    // the agreement's rule holds where a year does not override it
    expect(
      normal.guarantees.find((g) => g.contractYear === 2024 && g.stream === 'procurement')?.indexMonth,
    ).toBe('invoice-month');
    // left out, the rule is the invoice month: agreements written before it compute as they did
    const withoutRule = parseAgreement('a.yaml', example.replace(/\n {2}index_month: .*\n/, '\n'));
    expect(
      new Set(
        normaliseAgreement(withoutRule)
          .guarantees.filter((g) => g.contractYear !== 2025)
          .map((g) => g.indexMonth),
      ),
    ).toEqual(new Set(['invoice-month']));
    expect(() =>
      parseAgreement('a.yaml', example.replace('index_month: invoice-month', 'index_month: mid-year')),
    ).toThrow(/rules\.index_month/);
  });
});

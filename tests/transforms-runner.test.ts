/**
 * The transform runner on a real in-memory DuckDB: incremental refresh equals a full rebuild
 * (late corrections to old months, retractions, batches committed out of id order), a failed
 * model skips only its downstream, every run is logged, and selection picks up- or downstream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database, queryRows } from '../lib/db.ts';
import { createLogger } from '../lib/log.ts';
import {
  inDependencyOrder,
  loadModels,
  type Model,
  parseSqlModel,
  selectModels,
} from '../transforms/models.ts';
import { runOnConnection } from '../transforms/runner.ts';
import { startTransformSchedule } from '../transforms/schedule.ts';

let db: Database | undefined;
afterEach(() => db?.close());

async function open() {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1 });
  const conn = await db.connect();
  await conn.run(
    "insert into bodies (body_id, name, kind, status, joined_on) values ('b1', 'B1', 'council', 'active', '2023-01-01')",
  );
  return conn;
}

type Invoice = {
  batch: number;
  offset: number;
  id: string;
  net?: string;
  date?: string;
  retracted?: boolean;
  supplier?: string;
};

async function ingest(conn: Awaited<ReturnType<typeof open>>, invoices: Invoice[]) {
  for (const batch of new Set(invoices.map((i) => i.batch))) {
    await conn.run(
      `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
       values ($batch, 't', 0, 0, 0, 1, 1, 0)`,
      { batch },
    );
  }
  for (const i of invoices) {
    await conn.run(
      `insert into invoices (topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, invoice_id, retracted,
                             document_type, supplier_name, invoice_date, currency, net_amount)
       values ('t', 0, $offset, $batch, 'b1', $id, $retracted, 'invoice', $supplier, $date::date, 'GBP', $net::decimal(18,2))`,
      {
        offset: i.offset,
        batch: i.batch,
        id: i.id,
        retracted: i.retracted ?? false,
        supplier: i.retracted ? null : (i.supplier ?? 'ACME LTD'),
        date: i.retracted ? null : (i.date ?? '2024-01-15'),
        net: i.retracted ? null : (i.net ?? '10.00'),
      },
    );
  }
}

const snapshot = (conn: Awaited<ReturnType<typeof open>>, table: string) =>
  queryRows(conn, `select * from ${table} order by all`);

describe('transform runner', () => {
  it('refreshes incrementally by ingest batch, to the same result as a full rebuild', async () => {
    const conn = await open();
    await ingest(conn, [
      { batch: 1, offset: 1, id: 'I1', net: '100.00', date: '2024-01-10' },
      { batch: 1, offset: 2, id: 'I2', net: '50.00', date: '2024-01-11' },
      { batch: 1, offset: 3, id: 'I3', net: '7.00', date: '2024-02-01' },
    ]);
    const first = await runOnConnection(conn);
    expect(first.failed).toBe(0);
    expect(first.models.find((m) => m.model === 'stg_invoices')?.mode).toBe('full');

    // Batch 3 commits before batch 2 (two partitions' transactions): a late correction to January,
    // a retraction, a new invoice for an old month.
    await ingest(conn, [
      { batch: 3, offset: 5, id: 'I1', net: '120.00', date: '2024-01-10' },
      { batch: 3, offset: 6, id: 'I2', retracted: true },
    ]);
    const second = await runOnConnection(conn);
    const stg = second.models.find((m) => m.model === 'stg_invoices');
    expect(stg).toMatchObject({ mode: 'incremental', rows: 1, status: 'success' });
    await ingest(conn, [{ batch: 2, offset: 4, id: 'I4', net: '3.50', date: '2023-11-30' }]);
    const third = await runOnConnection(conn);
    expect(third.models.find((m) => m.model === 'stg_invoices')).toMatchObject({
      mode: 'incremental',
      rows: 1,
    });

    const incremental = {
      invoices: await snapshot(conn, 'stg_invoices'),
      cube: await snapshot(conn, 'fct_spend_cube'),
    };
    expect(incremental.invoices.map((r) => [r.invoice_id, r.net_amount])).toEqual([
      ['I1', '120.00'],
      ['I3', '7.00'],
      ['I4', '3.50'],
    ]);
    const total = await queryRows<{ t: string }>(
      conn,
      'select sum(net_total)::varchar as t from fct_spend_cube',
    );
    expect(total[0]?.t).toBe('130.50');

    const full = await runOnConnection(conn, { full: true });
    expect(full.models.find((m) => m.model === 'stg_invoices')?.mode).toBe('full');
    expect(await snapshot(conn, 'stg_invoices')).toEqual(incremental.invoices);
    expect(await snapshot(conn, 'fct_spend_cube')).toEqual(incremental.cube);
    conn.closeSync();
  });

  it('follows changes of another grain incrementally: a supplier entity, a supplier category', async () => {
    const conn = await open();
    await conn.run(
      `insert into classification_rules (rule_id, priority, field, pattern, proclass_code) values
       ('energy', 10, 'expense_type', '%electric%', '370000'), ('works', 20, 'expense_type', '%works%', '390000')`,
    );
    type Doc = {
      batch: number;
      offset: number;
      id: string;
      supplier: string;
      net: string;
      expense?: string;
      company?: string;
    };
    const send = async (docs: Doc[]) => {
      for (const batch of new Set(docs.map((d) => d.batch))) {
        await conn.run(
          `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
           values ($batch, 't', 0, 0, 0, 1, 1, 0)`,
          { batch },
        );
      }
      for (const d of docs) {
        await conn.run(
          `insert into invoices (topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, invoice_id, retracted,
                                 document_type, supplier_name, supplier_company_number, invoice_date, currency, net_amount, expense_type)
           values ('t', 0, $offset, $batch, 'b1', $id, false, 'invoice', $supplier, $company, '2024-01-15', 'GBP', $net::decimal(18,2), $expense)`,
          {
            offset: d.offset,
            batch: d.batch,
            id: d.id,
            supplier: d.supplier,
            company: d.company ?? null,
            net: d.net,
            expense: d.expense ?? null,
          },
        );
      }
    };
    await send([
      { batch: 1, offset: 1, id: 'I1', supplier: 'ACME LTD', net: '100.00', expense: 'Electricity' },
      { batch: 1, offset: 2, id: 'I2', supplier: 'ACME LTD', net: '5.00' },
      { batch: 1, offset: 3, id: 'I3', supplier: 'Acme Limited', net: '7.00' },
    ]);
    await runOnConnection(conn);
    const classified = () =>
      queryRows<{
        invoice_id: string;
        supplier_entity_id: string;
        proclass_code: string;
        classified_by: string;
      }>(
        conn,
        'select invoice_id, supplier_entity_id, proclass_code, classified_by from int_spend_classified order by invoice_id',
      );
    const before = await classified();
    expect(before.find((r) => r.invoice_id === 'I2')).toMatchObject({
      proclass_code: '370000',
      classified_by: 'supplier-dominant',
    });

    // Acme's works now outweigh its electricity, and a spelling with a company number arrives:
    // the entity is anchored on the number (a new id for every Acme line) and its category moves.
    await send([
      { batch: 2, offset: 4, id: 'I4', supplier: 'ACME LTD', net: '500.00', expense: 'Building works' },
      { batch: 2, offset: 5, id: 'I5', supplier: 'ACME LIMITED', net: '1.00', company: '01234567' },
    ]);
    const again = await runOnConnection(conn);
    const modes = Object.fromEntries(again.models.map((m) => [m.model, m.mode]));
    expect(modes).toMatchObject({
      int_spend_lines: 'incremental',
      int_spend_classified: 'incremental',
      int_supplier_matches: 'full',
    });
    const incremental = await classified();
    const acme = new Set(incremental.map((r) => r.supplier_entity_id));
    expect(acme.size).toBe(1);
    expect(acme.has(before[0]?.supplier_entity_id as string)).toBe(false);
    expect(incremental.find((r) => r.invoice_id === 'I2')).toMatchObject({
      proclass_code: '390000',
      classified_by: 'supplier-dominant',
    });
    const cube = await snapshot(conn, 'fct_spend_cube');

    // a run with nothing new leaves the resolver's table as it was
    const idle = await runOnConnection(conn);
    expect(idle.models.find((m) => m.model === 'int_supplier_matches')).toMatchObject({
      mode: 'incremental',
      rows: 0,
    });

    await runOnConnection(conn, { full: true });
    expect(await classified()).toEqual(incremental);
    expect(await snapshot(conn, 'fct_spend_cube')).toEqual(cube);
    conn.closeSync();
  });

  it('logs every model of every run, and skips only what depends on a failed model', async () => {
    const conn = await open();
    const broken = parseSqlModel(
      'int_broken.sql',
      'intermediate',
      '-- grain: nothing\n-- depends on: stg_invoices\nselect no_such_column from stg_invoices',
    );
    const downstream = parseSqlModel(
      'fct_after_broken.sql',
      'marts',
      '-- grain: one row\n-- depends on: int_broken\nselect count(*) as n from int_broken',
    );
    const models: Model[] = inDependencyOrder([...loadModels(), broken, downstream]);
    const summary = await runOnConnection(conn, { models });
    const status = Object.fromEntries(summary.models.map((m) => [m.model, m.status]));
    expect(status.int_broken).toBe('failed');
    expect(status.fct_after_broken).toBe('skipped');
    expect(status.fct_spend_cube).toBe('success');
    expect(summary.models.find((m) => m.model === 'int_broken')?.error).toMatch(/no_such_column/);

    const logged = await queryRows<{ model: string; status: string; error: string | null }>(
      conn,
      'select model, status, error from transform_runs where run_id = $run order by model',
      { run: summary.runId },
    );
    expect(logged).toHaveLength(models.length);
    expect(logged.find((r) => r.model === 'fct_after_broken')).toMatchObject({
      status: 'skipped',
      error: 'upstream model int_broken did not build',
    });
    conn.closeSync();
  });

  it('selects models with their upstream (+name) or downstream (name+)', () => {
    const models = loadModels();
    expect([...selectModels(models, ['+stg_invoice_lines'])].sort()).toEqual([
      'stg_invoice_lines',
      'stg_invoices',
    ]);
    const down = selectModels(models, ['int_supplier_matches+']);
    expect(down.has('fct_spend_cube')).toBe(true);
    expect(down.has('stg_invoices')).toBe(false);
    expect(() => selectModels(models, ['nope'])).toThrow(/no model named nope/);
  });

  it('runs on its cron schedule inside the owner, and refuses a bad expression', async () => {
    const conn = await open();
    const schedule = startTransformSchedule(db as Database, '* * * * * *', createLogger('silent'));
    try {
      for (let waited = 0; waited < 10_000; waited += 200) {
        const runs = await queryRows<{ n: number }>(
          conn,
          'select count(distinct run_id)::integer as n from transform_runs',
        );
        if ((runs[0]?.n ?? 0) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await schedule.stop();
    }
    const built = await queryRows<{ n: number }>(
      conn,
      "select count(*)::integer as n from transform_runs where status = 'success'",
    );
    expect(built[0]?.n).toBeGreaterThan(0);
    expect(() => startTransformSchedule(db as Database, 'every hour', createLogger('silent'))).toThrow(
      /TRANSFORMS_CRON/,
    );
    conn.closeSync();
  });

  it('reads an incremental-by-key header, and refuses a key that is not a column or one function of one', () => {
    const cube = parseSqlModel(
      'fct_x.sql',
      'marts',
      '-- grain: g\n-- depends on: none\n-- materialised: incremental by key (spend_month, abs( net_amount ))\nselect 1',
    );
    expect(cube).toMatchObject({ incrementalBy: 'key', groupKey: ['spend_month', 'abs(net_amount)'] });
    expect(() =>
      parseSqlModel(
        'fct_x.sql',
        'marts',
        '-- grain: g\n-- depends on: none\n-- materialised: incremental by key (a + b)\nselect 1',
      ),
    ).toThrow(/a key is a column/);
  });

  it('reads how an input without a key column computes it, and refuses one for a column not in the key', () => {
    const header =
      '-- grain: g\n-- depends on: none\n-- materialised: incremental by key (body_id, spend_month)\n';
    const model = parseSqlModel(
      'fct_x.sql',
      'marts',
      `${header}-- key in inputs: spend_month = date_trunc('month', spend_date)::date\nselect 1`,
    );
    expect(model.keyInInputs).toEqual({
      spend_month: { expression: "date_trunc('month', spend_date)::date", reads: ['spend_date'] },
    });
    expect(() =>
      parseSqlModel('fct_x.sql', 'marts', `${header}-- key in inputs: currency = upper(code)\nselect 1`),
    ).toThrow(/key in inputs/);
  });

  it('refuses a model without a declared grain or with a wrong prefix', () => {
    expect(() => parseSqlModel('fct_x.sql', 'marts', '-- depends on: none\nselect 1')).toThrow(/grain/);
    expect(() => parseSqlModel('x.sql', 'staging', '-- grain: g\n-- depends on: none\nselect 1')).toThrow(
      /stg_/,
    );
  });
});

/**
 * Incremental refresh equals a full rebuild, model by model, on a real in-memory DuckDB: a
 * generated partnership is built in full, then changed in new ingest batches (new invoices, late
 * invoices for old months, a correction that moves an invoice to another month, supplier,
 * category and amount, a correction that breaks a duplicate pair, a retraction, a document sent
 * again unchanged, a new duplicate, a purchase order repriced; then the bench's own increment
 * and a new supplier spelling that moves an entity). After each incremental refresh every
 * model's rows are compared (EXCEPT ALL, both ways) with a rebuild from scratch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addIncrement, generateBenchData, scaleFor } from '../bench/transforms-data.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database, queryRows } from '../lib/db.ts';
import { ensureContractTables } from '../transforms/contracts/store.ts';
import { loadModels } from '../transforms/models.ts';
import {
  CURRENT_INVOICES,
  copyLines,
  differencesFromFullRebuild,
  documentIs as of,
  runModelsChecked,
  scalar,
  sendInvoices,
} from './helpers/incremental.ts';

let db: Database | undefined;
afterEach(() => db?.close());

const models = loadModels();
const run = async (conn: Parameters<typeof runModelsChecked>[0], full = false) =>
  Object.fromEntries(Object.entries(await runModelsChecked(conn, { full })).map(([m, r]) => [m, r.mode]));

describe('incremental refresh', () => {
  it('equals a full rebuild for every model after new, late, moved, corrected, retracted and re-sent documents', async () => {
    db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 2 });
    const conn = await db.connect();
    await ensureContractTables(conn);
    const scale = scaleFor(30_000);
    await generateBenchData(conn, scale);
    await run(conn, true);

    // The documents to change, chosen from the built models so each case is sure to exist.
    const pick = async (sql: string) =>
      (await queryRows<Record<string, string>>(conn, sql))[0] as Record<string, string>;
    const current = CURRENT_INVOICES;
    const moved = await pick(
      `select body_id, invoice_id, supplier_name, invoice_date::varchar as invoice_date from stg_invoices
       where document_type = 'invoice' and po_number is null order by invoice_id limit 1`,
    );
    const otherSupplier = await scalar(
      conn,
      `select min(supplier_name) from stg_supplier_aliases as a
       inner join int_supplier_matches as m using (body_id, supplier_name)
       where a.body_id = '${moved.body_id}' and m.entity_id <> (
         select entity_id from int_supplier_matches where body_id = '${moved.body_id}' and supplier_name = '${moved.supplier_name}')`,
    );
    const pair = await pick(
      'select body_id, second_invoice_id as invoice_id from fct_duplicate_payments order by all limit 1',
    );
    const retracted = await pick(
      `select body_id, invoice_id from stg_invoices order by invoice_id desc limit 1`,
    );
    const resent = await pick(
      `select body_id, invoice_id from stg_invoices order by invoice_id limit 1 offset 7`,
    );
    const twin = await pick(
      `select body_id, invoice_id from stg_invoices where document_type = 'invoice' order by invoice_id limit 1 offset 11`,
    );
    const late = await pick(
      `select body_id, invoice_id from stg_invoices order by invoice_id limit 1 offset 13`,
    );
    const repriced = await pick(
      `select o.body_id, o.po_number from stg_purchase_orders as o
       semi join stg_invoices as i using (body_id, po_number)
       anti join int_above_po_price as a using (body_id, po_number)
       order by o.po_number limit 1`,
    );
    expect(pair, 'the data holds a duplicate pair').toBeDefined();

    await sendInvoices(conn, 900_001, [
      // a correction that moves the invoice three months on, to another supplier and category,
      // with a line's amount doubled
      {
        select: `select * replace ($offset as kafka_offset, invoice_date + 95 as invoice_date, '${otherSupplier.replace(/'/g, "''")}' as supplier_name,
                   'Legal Fees' as expense_type, 'Legal Fees' as category_label, null as category_code, null as category_scheme,
                   net_amount + (select net_amount from invoice_lines as l where (l.topic, l.kafka_partition, l.kafka_offset) = (i.topic, i.kafka_partition, i.kafka_offset) and line_no = 1) as net_amount)
                 from (${current}) as i where body_id = '${moved.body_id}' and invoice_id = '${moved.invoice_id}'`,
        lines: copyLines(
          of(moved),
          `, case when line_no = 1 then net_amount * 2 else net_amount end as net_amount`,
        ),
      },
      // a correction of the second invoice of a duplicate pair to another amount: the pair goes
      {
        select: `select * replace ($offset as kafka_offset, net_amount + 1 as net_amount)
                 from (${current}) as i where body_id = '${pair.body_id}' and invoice_id = '${pair.invoice_id}'`,
        lines: copyLines(
          of(pair),
          `, case when line_no = 1 then net_amount + 1 else net_amount end as net_amount`,
        ),
      },
      // a retraction (tombstone: the key only)
      {
        select: `select topic, kafka_partition, $offset as kafka_offset, 0 as ingest_batch_id, body_id, invoice_id, true as retracted
                 from (${current}) as i where body_id = '${retracted.body_id}' and invoice_id = '${retracted.invoice_id}'`,
      },
      // the same document sent again, unchanged
      {
        select: `select * replace ($offset as kafka_offset) from (${current}) as i
                 where body_id = '${resent.body_id}' and invoice_id = '${resent.invoice_id}'`,
        lines: copyLines(of(resent)),
      },
      // a late invoice for a month two years back, and a copy of an invoice paid five days later (a duplicate)
      {
        select: `select * replace ($offset as kafka_offset, 'LATE-1' as invoice_id, date '2022-02-10' as invoice_date, date '2022-03-01' as payment_date)
                 from (${current}) as i where body_id = '${late.body_id}' and invoice_id = '${late.invoice_id}'`,
        lines: copyLines(of(late), `, 'LATE-1' as invoice_id`),
      },
      {
        select: `select * replace ($offset as kafka_offset, 'DUP-1' as invoice_id, invoice_date + 5 as invoice_date, payment_date + 5 as payment_date)
                 from (${current}) as i where body_id = '${twin.body_id}' and invoice_id = '${twin.invoice_id}'`,
        lines: copyLines(of(twin), `, 'DUP-1' as invoice_id`),
      },
    ]);
    // an order repriced lower than its invoices were charged (a new version of the order)
    const orderOffset = Number(await scalar(conn, 'select max(kafka_offset) + 1 from purchase_orders'));
    await conn.run(
      `insert into purchase_orders by name
       select * replace (${orderOffset} as kafka_offset, 900002 as ingest_batch_id) from purchase_orders
       where body_id = '${repriced.body_id}' and po_number = '${repriced.po_number}'
       qualify row_number() over (order by kafka_offset desc) = 1`,
    );
    await conn.run(
      `insert into purchase_order_lines by name
       select * replace (${orderOffset} as kafka_offset, round(unit_price / 2, 2) as unit_price) from purchase_order_lines
       where body_id = '${repriced.body_id}' and po_number = '${repriced.po_number}'
         and kafka_offset = (select max(kafka_offset) from purchase_orders where po_number = '${repriced.po_number}' and kafka_offset < ${orderOffset})`,
    );
    await conn.run(
      `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
       values (900002, 'bench.purchase-orders.v1', 0, ${orderOffset}, ${orderOffset}, 1, 1, 0)`,
    );

    const modes = await run(conn);
    // no supplier name or contract changed: every model of a document or group key refreshes only what changed
    expect(modes).toMatchObject({
      int_supplier_matches: 'incremental',
      int_above_po_price: 'incremental',
      int_spend_contracts: 'incremental',
      fct_spend_cube: 'incremental',
      fct_duplicate_payments: 'incremental',
      fct_po_compliance: 'incremental',
      fct_contract_coverage: 'incremental',
    });
    const afterFirst = {
      movedMonth: await scalar(
        conn,
        `select spend_month from int_spend_lines where invoice_id = '${moved.invoice_id}' and body_id = '${moved.body_id}' limit 1`,
      ),
      pairGone: await scalar(
        conn,
        `select count(*) from fct_duplicate_payments where second_invoice_id = '${pair.invoice_id}' and body_id = '${pair.body_id}'`,
      ),
      newPair: await scalar(
        conn,
        `select count(*) from fct_duplicate_payments where second_invoice_id = 'DUP-1'`,
      ),
      repriced: await scalar(
        conn,
        `select count(*) from int_above_po_price where po_number = '${repriced.po_number}'`,
      ),
    };
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);
    // and the cases did happen
    expect(afterFirst.movedMonth).not.toBe(`${String(moved.invoice_date).slice(0, 7)}-01`);
    expect(afterFirst.pairGone).toBe('0');
    expect(afterFirst.newPair).toBe('1');
    expect(Number(afterFirst.repriced)).toBeGreaterThan(0);

    // The bench's increment (new, late, corrected and retracted invoices over many batches), and
    // a spelling with a company number that joins two of a supplier's names into one entity.
    await addIncrement(conn, scale, 3000);
    await sendInvoices(conn, 900_003, [
      {
        select: `select * replace ($offset as kafka_offset, 'NEW-SPELLING-1' as invoice_id, supplier_name || ' (Head Office)' as supplier_name, '99999999' as supplier_company_number)
                 from (${current}) as i where body_id = '${twin.body_id}' and invoice_id = '${twin.invoice_id}'`,
        lines: copyLines(of(twin), `, 'NEW-SPELLING-1' as invoice_id`),
      },
    ]);
    const second = await run(conn);
    expect(second).toMatchObject({
      int_spend_lines: 'incremental',
      fct_spend_cube: 'incremental',
      // (fct_contract_coverage is built in full: a supplier moved entity, so int_spend_contracts was)
      fct_po_compliance: 'incremental',
    });
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);
    conn.closeSync();
  }, 600_000);
});

/**
 * Incremental refresh equals a full rebuild, model by model, on a real in-memory DuckDB: a
 * generated partnership is built in full, then changed in new ingest batches (new invoices, late
 * invoices for old months, a correction that moves an invoice to another month, supplier,
 * category and amount, a correction that breaks a duplicate pair, a retraction, a document sent
 * again unchanged, a new duplicate, a purchase order repriced; then the bench's own increment
 * and a new supplier spelling that moves an entity; suppliers whose dominant category moves,
 * appears and goes while their other invoices stay as they were). After each incremental refresh
 * every model's rows are compared (EXCEPT ALL, both ways) with a rebuild from scratch.
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

/** A fresh in-memory database of generated bench data with every model built in full. */
async function builtBenchDatabase(scale: ReturnType<typeof scaleFor>) {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 2 });
  const conn = await db.connect();
  await ensureContractTables(conn);
  await generateBenchData(conn, scale);
  await run(conn, true);
  // the documents to change are chosen from the built models, so each case is sure to exist
  const pick = async (sql: string) =>
    (await queryRows<Record<string, string>>(conn, sql))[0] as Record<string, string>;
  return { conn, pick };
}

describe('incremental refresh', () => {
  it('equals a full rebuild for every model after new, late, moved, corrected, retracted and re-sent documents', async () => {
    const scale = scaleFor(30_000);
    const { conn, pick } = await builtBenchDatabase(scale);
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
      int_item_lines: 'incremental',
      int_item_priced_lines: 'incremental',
      int_item_body_prices: 'incremental',
      int_item_price_spread: 'incremental',
      fct_price_dispersion: 'incremental',
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
      int_item_lines: 'incremental',
      fct_price_dispersion: 'incremental',
    });
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);
    conn.closeSync();
  }, 600_000);

  it('equals a full rebuild after suppliers’ dominant categories move, appear and go while their other invoices stay as they were', async () => {
    const { conn, pick } = await builtBenchDatabase(scaleFor(30_000));
    const lit = (value: string | null | undefined) =>
      value === null || value === undefined ? 'null' : `'${String(value).replace(/'/g, "''")}'`;
    const current = CURRENT_INVOICES;
    const TEXT = [
      'expense_type',
      'description',
      'service_area',
      'category_scheme',
      'category_code',
      'category_label',
    ];
    const categoryOf = (entity: string) =>
      scalar(
        conn,
        `select proclass_code from int_supplier_categories where supplier_entity_id = '${entity}'`,
      );
    const classifiedAs = (doc: Record<string, string>) =>
      queryRows<{ proclass_code: string | null; classified_by: string | null }>(
        conn,
        `select distinct proclass_code, classified_by from int_spend_classified
         where body_id = '${doc.body_id}' and invoice_id = '${doc.invoice_id}'`,
      );

    // a supplier whose invoice says nothing of its category: no code, no text a rule reads
    const template = await pick(
      `select body_id, invoice_id from stg_invoices where document_type = 'invoice' order by invoice_id limit 1`,
    );
    const blank = TEXT.map((c) => `null as ${c}`).join(', ');
    await sendInvoices(conn, 900_201, [
      {
        select: `select * replace ($offset as kafka_offset, 'NOCAT-1' as invoice_id, 'Nocat Trading Ltd' as supplier_name,
                   null as supplier_company_number, ${blank})
                 from (${current}) as c where ${of(template)}`,
        lines: copyLines(of(template), `, 'NOCAT-1' as invoice_id, null as description`),
      },
    ]);
    await run(conn);
    const nocat = { body_id: template.body_id as string, invoice_id: 'NOCAT-1' };
    const nocatEntity = await scalar(
      conn,
      `select any_value(supplier_entity_id) from int_spend_lines where invoice_id = 'NOCAT-1'`,
    );
    expect(await categoryOf(nocatEntity)).toBe('null');
    expect(await classifiedAs(nocat)).toEqual([{ proclass_code: null, classified_by: null }]);
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);

    // an invoice that takes its supplier's dominant category, and another invoice of that body
    // whose own text a rule classifies to another category
    const moving = await pick(
      `select c.body_id, c.invoice_id, c.supplier_entity_id as entity, s.proclass_code, s.classified_value::varchar as value
       from int_spend_classified as c inner join int_supplier_categories as s using (supplier_entity_id)
       where c.classified_by = 'supplier-dominant' order by c.invoice_id limit 1`,
    );
    const ruled = await pick(
      `select l.invoice_id, any_value(l.line_proclass_code) as proclass_code from int_spend_lines as l
       where l.body_id = '${moving.body_id}' and l.line_classified_by like 'rule:%'
         and l.line_proclass_code <> '${moving.proclass_code}'
       group by all having count(distinct l.line_proclass_code) = 1 order by l.invoice_id limit 1`,
    );
    const text = await pick(
      `select ${TEXT.join(', ')} from (${current}) as c where ${of({ body_id: moving.body_id as string, invoice_id: ruled.invoice_id as string })}`,
    );
    const ruledText = TEXT.map((c) => `${lit(text[c])} as ${c}`).join(', ');
    // The supplier's new invoice (no lines: one spend line of its total) outweighs all its
    // categorised spend, so its category moves; the supplier without one gains the same one.
    await sendInvoices(conn, 900_202, [
      {
        select: `select * replace ($offset as kafka_offset, 'MOVE-1' as invoice_id, ${ruledText},
                   ${Number(moving.value) * 2 + 1}::decimal(18, 2) as net_amount)
                 from (${current}) as c where ${of(moving)}`,
      },
      {
        select: `select * replace ($offset as kafka_offset, 'GAIN-1' as invoice_id, ${ruledText})
                 from (${current}) as c where ${of(nocat)}`,
      },
    ]);
    expect(await run(conn)).toMatchObject({
      int_spend_classified: 'incremental',
      int_supplier_matches: 'incremental',
    });
    expect(await categoryOf(moving.entity as string)).toBe(ruled.proclass_code);
    expect(await categoryOf(nocatEntity)).toBe(ruled.proclass_code);
    // the invoices that changed nothing themselves follow their suppliers
    expect(await classifiedAs(moving)).toEqual([
      { proclass_code: ruled.proclass_code, classified_by: 'supplier-dominant' },
    ]);
    expect(await classifiedAs(nocat)).toEqual([
      { proclass_code: ruled.proclass_code, classified_by: 'supplier-dominant' },
    ]);
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);

    // the invoice that gave the supplier its category is retracted: it has none again
    await sendInvoices(conn, 900_203, [
      {
        select: `select topic, kafka_partition, $offset as kafka_offset, 0 as ingest_batch_id, body_id, invoice_id, true as retracted
                 from (${current}) as i where body_id = '${nocat.body_id}' and invoice_id = 'GAIN-1'`,
      },
    ]);
    expect(await run(conn)).toMatchObject({ int_spend_classified: 'incremental' });
    expect(await categoryOf(nocatEntity)).toBe('null');
    expect(await classifiedAs(nocat)).toEqual([{ proclass_code: null, classified_by: null }]);
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);
    conn.closeSync();
  }, 600_000);

  it('equals a full rebuild for the item price chain after lines move item or unit, an item loses its only line, a new body buys an item and a month’s common threshold moves', async () => {
    const { conn, pick } = await builtBenchDatabase(scaleFor(30_000));
    const current = CURRENT_INVOICES;
    const chain = [
      'int_item_description_matches',
      'int_item_lines',
      'int_item_priced_lines',
      'int_item_body_prices',
      'int_item_price_spread',
      'fct_price_dispersion',
    ];
    const incrementalChain = Object.fromEntries(chain.map((m) => [m, 'incremental']));

    // an invoice of three or more priced lines of one supplier: line 1 moves to another of the
    // supplier's items, line 2 to another unit dimension (5 kg), line 3 to boxes of 12
    const moved = await pick(
      `select p.body_id, p.invoice_id, any_value(l.supplier_entity_id) as entity from int_item_priced_lines as p
       inner join int_item_lines as l using (body_id, invoice_id, line_no)
       where p.document_type = 'invoice' group by all having count(*) >= 3 order by p.invoice_id limit 1`,
    );
    const otherItem = await scalar(
      conn,
      `select min(item_code) from int_item_lines where supplier_entity_id = '${moved.entity}'
       and item_code not in (select item_code from int_item_lines where body_id = '${moved.body_id}' and invoice_id = '${moved.invoice_id}')`,
    );
    // an item bought on one line only, whose invoice is retracted
    const onlyLine = await pick(
      `select body_id, invoice_id, item_key from int_item_priced_lines
       where (item_scheme, item_key) in (select (item_scheme, item_key) from int_item_priced_lines group by all having count(*) = 1)
         and invoice_id <> '${moved.invoice_id}'
       order by invoice_id limit 1`,
    );
    // an item one body buys, bought now by another member body from the same supplier
    const newBody = await pick(
      `select d.item_key, p.body_id, p.invoice_id, l.spend_date::varchar as spend_date, m.body_id as other_body, m.supplier_name as other_name
       from fct_price_dispersion as d
       inner join int_item_priced_lines as p using (item_scheme, item_key)
       inner join int_item_lines as l using (body_id, invoice_id, line_no)
       inner join int_supplier_matches as m on m.entity_id = l.supplier_entity_id and m.body_id <> p.body_id
       inner join int_body_months as bm on bm.body_id = m.body_id and bm.spend_month = p.spend_month and bm.is_member
       semi join stg_invoices as i on i.body_id = m.body_id and i.supplier_name = m.supplier_name
       where d.bodies = 1 and d.item_scheme = 'seller' and p.document_type = 'invoice'
         and p.invoice_id not in ('${moved.invoice_id}', '${onlyLine.invoice_id}')
       order by d.item_key, m.body_id limit 1`,
    );
    const otherInvoice = await scalar(
      conn,
      `select min(invoice_id) from stg_invoices where body_id = '${newBody.other_body}' and supplier_name = '${String(newBody.other_name).replace(/'/g, "''")}'`,
    );
    // a member's month: an uploaded file with a publishing threshold raises its common threshold
    const month = await pick(
      `select i.body_id, i.invoice_id, m.spend_month::varchar as spend_month from int_body_months as m
       inner join stg_invoices as i on i.body_id = m.body_id and date_trunc('month', i.spend_date) = m.spend_month
       where m.is_member and m.common_threshold = 0 and i.document_type = 'invoice'
       order by m.spend_month desc, i.invoice_id limit 1`,
    );
    expect(otherItem).not.toBe('null');
    expect(newBody, 'an item of one body another member buys from').toBeDefined();
    await conn.run(
      `insert into uploads (upload_id, body_id, file_name, content_sha256, bytes, status, publishing_threshold)
       values ('UP-T1', '${month.body_id}', 'month.csv', 'sha', 1, 'finished', 1000)`,
    );

    await sendInvoices(conn, 900_101, [
      {
        select: `select * replace ($offset as kafka_offset) from (${current}) as i
                 where body_id = '${moved.body_id}' and invoice_id = '${moved.invoice_id}'`,
        lines: copyLines(
          of(moved),
          `, case when line_no = 1 then '${otherItem}' else item_code end as item_code,
             case line_no when 2 then '5KG' when 3 then 'BOX OF 12' else unit end as unit`,
        ),
      },
      {
        select: `select topic, kafka_partition, $offset as kafka_offset, 0 as ingest_batch_id, body_id, invoice_id, true as retracted
                 from (${current}) as i where body_id = '${onlyLine.body_id}' and invoice_id = '${onlyLine.invoice_id}'`,
      },
      {
        select: `select * replace ($offset as kafka_offset, 'NEW-BODY-1' as invoice_id, date '${newBody.spend_date}' as invoice_date,
                   date '${newBody.spend_date}' as payment_date, null as po_number)
                 from (${current}) as i where body_id = '${newBody.other_body}' and invoice_id = '${otherInvoice}'`,
        lines: copyLines(
          of({ body_id: String(newBody.body_id), invoice_id: String(newBody.invoice_id) }),
          `, '${newBody.other_body}' as body_id, 'NEW-BODY-1' as invoice_id`,
        ),
      },
      {
        select: `select * replace ($offset as kafka_offset, 'UPLOADED-1' as invoice_id, 'UP-T1' as upload_id)
                 from (${current}) as i where body_id = '${month.body_id}' and invoice_id = '${month.invoice_id}'`,
        lines: copyLines(of(month), `, 'UPLOADED-1' as invoice_id`),
      },
    ]);
    expect(await run(conn)).toMatchObject(incrementalChain);
    const after = {
      onlyLineItem: await scalar(
        conn,
        `select count(*) from int_item_priced_lines where item_key = '${String(onlyLine.item_key).replace(/'/g, "''")}'`,
      ),
      newBodyBodies: await scalar(
        conn,
        `select bodies from fct_price_dispersion where item_scheme = 'seller' and item_key = '${String(newBody.item_key).replace(/'/g, "''")}'`,
      ),
      threshold: await scalar(
        conn,
        `select common_threshold from int_body_months where body_id = '${month.body_id}' and spend_month = '${month.spend_month}'`,
      ),
      massLines: await scalar(
        conn,
        `select count(*) from int_item_priced_lines where invoice_id = '${moved.invoice_id}' and unit_key = 'mass'`,
      ),
    };
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);
    expect(after).toEqual({ onlyLineItem: '0', newBodyBodies: '2', threshold: '1000.00', massLines: '1' });

    // the upload's threshold recorded after its documents were ingested: no invoice changed, the
    // month's common threshold did
    await conn.run("update uploads set publishing_threshold = 20 where upload_id = 'UP-T1'");
    const thresholdOnly = await runModelsChecked(conn);
    expect(thresholdOnly.int_item_priced_lines).toMatchObject({ mode: 'incremental' });
    expect(thresholdOnly.int_item_priced_lines?.rows).toBeGreaterThan(0);
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);

    // a description-only line of a known supplier, then an analyst's confirmation of its match:
    // a decision is read whole, so the item models are built in full
    await sendInvoices(conn, 900_102, [
      {
        select: `select * replace ($offset as kafka_offset, 'DESCRIBED-1' as invoice_id) from (${current}) as i
                 where body_id = '${month.body_id}' and invoice_id = '${month.invoice_id}'`,
        lines: copyLines(
          of(month),
          `, 'DESCRIBED-1' as invoice_id, null as item_code, 'Blue ballpoint pens, box' as description`,
        ),
      },
    ]);
    expect(await run(conn)).toMatchObject(incrementalChain);
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);
    await conn.run(
      `insert into item_match_decisions (match_id, decision, variants, decided_by)
       select match_id, 'confirm', list(distinct variant), 'test' from int_item_description_matches
       where invoice_id = 'DESCRIBED-1' group by match_id`,
    );
    expect(await run(conn)).toMatchObject({ int_item_lines: 'full', fct_price_dispersion: 'full' });
    expect(
      await scalar(
        conn,
        "select count(*) from int_item_lines where invoice_id = 'DESCRIBED-1' and item_scheme = 'description'",
      ),
    ).not.toBe('0');
    expect(await differencesFromFullRebuild(conn, models)).toEqual([]);
    conn.closeSync();
  }, 600_000);
});

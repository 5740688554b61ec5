/**
 * The body × month marts (fct_po_compliance, fct_contract_coverage) refresh incrementally: only
 * the (body, month, currency) cells the run's changes touch are summed again. On a small
 * generated partnership built in full, one ingest batch brings a new invoice, a late invoice for
 * a month two years back, a retraction, a correction that moves an invoice three months on and
 * one that cites an order not yet sent; a second batch brings that order. After each
 * incremental refresh the marts equal a rebuild from scratch, and the rows they wrote are exactly
 * the cells those documents sat in before and after (found from the documents, not the runner).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBenchData, scaleFor } from '../bench/transforms-data.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database, queryRows } from '../lib/db.ts';
import { ensureContractTables } from '../transforms/contracts/store.ts';
import { ancestors, loadModels } from '../transforms/models.ts';
import {
  CURRENT_INVOICES,
  copyLines,
  differencesFromFullRebuild,
  documentIs,
  runModelsChecked,
  scalar,
  sendInvoices,
} from './helpers/incremental.ts';

const MARTS = ['fct_po_compliance', 'fct_contract_coverage'];
const allModels = loadModels();
const select = MARTS.map((m) => `+${m}`);
const selected = new Set(MARTS.flatMap((m) => [m, ...ancestors(allModels, m)]));
const models = allModels.filter((m) => selected.has(m.name));

let db: Database;
let conn: DuckDBConnection;

beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 2 });
  conn = await db.connect();
  await ensureContractTables(conn);
  await generateBenchData(conn, scaleFor(4_000));
  await runModelsChecked(conn, { full: true, select });
});
afterAll(() => {
  conn?.closeSync();
  db?.close();
});

type Doc = Record<string, string>;
const pick = async (sql: string): Promise<Doc> => {
  const row = (await queryRows<Doc>(conn, sql))[0];
  expect(row, sql).toBeDefined();
  return row as Doc;
};

/** The cell (body, month, currency) of each named document as stg_invoices holds it now. */
async function cellsOf(docs: Doc[]): Promise<Set<string>> {
  if (docs.length === 0) return new Set();
  const rows = await queryRows<{ cell: string }>(
    conn,
    `select body_id || ' ' || strftime(spend_date, '%Y-%m') || ' ' || currency as cell from stg_invoices
     where (body_id, invoice_id) in (${docs.map((d) => `('${d.body_id}', '${d.invoice_id}')`).join(', ')})`,
  );
  return new Set(rows.map((r) => r.cell));
}

/** The cells a mart holds among `cells` (a cell left empty by the change has no row). */
async function rowsIn(mart: string, cells: Set<string>): Promise<number> {
  const list = [...cells].map((c) => `'${c}'`).join(', ');
  return Number(
    await scalar(
      conn,
      `select count(*) from ${mart} where body_id || ' ' || strftime(spend_month, '%Y-%m') || ' ' || currency in (${list})`,
    ),
  );
}

describe('body × month marts, incrementally', () => {
  it('rebuild only the cells new, late, moved, retracted and re-ordered invoices touch, equal to a full rebuild', async () => {
    const cellsBefore = Number(await scalar(conn, 'select count(*) from fct_po_compliance'));
    const template = await pick(
      `select body_id, invoice_id from stg_invoices where document_type = 'invoice' order by invoice_id limit 1 offset 3`,
    );
    const moved = await pick(
      `select body_id, invoice_id from stg_invoices where document_type = 'invoice' and po_number is null
       order by invoice_id limit 1 offset 5`,
    );
    const retracted = await pick(
      `select body_id, invoice_id from stg_invoices where document_type = 'invoice' order by invoice_id desc limit 1`,
    );
    const reordered = await pick(
      `select body_id, invoice_id from stg_invoices where document_type = 'invoice' and po_number is not null
       and spend_date >= date '2023-01-01' order by invoice_id limit 1 offset 9`,
    );
    const late = { body_id: template.body_id as string, invoice_id: 'LATE-1' };
    const added = { body_id: template.body_id as string, invoice_id: 'NEW-1' };
    const touchedBefore = await cellsOf([moved, retracted, reordered]);

    await sendInvoices(conn, 900_001, [
      {
        select: `select * replace ($offset as kafka_offset, 'NEW-1' as invoice_id, current_date - 3 as invoice_date, current_date as payment_date)
                 from (${CURRENT_INVOICES}) as c where ${documentIs(template)}`,
        lines: copyLines(documentIs(template), `, 'NEW-1' as invoice_id`),
      },
      {
        select: `select * replace ($offset as kafka_offset, 'LATE-1' as invoice_id, date '2022-02-10' as invoice_date, date '2022-03-01' as payment_date)
                 from (${CURRENT_INVOICES}) as c where ${documentIs(template)}`,
        lines: copyLines(documentIs(template), `, 'LATE-1' as invoice_id`),
      },
      {
        select: `select * replace ($offset as kafka_offset, invoice_date + 95 as invoice_date, net_amount + 10 as net_amount)
                 from (${CURRENT_INVOICES}) as c where ${documentIs(moved)}`,
        lines: copyLines(
          documentIs(moved),
          `, case when line_no = 1 then net_amount + 10 else net_amount end as net_amount`,
        ),
      },
      {
        select: `select topic, kafka_partition, $offset as kafka_offset, 0 as ingest_batch_id, body_id, invoice_id, true as retracted
                 from (${CURRENT_INVOICES}) as c where ${documentIs(retracted)}`,
      },
      {
        select: `select * replace ($offset as kafka_offset, 'PO-LATER-1' as po_number)
                 from (${CURRENT_INVOICES}) as c where ${documentIs(reordered)}`,
        lines: copyLines(documentIs(reordered)),
      },
    ]);
    const first = await runModelsChecked(conn, { select });
    const touched = new Set([...touchedBefore, ...(await cellsOf([moved, reordered, late, added]))]);
    for (const mart of MARTS) {
      expect(first[mart]?.mode, mart).toBe('incremental');
      // the cells the documents left or entered, and no other
      expect(first[mart]?.rows, mart).toBe(await rowsIn(mart, touched));
    }
    expect(touched.size).toBeGreaterThanOrEqual(4);
    expect(touched.size).toBeLessThan(cellsBefore / 4);
    const unknownBefore = await scalar(
      conn,
      `select unknown_po_invoices from fct_po_compliance where body_id || ' ' || strftime(spend_month, '%Y-%m') || ' ' || currency in (select * from (${[
        ...(await cellsOf([reordered])),
      ]
        .map((c) => `select '${c}'`)
        .join(' union all ')}))`,
    );
    expect(await differencesFromFullRebuild(conn, models, select)).toEqual([]);

    // The order the corrected invoice cites arrives: its cell's unknown-PO invoice becomes matched.
    const orderOffset = Number(await scalar(conn, 'select max(kafka_offset) + 1 from purchase_orders'));
    await conn.run(
      `insert into purchase_orders by name
       select * replace (${orderOffset} as kafka_offset, 900002 as ingest_batch_id, 'PO-LATER-1' as po_number)
       from purchase_orders where body_id = '${reordered.body_id}' order by kafka_offset limit 1`,
    );
    await conn.run(
      `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
       values (900002, 'bench.purchase-orders.v1', 0, ${orderOffset}, ${orderOffset}, 1, 1, 0)`,
    );
    const second = await runModelsChecked(conn, { select });
    expect(second.fct_po_compliance).toEqual({ mode: 'incremental', rows: 1 });
    const reorderedCell = await cellsOf([reordered]);
    const unknownAfter = await scalar(
      conn,
      `select unknown_po_invoices from fct_po_compliance where body_id || ' ' || strftime(spend_month, '%Y-%m') || ' ' || currency = '${[...reorderedCell][0]}'`,
    );
    expect(Number(unknownAfter)).toBe(Number(unknownBefore) - 1);
    expect(await differencesFromFullRebuild(conn, models, select)).toEqual([]);
  }, 300_000);
});

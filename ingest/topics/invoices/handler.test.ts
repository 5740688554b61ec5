/**
 * invoice.v1 through the batch writer into a real DuckDB: every kind of field lands in its column.
 * (Corrections, tombstones, rejections and redeliveries: ingest/batch-writer.test.ts.)
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Database, queryRows } from '../../../lib/db.ts';
import { openTestDatabase } from '../../../tests/helpers/database.ts';
import { asMessage, invoice } from '../../../tests/helpers/messages.ts';
import { writeBatch } from '../../batch-writer.ts';
import { invoicesHandler } from './handler.ts';

let db: Database;
let conn: DuckDBConnection;

beforeEach(async () => {
  ({ db, conn } = await openTestDatabase());
});
afterEach(() => {
  conn.closeSync();
  db.close();
});

it('stores an invoice and a credit note with their dates, amounts, category, source and lines', async () => {
  const creditNote = invoice({
    invoiceId: 'CN-1',
    documentType: 'credit-note',
    supplier: { name: 'EDF ENERGY PLC', companyNumber: '02366852' },
    invoiceDate: undefined,
    paymentDate: '2024-04-15',
    netAmount: '-20.00',
    vatAmount: '-4.00',
    costCentre: 'CC-9',
    category: { scheme: 'proclass', code: '123', label: 'Energy' },
    lines: [
      {
        lineNo: 1,
        netAmount: '-20.00',
        category: { scheme: 'cpv', code: '09310000' },
        itemCode: 'KWH',
        unit: 'kWh',
      },
    ],
    source: { uploadId: 'up-2', file: 'spend.csv', row: 12 },
  });
  const result = await writeBatch(conn, invoicesHandler, 'spend.invoices.v1', 0, [
    asMessage('test-council:INV-1', invoice(), 0),
    asMessage('test-council:CN-1', creditNote, 1),
  ]);
  expect(result).toMatchObject({ accepted: 2, rejected: 0, lines: 3 });

  expect(
    await queryRows(
      conn,
      `select invoice_id, document_type, supplier_name, supplier_vat_number, supplier_company_number,
              supplier_redacted, invoice_date::varchar as invoice_date, payment_date::varchar as payment_date,
              net_amount::varchar as net_amount, vat_amount::varchar as vat_amount, cost_centre, category_scheme,
              category_code, category_label, upload_id, source_file, source_row
       from current_invoices order by invoice_id`,
    ),
  ).toEqual([
    {
      invoice_id: 'CN-1',
      document_type: 'credit-note',
      supplier_name: 'EDF ENERGY PLC',
      supplier_vat_number: null,
      supplier_company_number: '02366852',
      supplier_redacted: false,
      invoice_date: null,
      payment_date: '2024-04-15',
      net_amount: '-20.00',
      vat_amount: '-4.00',
      cost_centre: 'CC-9',
      category_scheme: 'proclass',
      category_code: '123',
      category_label: 'Energy',
      upload_id: 'up-2',
      source_file: 'spend.csv',
      source_row: 12,
    },
    {
      invoice_id: 'INV-1',
      document_type: 'invoice',
      supplier_name: 'EDF ENERGY PLC',
      supplier_vat_number: 'GB123456789',
      supplier_company_number: null,
      supplier_redacted: false,
      invoice_date: '2024-03-01',
      payment_date: null,
      net_amount: '150.50',
      vat_amount: '30.10',
      cost_centre: null,
      category_scheme: null,
      category_code: null,
      category_label: null,
      upload_id: null,
      source_file: null,
      source_row: null,
    },
  ]);
  expect(
    await queryRows(
      conn,
      `select invoice_id, line_no, item_code, unit, quantity::varchar as quantity, unit_price::varchar as unit_price,
              net_amount::varchar as net_amount, category_scheme, category_code
       from current_invoice_lines order by invoice_id, line_no`,
    ),
  ).toEqual([
    {
      invoice_id: 'CN-1',
      line_no: 1,
      item_code: 'KWH',
      unit: 'kWh',
      quantity: null,
      unit_price: null,
      net_amount: '-20.00',
      category_scheme: 'cpv',
      category_code: '09310000',
    },
    {
      invoice_id: 'INV-1',
      line_no: 1,
      item_code: null,
      unit: null,
      quantity: '10.0000',
      unit_price: '10.0500',
      net_amount: '100.50',
      category_scheme: null,
      category_code: null,
    },
    {
      invoice_id: 'INV-1',
      line_no: 2,
      item_code: null,
      unit: null,
      quantity: null,
      unit_price: null,
      net_amount: '50.00',
      category_scheme: null,
      category_code: null,
    },
  ]);
});

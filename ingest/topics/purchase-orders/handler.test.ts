/** purchase-order.v1 through the batch writer into a real DuckDB: stored, corrected, retracted, rejected. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Database, queryRows } from '../../../lib/db.ts';
import { openTestDatabase } from '../../../tests/helpers/database.ts';
import { asMessage, purchaseOrder } from '../../../tests/helpers/messages.ts';
import { writeBatch } from '../../batch-writer.ts';
import { purchaseOrdersHandler } from './handler.ts';

let db: Database;
let conn: DuckDBConnection;

beforeEach(async () => {
  ({ db, conn } = await openTestDatabase());
});
afterEach(() => {
  conn.closeSync();
  db.close();
});

it('stores orders and their lines; a correction supersedes, a tombstone retracts, a bad order is set aside', async () => {
  const secondOrder = purchaseOrder({
    poNumber: 'PO-2',
    supplier: { name: 'Redacted', redacted: true },
    status: 'open',
    lines: [
      { lineNo: 1, quantity: '3', unitPrice: '1.5000', netAmount: '4.50' },
      { lineNo: 2, quantity: '1', unitPrice: '0.5000', netAmount: '0.50' },
    ],
    totalNet: '5.00',
    source: { uploadId: 'up-1', file: 'orders.csv', row: 7 },
  });
  const correction = purchaseOrder({
    lines: [{ lineNo: 1, description: 'A4 paper', quantity: '20', unitPrice: '4.0000', netAmount: '80.00' }],
    totalNet: '80.00',
  });
  const result = await writeBatch(conn, purchaseOrdersHandler, 'spend.purchase-orders.v1', 0, [
    asMessage('test-council:PO-1', purchaseOrder(), 0),
    asMessage('test-council:PO-2', secondOrder, 1),
    asMessage('test-council:PO-1', correction, 2),
    asMessage('test-council:PO-2', null, 3),
    asMessage('test-council:PO-3', purchaseOrder({ poNumber: 'PO-3', totalNet: '1.00' }), 4),
  ]);
  expect(result).toMatchObject({ accepted: 3, retracted: 1, rejected: 1, lines: 4, nextOffset: 5n });

  expect(
    await queryRows(
      conn,
      `select po_number, supplier_name, supplier_redacted, order_date::varchar as order_date, currency, status,
              total_net::varchar as total_net
       from current_purchase_orders`,
    ),
  ).toEqual([
    {
      po_number: 'PO-1',
      supplier_name: 'Office Supplies Ltd',
      supplier_redacted: false,
      order_date: '2024-02-01',
      currency: 'GBP',
      status: null,
      total_net: '80.00',
    },
  ]);
  expect(
    await queryRows(
      conn,
      `select po_number, line_no, description, quantity::varchar as quantity, unit_price::varchar as unit_price,
              net_amount::varchar as net_amount
       from current_purchase_order_lines`,
    ),
  ).toEqual([
    {
      po_number: 'PO-1',
      line_no: 1,
      description: 'A4 paper',
      quantity: '20.0000',
      unit_price: '4.0000',
      net_amount: '80.00',
    },
  ]);

  // The history keeps every version: PO-2 as sent, then the row that retracted it.
  expect(
    await queryRows(
      conn,
      `select kafka_offset::integer as kafka_offset, retracted, supplier_redacted, status, total_net::varchar as total_net,
              upload_id, source_file, source_row
       from purchase_orders where po_number = 'PO-2' order by kafka_offset`,
    ),
  ).toEqual([
    {
      kafka_offset: 1,
      retracted: false,
      supplier_redacted: true,
      status: 'open',
      total_net: '5.00',
      upload_id: 'up-1',
      source_file: 'orders.csv',
      source_row: 7,
    },
    {
      kafka_offset: 3,
      retracted: true,
      supplier_redacted: null,
      status: null,
      total_net: null,
      upload_id: null,
      source_file: null,
      source_row: null,
    },
  ]);
  const rejected = await queryRows<{ reason_code: string }>(
    conn,
    'select reason_code from rejected_messages',
  );
  expect(rejected).toEqual([{ reason_code: 'lines-do-not-sum' }]);
});

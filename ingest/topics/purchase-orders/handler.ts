import type { TopicHandler } from '../handler.ts';
import { type PurchaseOrderV1, purchaseOrderV1 } from './schema.ts';

export const purchaseOrdersHandler: TopicHandler<PurchaseOrderV1> = {
  schemaName: 'purchase-order.v1',
  schema: purchaseOrderV1,
  headerTable: 'purchase_orders',
  linesTable: 'purchase_order_lines',
  bodyIdOf: (doc) => doc.bodyId,
  documentIdOf: (doc) => doc.poNumber,

  // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
  headerRow: (doc, m) => [
    m.topic, m.partition, m.offset, m.batchId, doc.bodyId, doc.poNumber, false,
    doc.supplier.name, doc.supplier.ref, doc.supplier.vatNumber, doc.supplier.companyNumber,
    doc.supplier.charityNumber, doc.supplier.redacted ?? false, doc.orderDate, doc.currency, doc.status,
    doc.contractRef, doc.description, doc.totalNet, doc.source?.uploadId, doc.source?.file, doc.source?.row,
    m.producedAt,
  ],

  // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
  lineRows: (doc, m) =>
    doc.lines.map((line) => [
      m.topic, m.partition, m.offset, doc.bodyId, doc.poNumber, line.lineNo, line.description, line.itemCode,
      line.quantity, line.unit, line.unitPrice, line.netAmount, line.category?.scheme, line.category?.code,
      line.category?.label,
    ]),

  // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
  retractionRow: (bodyId, poNumber, m) => [
    m.topic, m.partition, m.offset, m.batchId, bodyId, poNumber, true,
    ...new Array(15).fill(null), m.producedAt,
  ],
};

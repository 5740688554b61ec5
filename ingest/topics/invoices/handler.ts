import type { TopicHandler } from '../handler.ts';
import { type InvoiceV1, invoiceV1 } from './schema.ts';

export const invoicesHandler: TopicHandler<InvoiceV1> = {
  schemaName: 'invoice.v1',
  schema: invoiceV1,
  headerTable: 'invoices',
  linesTable: 'invoice_lines',
  bodyIdOf: (doc) => doc.bodyId,
  documentIdOf: (doc) => doc.invoiceId,

  // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
  headerRow: (doc, m) => [
    m.topic, m.partition, m.offset, m.batchId, doc.bodyId, doc.invoiceId, false,
    doc.documentType, doc.supplier.name, doc.supplier.ref, doc.supplier.vatNumber, doc.supplier.companyNumber,
    doc.supplier.charityNumber, doc.supplier.redacted ?? false, doc.invoiceDate, doc.paymentDate, doc.currency,
    doc.netAmount, doc.vatAmount, doc.poNumber, doc.contractRef, doc.description, doc.expenseType,
    doc.serviceArea, doc.costCentre, doc.category?.scheme, doc.category?.code, doc.category?.label,
    doc.source?.uploadId, doc.source?.file, doc.source?.row, m.producedAt,
  ],

  // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
  lineRows: (doc, m) =>
    (doc.lines ?? []).map((line) => [
      m.topic, m.partition, m.offset, doc.bodyId, doc.invoiceId, line.lineNo, line.description, line.itemCode,
      line.quantity, line.unit, line.unitPrice, line.netAmount, line.category?.scheme, line.category?.code,
      line.category?.label,
    ]),

  // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
  retractionRow: (bodyId, invoiceId, m) => [
    m.topic, m.partition, m.offset, m.batchId, bodyId, invoiceId, true,
    ...new Array(24).fill(null), m.producedAt,
  ],
};

import { isCurrencyCode, isRealDate } from '../../../lib/fields.ts';
import {
  CATEGORY_STRUCTURE,
  insertLinesSql,
  SOURCE_STRUCTURE,
  SUPPLIER_STRUCTURE,
  shredded,
  type TopicHandler,
} from '../handler.ts';
import { compileShapeCheck } from '../quick-check.ts';
import { type InvoiceV1, invoiceRuleIssues, invoiceV1 } from './schema.ts';

const hasInvoiceShape = compileShapeCheck(invoiceV1);

const STRUCTURE = `{"bodyId":"VARCHAR","invoiceId":"VARCHAR","documentType":"VARCHAR",${SUPPLIER_STRUCTURE},"invoiceDate":"DATE","paymentDate":"DATE","currency":"VARCHAR","netAmount":"DECIMAL(18,2)","vatAmount":"DECIMAL(18,2)","poNumber":"VARCHAR","contractRef":"VARCHAR","description":"VARCHAR","expenseType":"VARCHAR","serviceArea":"VARCHAR","costCentre":"VARCHAR",${CATEGORY_STRUCTURE},${SOURCE_STRUCTURE}}`;

export const invoicesHandler: TopicHandler<InvoiceV1> = {
  schemaName: 'invoice.v1',
  schema: invoiceV1,
  headerTable: 'invoices',
  quickCheck: (value): value is InvoiceV1 =>
    hasInvoiceShape(value) &&
    isRealDateIfPresent((value as InvoiceV1).invoiceDate) &&
    isRealDateIfPresent((value as InvoiceV1).paymentDate) &&
    isCurrencyCode((value as InvoiceV1).currency) &&
    invoiceRuleIssues(value as InvoiceV1).length === 0,
  bodyIdOf: (doc) => doc.bodyId,
  documentIdOf: (doc) => doc.invoiceId,

  insertDocumentsSql: `
    insert into invoices (
      topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, invoice_id, retracted, document_type,
      supplier_name, supplier_ref, supplier_vat_number, supplier_company_number, supplier_charity_number,
      supplier_redacted, invoice_date, payment_date, currency, net_amount, vat_amount, po_number, contract_ref,
      description, expense_type, service_area, cost_centre, category_scheme, category_code, category_label,
      upload_id, source_file, source_row, produced_at)
    select $topic, kafka_partition, kafka_offset, ingest_batch_id, d.bodyId, d.invoiceId, false, d.documentType,
      d.supplier.name, d.supplier.ref, d.supplier.vatNumber, d.supplier.companyNumber, d.supplier.charityNumber,
      coalesce(d.supplier.redacted, false), d.invoiceDate, d.paymentDate, d.currency, d.netAmount, d.vatAmount,
      d.poNumber, d.contractRef, d.description, d.expenseType, d.serviceArea, d.costCentre, d.category.scheme,
      d.category.code, d.category.label, d.source.uploadId, d.source.file, d.source.row, produced_at
    from ${shredded(STRUCTURE)}`,

  insertLinesSql: insertLinesSql('invoice_lines', 'invoice_id', 'invoiceId'),

  // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
  retractionRow: (bodyId, invoiceId, m) => [
    m.topic, m.partition, m.offset, m.batchId, bodyId, invoiceId, true,
    ...new Array(24).fill(null), m.producedAt,
  ],
};

function isRealDateIfPresent(date: string | undefined): boolean {
  return date === undefined || isRealDate(date);
}

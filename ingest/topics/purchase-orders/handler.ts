import { isCurrencyCode, isRealDate } from '../../../lib/fields.ts';
import {
  insertLinesSql,
  SOURCE_STRUCTURE,
  SUPPLIER_STRUCTURE,
  shredded,
  type TopicHandler,
} from '../handler.ts';
import { compileShapeCheck } from '../quick-check.ts';
import { type PurchaseOrderV1, purchaseOrderRuleIssues, purchaseOrderV1 } from './schema.ts';

const hasPurchaseOrderShape = compileShapeCheck(purchaseOrderV1);

const STRUCTURE = `{"bodyId":"VARCHAR","poNumber":"VARCHAR",${SUPPLIER_STRUCTURE},"orderDate":"DATE","currency":"VARCHAR","status":"VARCHAR","contractRef":"VARCHAR","description":"VARCHAR","totalNet":"DECIMAL(18,2)",${SOURCE_STRUCTURE}}`;

export const purchaseOrdersHandler: TopicHandler<PurchaseOrderV1> = {
  schemaName: 'purchase-order.v1',
  schema: purchaseOrderV1,
  headerTable: 'purchase_orders',
  quickCheck: (value): value is PurchaseOrderV1 =>
    hasPurchaseOrderShape(value) &&
    isRealDate((value as PurchaseOrderV1).orderDate) &&
    isCurrencyCode((value as PurchaseOrderV1).currency) &&
    purchaseOrderRuleIssues(value as PurchaseOrderV1).length === 0,
  bodyIdOf: (doc) => doc.bodyId,
  documentIdOf: (doc) => doc.poNumber,

  insertDocumentsSql: `
    insert into purchase_orders (
      topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, po_number, retracted, supplier_name,
      supplier_ref, supplier_vat_number, supplier_company_number, supplier_charity_number, supplier_redacted,
      order_date, currency, status, contract_ref, description, total_net, upload_id, source_file, source_row,
      produced_at)
    select $topic, kafka_partition, kafka_offset, ingest_batch_id, d.bodyId, d.poNumber, false, d.supplier.name,
      d.supplier.ref, d.supplier.vatNumber, d.supplier.companyNumber, d.supplier.charityNumber,
      coalesce(d.supplier.redacted, false), d.orderDate, d.currency, d.status, d.contractRef, d.description,
      d.totalNet, d.source.uploadId, d.source.file, d.source.row, produced_at
    from ${shredded(STRUCTURE)}`,

  insertLinesSql: insertLinesSql('purchase_order_lines', 'po_number', 'poNumber'),

  // biome-ignore format: one row, cells in the table's column order (ingest/rows.ts)
  retractionRow: (bodyId, poNumber, m) => [
    m.topic, m.partition, m.offset, m.batchId, bodyId, poNumber, true,
    ...new Array(15).fill(null), m.producedAt,
  ],
};

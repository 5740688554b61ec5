/**
 * A Peppol UBL document through the upload: read (ubl-reader.ts), checked against its message
 * contract, and sent as one invoice.v1 or purchase-order.v1 message. A document that is not
 * one we take is a file problem (thrown); one that names the element at fault is a rejection.
 */
import { invoiceV1 } from '../topics/invoices/schema.ts';
import { purchaseOrderV1 } from '../topics/purchase-orders/schema.ts';
import { readUbl, UblError } from './ubl-reader.ts';
import type { UploadSteps } from './upload-contract.ts';

export async function uploadUbl(
  xml: string,
  steps: UploadSteps,
  ctx: { bodyId: string; uploadId: string; file: string },
): Promise<void> {
  const { tally, report } = steps;
  tally.rowsRead = 1;
  let document: ReturnType<typeof readUbl>;
  try {
    document = readUbl(xml, ctx);
  } catch (error) {
    if (!(error instanceof UblError) || error.path === null) throw error;
    report.format = 'peppol';
    await steps.begin(null, 'ubl');
    steps.reject([{ row: 1, column: error.path, field: error.field, reason: error.message }]);
    return;
  }
  report.format = document.format;
  steps.notes.push(...document.notes);
  await steps.begin(null, 'ubl');
  const checked =
    document.kind === 'invoice'
      ? invoiceV1.safeParse(document.invoice)
      : purchaseOrderV1.safeParse(document.order);
  if (!checked.success) {
    steps.reject(
      checked.error.issues.map((issue) => ({
        row: 1,
        column: null,
        field: issue.path.join('.'),
        reason: `${document.kind === 'invoice' ? 'invoice.v1' : 'purchase-order.v1'} ${issue.path.join('.')}: ${issue.message}`,
      })),
    );
    return;
  }
  if (document.kind === 'invoice') {
    const { invoice } = document;
    await steps.send({
      topic: 'invoices',
      key: `${invoice.bodyId}:${invoice.invoiceId}`,
      value: JSON.stringify(invoice),
    });
    tally.invoices++;
    tally.accept(document.netPence, invoice.currency, invoice.invoiceDate);
    report.dateField = { field: 'invoiceDate', column: 'cbc:IssueDate', meaning: 'invoice issue date' };
    report.amountBasis = 'net = cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount (credit notes negative)';
  } else {
    const { order } = document;
    await steps.send({
      topic: 'purchase-orders',
      key: `${order.bodyId}:${order.poNumber}`,
      value: JSON.stringify(order),
    });
    tally.purchaseOrders++;
    tally.accept(document.netPence, order.currency, order.orderDate);
    report.dateField = { field: 'orderDate', column: 'cbc:IssueDate', meaning: 'order issue date' };
    report.amountBasis = 'net = cac:AnticipatedMonetaryTotal/cbc:LineExtensionAmount';
  }
}

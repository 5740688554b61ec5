import { isCurrencyCode, isRealDate } from '../../../lib/fields.ts';
import type { TopicHandler } from '../handler.ts';
import { compileShapeCheck } from '../quick-check.ts';
import { type InvoiceV1, invoiceRuleIssues, invoiceV1 } from './schema.ts';
import { invoiceShape } from './shape.ts';

const hasInvoiceShape = compileShapeCheck(invoiceV1);

export const invoicesHandler: TopicHandler<InvoiceV1> = {
  // Its tables, insert SQL and retraction row, all derived from shape.ts.
  ...invoiceShape.writes,
  schemaName: 'invoice.v1',
  schema: invoiceV1,
  quickCheck: (value): value is InvoiceV1 =>
    hasInvoiceShape(value) &&
    isRealDateIfPresent((value as InvoiceV1).invoiceDate) &&
    isRealDateIfPresent((value as InvoiceV1).paymentDate) &&
    isCurrencyCode((value as InvoiceV1).currency) &&
    invoiceRuleIssues(value as InvoiceV1).length === 0,
  bodyIdOf: (doc) => doc.bodyId,
  documentIdOf: (doc) => doc.invoiceId,
};

function isRealDateIfPresent(date: string | undefined): boolean {
  return date === undefined || isRealDate(date);
}

/** The purchase-order.v1 message contract (topic spend.purchase-orders.v1, key `<bodyId>:<poNumber>`). */
import { z } from 'zod';
import {
  bodyId,
  currency,
  documentId,
  isoDate,
  lineBase,
  money,
  optionalText,
  quantity,
  source,
  supplier,
  unitPrice,
} from '../../../lib/fields.ts';
import { addRuleIssues, lineRuleIssues, type RuleIssue } from '../invoices/schema.ts';

export const purchaseOrderLine = z.strictObject({
  ...lineBase,
  quantity,
  unitPrice,
});

export const purchaseOrderV1 = z
  .strictObject({
    schema: z.literal('purchase-order.v1'),
    bodyId,
    poNumber: documentId,
    supplier,
    orderDate: isoDate,
    currency,
    status: z.enum(['open', 'partially-received', 'received', 'closed', 'cancelled']).optional(),
    contractRef: optionalText(200),
    description: optionalText(2000),
    lines: z.array(purchaseOrderLine).min(1).max(10_000),
    totalNet: money,
    source: source.optional(),
  })
  .superRefine((order, ctx) => addRuleIssues(ctx, purchaseOrderRuleIssues(order)));

export type PurchaseOrderV1 = z.infer<typeof purchaseOrderV1>;
export type PurchaseOrderLineV1 = z.infer<typeof purchaseOrderLine>;

/** The purchase-order.v1 rules across fields: lines that sum exactly to totalNet. */
export function purchaseOrderRuleIssues(order: {
  lines: { lineNo: number; netAmount: string }[];
  totalNet: string;
}): RuleIssue[] {
  return lineRuleIssues(order.lines, order.totalNet, 'totalNet');
}

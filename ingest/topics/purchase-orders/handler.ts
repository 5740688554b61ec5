import { isCurrencyCode, isRealDate } from '../../../lib/fields.ts';
import type { TopicHandler } from '../handler.ts';
import { compileShapeCheck } from '../quick-check.ts';
import { type PurchaseOrderV1, purchaseOrderRuleIssues, purchaseOrderV1 } from './schema.ts';
import { purchaseOrderShape } from './shape.ts';

const hasPurchaseOrderShape = compileShapeCheck(purchaseOrderV1);

export const purchaseOrdersHandler: TopicHandler<PurchaseOrderV1> = {
  // Its tables, insert SQL and retraction row, all derived from shape.ts.
  ...purchaseOrderShape.writes,
  schemaName: 'purchase-order.v1',
  schema: purchaseOrderV1,
  quickCheck: (value): value is PurchaseOrderV1 =>
    hasPurchaseOrderShape(value) &&
    isRealDate((value as PurchaseOrderV1).orderDate) &&
    isCurrencyCode((value as PurchaseOrderV1).currency) &&
    purchaseOrderRuleIssues(value as PurchaseOrderV1).length === 0,
  bodyIdOf: (doc) => doc.bodyId,
  documentIdOf: (doc) => doc.poNumber,
};

/** How purchase-order.v1 is stored: the `purchase_orders` and `purchase_order_lines` tables (migration 001). */
import {
  defineTopicShape,
  itemIdentityColumns,
  lineColumns,
  sourceColumns,
  supplierColumns,
} from '../shape.ts';
import { purchaseOrderV1 } from './schema.ts';

// biome-ignore format: one column a line
export const purchaseOrderShape = defineTopicShape(purchaseOrderV1, {
  table: 'purchase_orders',
  documentId: { field: 'poNumber', column: 'po_number' },
  columns: [
    ...supplierColumns,
    { name: 'order_date', type: 'DATE', field: 'orderDate' },
    { name: 'currency', type: 'VARCHAR', field: 'currency' },
    { name: 'status', type: 'VARCHAR', field: 'status' },
    { name: 'contract_ref', type: 'VARCHAR', field: 'contractRef' },
    { name: 'description', type: 'VARCHAR', field: 'description' },
    { name: 'total_net', type: 'DECIMAL(18,2)', field: 'totalNet' },
    ...sourceColumns,
  ],
  lines: { table: 'purchase_order_lines', columns: [...lineColumns({ required: true }), ...itemIdentityColumns] },
});

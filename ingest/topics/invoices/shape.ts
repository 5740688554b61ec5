/** How invoice.v1 is stored: the `invoices` and `invoice_lines` tables (migration 001). */
import {
  categoryColumns,
  defineTopicShape,
  itemIdentityColumns,
  lineColumns,
  sourceColumns,
  supplierColumns,
} from '../shape.ts';
import { invoiceV1 } from './schema.ts';

// biome-ignore format: one column a line
export const invoiceShape = defineTopicShape(invoiceV1, {
  table: 'invoices',
  documentId: { field: 'invoiceId', column: 'invoice_id' },
  columns: [
    { name: 'document_type', type: 'VARCHAR', field: 'documentType' },
    ...supplierColumns,
    { name: 'invoice_date', type: 'DATE', field: 'invoiceDate' },
    { name: 'payment_date', type: 'DATE', field: 'paymentDate' },
    { name: 'currency', type: 'VARCHAR', field: 'currency' },
    { name: 'net_amount', type: 'DECIMAL(18,2)', field: 'netAmount' },
    { name: 'vat_amount', type: 'DECIMAL(18,2)', field: 'vatAmount' },
    { name: 'po_number', type: 'VARCHAR', field: 'poNumber' },
    { name: 'contract_ref', type: 'VARCHAR', field: 'contractRef' },
    { name: 'description', type: 'VARCHAR', field: 'description' },
    { name: 'expense_type', type: 'VARCHAR', field: 'expenseType' },
    { name: 'service_area', type: 'VARCHAR', field: 'serviceArea' },
    { name: 'cost_centre', type: 'VARCHAR', field: 'costCentre' },
    ...categoryColumns,
    ...sourceColumns,
  ],
  lines: { table: 'invoice_lines', columns: [...lineColumns({ required: false }), ...itemIdentityColumns] },
});

-- Invoices citing a purchase order whose lines were rebuilt in this run (a new order, a changed
-- price, a cancelled order): their lines are compared with the order as it is now.
select distinct invoices.body_id, invoices.invoice_id
from stg_invoices as invoices
semi join changed_stg_purchase_order_lines as order_lines using (body_id, po_number)

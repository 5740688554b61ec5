-- The cells (body × month × currency) whose figures the run's changes touch: the cell of every
-- invoice rebuilt, before and after (a correction that moves an invoice to another month, or a
-- retraction, changes the cell it leaves too), of every line whose charge above its order's
-- price changed, and of the invoices citing an order that arrived, changed or went (an unknown
-- PO becomes a matched one).
select body_id, date_trunc('month', spend_date)::date, currency
from changed_stg_invoices
union all
select body_id, spend_month, currency
from changed_int_above_po_price
union all
select invoices.body_id, date_trunc('month', invoices.spend_date)::date, invoices.currency
from stg_invoices as invoices
semi join changed_stg_purchase_orders as orders using (body_id, po_number)

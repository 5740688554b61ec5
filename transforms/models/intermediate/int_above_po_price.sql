-- grain: one row per invoice line priced above its purchase order's line for the item (body_id, invoice_id, line_no)
-- depends on: stg_invoices, stg_invoice_lines, stg_purchase_order_lines
-- materialised: incremental by invoice
--
-- An invoice line whose unit price is above the price of the same item on the purchase order
-- the invoice cites, and the overcharge: quantity × (invoiced − ordered price), to the penny.
-- Incremental: changed invoices (delta_*), and the invoices citing an order whose lines changed
-- (int_above_po_price.stale.sql).

with

invoices as (
  select body_id, invoice_id, po_number, currency, spend_date from delta_stg_invoices
  -- only invoices (not credit notes) that cite an order can be checked against it
  where document_type = 'invoice' and po_number is not null
),

invoice_lines as (
  select body_id, invoice_id, line_no, item_code, quantity, unit_price from delta_stg_invoice_lines
  -- a line without an item or price cannot be compared with the order
  where item_code is not null and unit_price is not null and quantity is not null
),

order_lines as (
  select body_id, po_number, item_code, unit_price as po_unit_price from stg_purchase_order_lines
  where item_code is not null
),

final as (
  select
    invoice_lines.body_id,
    invoice_lines.invoice_id,
    invoice_lines.line_no,
    invoices.po_number,
    date_trunc('month', invoices.spend_date)::date as spend_month,
    invoices.currency,
    invoice_lines.item_code,
    order_lines.po_unit_price,
    invoice_lines.unit_price as invoiced_unit_price,
    invoice_lines.quantity,
    round(invoice_lines.quantity * (invoice_lines.unit_price - order_lines.po_unit_price), 2) as overcharge
  from invoice_lines
  inner join invoices using (body_id, invoice_id)
  inner join order_lines
    on order_lines.body_id = invoices.body_id
    and order_lines.po_number = invoices.po_number
    and order_lines.item_code = invoice_lines.item_code
  -- priced above the order
  where invoice_lines.unit_price > order_lines.po_unit_price
)

select * from final

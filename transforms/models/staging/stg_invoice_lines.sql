-- grain: one row per line of a current invoice (body_id, invoice_id, line_no)
-- depends on: stg_invoices
-- sources: invoice_lines
-- materialised: incremental by invoice

with

lines as (
  select * from src_invoice_lines
),

current_invoices as (
  select body_id, invoice_id, topic, kafka_partition, kafka_offset from stg_invoices
),

final as (
  select
    lines.body_id,
    lines.invoice_id,
    lines.line_no,
    lines.description,
    lines.item_code,
    lines.quantity,
    lines.unit,
    lines.unit_price,
    lines.net_amount,
    lines.category_scheme,
    lines.category_code,
    lines.category_label,
    lines.standard_item_scheme,
    lines.standard_item_id,
    lines.sellers_item_code,
    lines.buyers_item_code,
    lines.pack_quantity,
    lines.pack_unit
  from lines
  -- only the lines of the current version of each invoice
  inner join current_invoices using (topic, kafka_partition, kafka_offset)
)

select * from final

-- grain: one row per line of a current purchase order (body_id, po_number, line_no)
-- depends on: stg_purchase_orders
-- sources: purchase_order_lines
-- materialised: incremental by purchase-order

with

lines as (
  select * from src_purchase_order_lines
),

current_orders as (
  select body_id, po_number, topic, kafka_partition, kafka_offset from stg_purchase_orders
),

final as (
  select
    lines.body_id,
    lines.po_number,
    lines.line_no,
    lines.description,
    lines.item_code,
    lines.quantity,
    lines.unit,
    lines.unit_price,
    lines.net_amount,
    lines.category_scheme,
    lines.category_code,
    lines.category_label
  from lines
  -- only the lines of the current version of each order
  inner join current_orders using (topic, kafka_partition, kafka_offset)
)

select * from final

-- grain: one row per body × month × currency (body_id, spend_month, currency)
-- depends on: stg_invoices, stg_purchase_orders, int_above_po_price, int_outside_partnership
-- materialised: incremental by key (body_id, spend_month, currency)
-- key in inputs: spend_month = date_trunc('month', spend_date)::date
--
-- How much buying went through purchase orders: invoices citing a PO that exists, citing one
-- that does not, or citing none (off-PO spend), and what was charged above the PO's price.
-- Credit notes are left out of the counts: they follow the invoice they credit.
-- Incremental: only the body × month × currency cells the run's changed invoices, orders and
-- above-price lines fall in, before or after the change, are summed again
-- (fct_po_compliance.keys.sql); delta_stg_invoices and delta_int_above_po_price hold those cells'
-- rows (invoices by the month of their spend date), the orders are looked up whole.

with

invoices as (
  select * from delta_stg_invoices as invoices
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = invoices.body_id and (outside.excluded_after is null or invoices.spend_date > outside.excluded_after)
  -- invoices only: a credit note is not a purchase
  where document_type = 'invoice'
),

orders as (
  select body_id, po_number from stg_purchase_orders
),

in_scope_documents as (
  select body_id, invoice_id from delta_stg_invoices as invoices
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = invoices.body_id and (outside.excluded_after is null or invoices.spend_date > outside.excluded_after)
),

above_price as (
  select body_id, spend_month, currency, sum(overcharge) as overcharge, count(*) as lines
  from delta_int_above_po_price
  semi join in_scope_documents using (body_id, invoice_id)
  group by all
),

classified as (
  select
    invoices.body_id,
    date_trunc('month', invoices.spend_date)::date as spend_month,
    invoices.currency,
    invoices.net_amount,
    case
      when invoices.po_number is null then 'no-po'
      when orders.po_number is null then 'unknown-po'
      else 'matched'
    end as po_status
  from invoices
  left join orders using (body_id, po_number)
),

per_month as (
  select
    body_id,
    spend_month,
    currency,
    count(*) as invoices,
    sum(net_amount) as net_total,
    count(*) filter (where po_status = 'matched') as matched_invoices,
    coalesce(sum(net_amount) filter (where po_status = 'matched'), 0) as matched_net_total,
    count(*) filter (where po_status = 'unknown-po') as unknown_po_invoices,
    coalesce(sum(net_amount) filter (where po_status = 'unknown-po'), 0) as unknown_po_net_total,
    count(*) filter (where po_status = 'no-po') as off_po_invoices,
    coalesce(sum(net_amount) filter (where po_status = 'no-po'), 0) as off_po_net_total
  from classified
  group by all
),

final as (
  select
    per_month.*,
    round(100 * matched_net_total / nullif(net_total, 0), 1) as on_po_percent,
    coalesce(above_price.lines, 0) as above_po_price_lines,
    coalesce(above_price.overcharge, 0) as above_po_price_overcharge
  from per_month
  left join above_price using (body_id, spend_month, currency)
)

select * from final

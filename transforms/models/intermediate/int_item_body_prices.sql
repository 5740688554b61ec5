-- grain: one row per item × unit × body (item_code, unit, body_id)
-- depends on: int_spend_lines, int_above_po_price, int_body_months, int_outside_partnership
--
-- What each body usually pays for an item: the unit price on most of its GBP invoice lines
-- (its contract price), and the quantity and spend at that price, credit notes netted off.
-- Lines charged above their purchase order's price are left out (fct_po_compliance reports
-- them); lines at other prices are counted apart. Fair comparison: only the months the body
-- was a member (int_body_months); quantity and spend "at common threshold" count the lines of
-- documents whose absolute net total reaches the month's common threshold.

with

spend as (
  select
    body_id, invoice_id, line_no, spend_month, item_code, unit, unit_price, quantity, net_amount,
    document_net_amount, currency, document_type
  from int_spend_lines as lines
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = lines.body_id and (outside.excluded_after is null or lines.spend_date > outside.excluded_after)
),

above_order_price as (
  select body_id, invoice_id, line_no from int_above_po_price
),

member_months as (
  select body_id, spend_month, common_threshold from int_body_months
  -- only the months the body was a member of the partnership
  where is_member
),

item_lines as (
  select spend.*, member_months.common_threshold
  from spend
  inner join member_months using (body_id, spend_month)
  -- a line charged above its order's price is a compliance finding, not the body's price
  anti join above_order_price using (body_id, invoice_id, line_no)
  -- lines of named items with a price and quantity, in GBP
  where spend.item_code is not null
    and spend.unit_price is not null
    and spend.quantity is not null
    and spend.currency = 'GBP'
),

priced_lines as (
  select
    item_lines.body_id, item_lines.item_code, item_lines.unit, item_lines.unit_price, item_lines.quantity,
    item_lines.net_amount, item_lines.document_type,
    -- thresholds apply to a payment: the document's whole net total
    abs(item_lines.document_net_amount) >= item_lines.common_threshold as at_common_threshold
  from item_lines
),

usual_price as (
  select
    item_code,
    coalesce(unit, '') as unit_key,
    body_id,
    -- the price on most invoice lines; ties go to the lower price
    arg_min(unit_price, sort_key) as unit_price
  from (
    select item_code, unit, body_id, unit_price, -count(*) * 1e9 + unit_price as sort_key
    from priced_lines
    where document_type = 'invoice'
    group by item_code, unit, body_id, unit_price
  )
  group by item_code, unit_key, body_id
),

final as (
  select
    priced_lines.item_code,
    usual_price.unit_key as unit,
    priced_lines.body_id,
    usual_price.unit_price,
    sum(priced_lines.quantity) filter (where priced_lines.unit_price = usual_price.unit_price) as quantity,
    sum(priced_lines.net_amount) filter (where priced_lines.unit_price = usual_price.unit_price) as net_amount,
    count(*) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.document_type = 'invoice')
      - count(*) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.document_type = 'credit-note') as lines,
    count(*) filter (where priced_lines.unit_price <> usual_price.unit_price) as lines_at_other_prices,
    coalesce(sum(priced_lines.quantity) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.at_common_threshold), 0) as quantity_at_common_threshold,
    coalesce(sum(priced_lines.net_amount) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.at_common_threshold), 0) as net_amount_at_common_threshold
  from priced_lines
  inner join usual_price
    on usual_price.item_code = priced_lines.item_code
    and usual_price.unit_key = coalesce(priced_lines.unit, '')
    and usual_price.body_id = priced_lines.body_id
  group by priced_lines.item_code, usual_price.unit_key, priced_lines.body_id, usual_price.unit_price
)

select * from final

-- grain: one row per priced invoice line (body_id, invoice_id, line_no)
-- depends on: int_item_lines, int_above_po_price, int_body_months, int_outside_partnership
-- materialised: incremental by key (item_scheme, item_key)
--
-- Every line that enters price comparison, with its price and quantity per normalised unit: the
-- lines behind each body's usual price (int_item_body_prices: the lines whose unit_price equals
-- it), for finance to trace a price to its invoices. An item is an identity of int_item_lines
-- (GTIN, a standard scheme, a supplier's own code, a body's own code, or a confirmed
-- description match); lines with none are left out. Units: the lines of one item whose units
-- share a dimension are priced in one normalised unit, the content unit most of them use (a box
-- of 12 each and each: C62), price per normalised unit = unit price × that unit's factor ÷
-- (content factor × content amount), rounded half away from zero to 4 places in exact integer
-- arithmetic; a unit that could not be normalised is its own dimension ("text:BOX"), priced as
-- invoiced. Lines charged above their purchase order's price are left out (fct_po_compliance
-- reports them). Fair comparison: only the months the body was a member (int_body_months);
-- at_common_threshold: the line's document's absolute net total reaches the month's common
-- threshold. A table of lines, not lists inside the price rows: it spills to disk like any
-- table, where per-group lists could not (BENCHMARKS.md, "Transforms").
-- Incremental by item: an item's normalised unit rests on all its lines, so all the lines of the
-- items the run's changes touch are priced again (int_item_priced_lines.keys.sql):
-- delta_int_item_lines holds those items' lines; the lookups (lines above their order's price,
-- members' months and thresholds, bodies outside the partnership) are read whole.

with

spend as (
  select lines.*
  from delta_int_item_lines as lines
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
  -- lines of identified items with a price and quantity, in GBP
  where spend.item_scheme <> 'none'
    and spend.unit_price is not null
    and spend.quantity is not null
    and spend.currency = 'GBP'
),

normalised_units as (
  -- each item × dimension's normalised unit: the content unit most lines use (ties: by code);
  -- a window, not an ordered aggregate: millions of items at 10M lines, and it spills to disk
  select item_scheme, item_key, unit_key, content_unit as normalised_unit
  from (
    select item_scheme, item_key, unit_key, content_unit, count(*) as lines
    from item_lines where unit_normalised
    group by all
  )
  qualify row_number() over (partition by item_scheme, item_key, unit_key order by lines desc, content_unit) = 1
),

units as (
  select code, factor_to_base::decimal(38, 12) as factor_to_base from seed_rec20_units
),

scaled as (
  -- integers for exact division: U = price × 10⁴, T and F = factors × 10¹², K = amount × 10⁴
  select
    item_lines.*,
    coalesce(normalised_units.normalised_unit, substr(item_lines.unit_key, 6)) as normalised_unit,
    (item_lines.unit_price * 10000)::hugeint as u,
    (item_lines.quantity * 10000)::hugeint as q,
    case when item_lines.unit_normalised then (target.factor_to_base * 1000000000000)::hugeint else 1 end as t,
    case when item_lines.unit_normalised then (item_lines.content_factor * 1000000000000)::hugeint else 1 end as f,
    case when item_lines.unit_normalised then (item_lines.content_amount * 10000)::hugeint else 10000 end as k
  from item_lines
  left join normalised_units using (item_scheme, item_key, unit_key)
  left join units as target on target.code = normalised_units.normalised_unit
),

priced_lines as (
  select
    body_id, invoice_id, line_no, document_type, spend_month,
    item_scheme, item_key, unit_key, normalised_unit, item_label, unit, unit_normalised,
    unit_price as invoiced_unit_price,
    -- price per normalised unit, in 10⁻⁴ pounds: 10⁴·U·T ÷ (F·K), rounded half away from zero
    ((sign(u) * ((2 * 10000 * abs(u) * t + f * k) // (2 * f * k)))::decimal(38, 0) * 0.0001)::decimal(18, 4) as unit_price,
    -- quantity in normalised units, in 10⁻⁴: Q·F·K ÷ (10⁴·T)
    ((sign(q) * ((2 * abs(q) * f * k + 10000 * t) // (2 * 10000 * t)))::decimal(38, 0) * 0.0001)::decimal(18, 4) as quantity,
    net_amount,
    -- thresholds apply to a payment: the document's whole net total
    abs(document_net_amount) >= common_threshold as at_common_threshold
  from scaled
)

select * from priced_lines

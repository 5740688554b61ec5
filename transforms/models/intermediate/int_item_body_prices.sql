-- grain: one row per item × unit dimension × body (item_scheme, item_key, unit_key, body_id)
-- depends on: int_item_lines, int_above_po_price, int_body_months, int_outside_partnership
--
-- What each body usually pays for an item, per normalised unit: the price on most of its GBP
-- invoice lines (its contract price), and the quantity (in normalised units) and spend at that
-- price, credit notes netted off. An item is an identity of int_item_lines (GTIN, a standard
-- scheme, a supplier's own code, a body's own code, or a confirmed description match); lines
-- with none are left out. Units: the lines of one item whose units share a dimension are priced
-- in one normalised unit, the content unit most of them use (a box of 12 each and each: C62),
-- price per normalised unit = unit price × that unit's factor ÷ (content factor × content amount),
-- rounded half away from zero to 4 places in exact integer arithmetic; a unit that could not be
-- normalised is its own dimension ("text:BOX"), priced as invoiced. Lines charged above their
-- purchase order's price are left out (fct_po_compliance reports them); lines at other prices
-- are counted apart. Fair comparison: only the months the body was a member (int_body_months);
-- quantity and spend "at common threshold" count the lines of documents whose absolute net
-- total reaches the month's common threshold.

with

spend as (
  select lines.*
  from int_item_lines as lines
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
  -- each item × dimension's normalised unit: the content unit most lines use (ties: by code)
  select item_scheme, item_key, unit_key, first(content_unit order by lines desc, content_unit) as normalised_unit
  from (
    select item_scheme, item_key, unit_key, content_unit, count(*) as lines
    from item_lines where unit_normalised
    group by all
  )
  group by all
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
    body_id, item_scheme, item_key, unit_key, normalised_unit, item_label, unit, unit_normalised,
    unit_price as invoiced_unit_price,
    -- price per normalised unit, in 10⁻⁴ pounds: 10⁴·U·T ÷ (F·K), rounded half away from zero
    (sign(u) * ((2 * 10000 * abs(u) * t + f * k) // (2 * f * k)))::decimal(38, 0) * 0.0001 as unit_price,
    -- quantity in normalised units, in 10⁻⁴: Q·F·K ÷ (10⁴·T)
    (sign(q) * ((2 * abs(q) * f * k + 10000 * t) // (2 * 10000 * t)))::decimal(38, 0) * 0.0001 as quantity,
    net_amount,
    document_type,
    invoice_id,
    line_no,
    -- thresholds apply to a payment: the document's whole net total
    abs(document_net_amount) >= common_threshold as at_common_threshold
  from scaled
),

usual_price as (
  select
    item_scheme,
    item_key,
    unit_key,
    body_id,
    -- the price on most invoice lines; ties go to the lower price
    arg_min(unit_price, sort_key) as unit_price
  from (
    select item_scheme, item_key, unit_key, body_id, unit_price, -count(*) * 1e9 + unit_price as sort_key
    from priced_lines
    where document_type = 'invoice'
    group by item_scheme, item_key, unit_key, body_id, unit_price
  )
  group by item_scheme, item_key, unit_key, body_id
),

final as (
  select
    priced_lines.item_scheme,
    priced_lines.item_key,
    priced_lines.unit_key,
    priced_lines.body_id,
    -- the code and unit most lines give, for people to read
    mode(priced_lines.item_label) as item_code,
    mode(priced_lines.unit) as unit,
    any_value(priced_lines.normalised_unit) as normalised_unit,
    bool_and(priced_lines.unit_normalised) as unit_normalised,
    usual_price.unit_price::decimal(18, 4) as unit_price,
    sum(priced_lines.quantity) filter (where priced_lines.unit_price = usual_price.unit_price)::decimal(18, 4) as quantity,
    sum(priced_lines.net_amount) filter (where priced_lines.unit_price = usual_price.unit_price) as net_amount,
    count(*) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.document_type = 'invoice')
      - count(*) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.document_type = 'credit-note') as lines,
    count(*) filter (where priced_lines.unit_price <> usual_price.unit_price) as lines_at_other_prices,
    coalesce(sum(priced_lines.quantity) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.at_common_threshold), 0)::decimal(18, 4) as quantity_at_common_threshold,
    coalesce(sum(priced_lines.net_amount) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.at_common_threshold), 0) as net_amount_at_common_threshold,
    -- the lines behind the price (invoice id and line number), for finance to trace
    list(priced_lines.invoice_id || '#' || priced_lines.line_no::varchar order by priced_lines.invoice_id, priced_lines.line_no)
      filter (where priced_lines.unit_price = usual_price.unit_price) as line_refs
  from priced_lines
  inner join usual_price using (item_scheme, item_key, unit_key, body_id)
  group by priced_lines.item_scheme, priced_lines.item_key, priced_lines.unit_key, priced_lines.body_id, usual_price.unit_price
)

select * from final

-- grain: one row per item × unit dimension × body (item_scheme, item_key, unit_key, body_id)
-- depends on: int_item_priced_lines
-- materialised: incremental by key (item_scheme, item_key)
--
-- What each body usually pays for an item, per normalised unit: the price on most of its GBP
-- invoice lines (its contract price), and the quantity (in normalised units) and spend at that
-- price, credit notes netted off. Which lines count, and how a price is brought to the item's
-- normalised unit, is int_item_priced_lines: the lines behind a body's price are its rows there
-- with this unit_price. Lines at other prices are counted apart. Quantity and spend "at common
-- threshold" count the lines of documents whose absolute net total reaches the month's common
-- threshold. Only plain aggregates here (no per-group lists or modes): at 1M lines this model
-- has ~700,000 groups, and plain aggregate states spill to disk where holistic ones cannot.
-- Incremental by item: the items whose priced lines were rebuilt in this run
-- (int_item_body_prices.keys.sql), from delta_int_item_priced_lines.

with

priced_lines as (
  select * from delta_int_item_priced_lines
),

usual_price as (
  select
    item_scheme,
    item_key,
    unit_key,
    body_id,
    -- the price on most invoice lines; ties go to the lower price. An exact integer key: lines ×
    -- 10¹⁹ − the price in 10⁻⁴ pounds (under 10¹⁸ of them either way for a decimal(18, 4)), so
    -- one line more outweighs any price. Not a DOUBLE: -lines × 10⁹ + price steps by 1/64 near
    -- 100,000 lines, and prices 0.0001 apart tied. Nor a struct key: its sort-key state ran out
    -- of memory at 3M lines where this fixed-size one does not.
    arg_max(unit_price, lines::hugeint * 10000000000000000000 - (unit_price::decimal(38, 4) * 10000)::hugeint) as unit_price
  from (
    select item_scheme, item_key, unit_key, body_id, unit_price, count(*) as lines
    from priced_lines
    where document_type = 'invoice'
    group by item_scheme, item_key, unit_key, body_id, unit_price
  )
  group by item_scheme, item_key, unit_key, body_id
),

-- the code and unit most of the body's lines give, for people to read (ties: the first in order)
labels as (
  select item_scheme, item_key, unit_key, body_id, item_label as item_code, unit
  from (
    select item_scheme, item_key, unit_key, body_id, item_label, unit, count(*) as lines
    from priced_lines
    group by all
  )
  qualify row_number() over (
    partition by item_scheme, item_key, unit_key, body_id
    order by lines desc, item_label, unit
  ) = 1
),

at_usual_price as (
  select
    priced_lines.item_scheme,
    priced_lines.item_key,
    priced_lines.unit_key,
    priced_lines.body_id,
    any_value(priced_lines.normalised_unit) as normalised_unit,
    bool_and(priced_lines.unit_normalised) as unit_normalised,
    usual_price.unit_price,
    sum(priced_lines.quantity) filter (where priced_lines.unit_price = usual_price.unit_price)::decimal(18, 4) as quantity,
    sum(priced_lines.net_amount) filter (where priced_lines.unit_price = usual_price.unit_price) as net_amount,
    count(*) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.document_type = 'invoice')
      - count(*) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.document_type = 'credit-note') as lines,
    count(*) filter (where priced_lines.unit_price <> usual_price.unit_price) as lines_at_other_prices,
    coalesce(sum(priced_lines.quantity) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.at_common_threshold), 0)::decimal(18, 4) as quantity_at_common_threshold,
    coalesce(sum(priced_lines.net_amount) filter (where priced_lines.unit_price = usual_price.unit_price and priced_lines.at_common_threshold), 0) as net_amount_at_common_threshold
  from priced_lines
  inner join usual_price using (item_scheme, item_key, unit_key, body_id)
  group by priced_lines.item_scheme, priced_lines.item_key, priced_lines.unit_key, priced_lines.body_id, usual_price.unit_price
),

final as (
  select
    at_usual_price.item_scheme,
    at_usual_price.item_key,
    at_usual_price.unit_key,
    at_usual_price.body_id,
    labels.item_code,
    labels.unit,
    at_usual_price.normalised_unit,
    at_usual_price.unit_normalised,
    at_usual_price.unit_price::decimal(18, 4) as unit_price,
    at_usual_price.quantity,
    at_usual_price.net_amount,
    at_usual_price.lines,
    at_usual_price.lines_at_other_prices,
    at_usual_price.quantity_at_common_threshold,
    at_usual_price.net_amount_at_common_threshold
  from at_usual_price
  inner join labels using (item_scheme, item_key, unit_key, body_id)
)

select * from final

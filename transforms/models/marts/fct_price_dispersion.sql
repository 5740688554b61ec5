-- grain: one row per item × unit dimension bought by any body (item_scheme, item_key, unit_key)
-- depends on: int_item_body_prices
--
-- The same item bought by different bodies at different prices: min, p25, median and max of the
-- bodies' usual prices per normalised unit, the volume, and what buying at the best price (and
-- at the p25 price) would have saved: Σ over bodies of (spend − quantity × that price), bodies
-- already at or below that price saving nothing. An item is one identity (item_scheme: gtin,
-- standard:<scheme>, seller, buyer or description; item_key its value) in one unit dimension
-- (unit_key: count, mass, volume… or "text:<unit>" for a unit that could not be normalised),
-- priced per normalised_unit (int_item_body_prices); item_code and unit are what most lines
-- say, for people to read. body_ids lists the bodies compared; each one's price, volume and
-- lines are its row of int_item_body_prices, and the lines behind that price are in
-- int_item_priced_lines. Only the months each body was a member count
-- (int_item_body_prices); quantity, spend and the saving at the best price are also given "at
-- common threshold": from documents reaching the highest publishing threshold among the bodies
-- compared in their month.

with

prices as (
  select * from int_item_body_prices
  -- a body whose purchases were all credited back has no volume to compare
  where quantity > 0
),

ranked as (
  -- each body's place among the item's bodies, cheapest first: the quantiles are read off it
  select
    prices.*,
    row_number() over (partition by item_scheme, item_key, unit_key order by unit_price, body_id) - 1 as price_rank,
    count(*) over (partition by item_scheme, item_key, unit_key) as item_bodies
  from prices
),

-- the code and unit the most bodies write, for people to read (ties: the first in order)
labels as (
  select item_scheme, item_key, unit_key, item_code, unit
  from (
    select item_scheme, item_key, unit_key, item_code, unit, count(*) as bodies
    from prices
    group by all
  )
  qualify row_number() over (partition by item_scheme, item_key, unit_key order by bodies desc, item_code, unit) = 1
),

item_prices as (
  -- Plain aggregates only: an item's quantile is interpolated from the two ranked prices around
  -- it (as quantile_cont: position (n − 1) × p), in exact decimals; at 1M lines there are
  -- ~600,000 items, and holistic states (quantile, mode, ordered lists) for each of them do not
  -- spill to disk.
  select
    item_scheme,
    item_key,
    unit_key,
    any_value(normalised_unit) as normalised_unit,
    bool_and(unit_normalised) as unit_normalised,
    count(*) as bodies,
    min(unit_price) as min_unit_price,
    max(unit_price) filter (where price_rank = (item_bodies - 1) // 4) as p25_below,
    max(unit_price) filter (where price_rank = least((item_bodies - 1) // 4 + 1, item_bodies - 1)) as p25_above,
    ((any_value(item_bodies) - 1) % 4) * 0.25 as p25_fraction,
    max(unit_price) filter (where price_rank = (item_bodies - 1) // 2) as median_below,
    max(unit_price) filter (where price_rank = least((item_bodies - 1) // 2 + 1, item_bodies - 1)) as median_above,
    ((any_value(item_bodies) - 1) % 2) * 0.5 as median_fraction,
    max(unit_price) as max_unit_price,
    sum(quantity) as quantity,
    sum(net_amount) as net_amount,
    sum(quantity_at_common_threshold) as quantity_at_common_threshold,
    sum(net_amount_at_common_threshold) as net_amount_at_common_threshold,
    sum(lines) as lines,
    list_sort(list(body_id)) as body_ids
  from ranked
  group by item_scheme, item_key, unit_key
),

item_quantiles as (
  select
    item_prices.*,
    -- exact: 4-place prices interpolated at quarters need 6 places
    (p25_below + (p25_above - p25_below) * p25_fraction)::decimal(18, 6) as p25_unit_price,
    (median_below + (median_above - median_below) * median_fraction)::decimal(18, 6) as median_unit_price,
    labels.item_code,
    labels.unit
  from item_prices
  inner join labels using (item_scheme, item_key, unit_key)
),

savings as (
  select
    prices.item_scheme,
    prices.item_key,
    prices.unit_key,
    sum(prices.net_amount - round(prices.quantity * item_prices.min_unit_price, 2)) as saving_at_best_price,
    sum(greatest(0, prices.net_amount - round(prices.quantity * item_prices.p25_unit_price, 2))) as saving_at_p25_price,
    sum(prices.net_amount_at_common_threshold - round(prices.quantity_at_common_threshold * item_prices.min_unit_price, 2)) as saving_at_best_price_at_common_threshold,
    arg_max(prices.body_id, prices.unit_price) as dearest_body_id,
    arg_min(prices.body_id, prices.unit_price) as cheapest_body_id
  from prices
  inner join item_quantiles as item_prices using (item_scheme, item_key, unit_key)
  group by prices.item_scheme, prices.item_key, prices.unit_key
),

final as (
  select
    item_prices.item_code,
    item_prices.unit,
    item_prices.bodies,
    item_prices.min_unit_price,
    item_prices.p25_unit_price,
    item_prices.median_unit_price,
    item_prices.max_unit_price,
    item_prices.quantity,
    item_prices.net_amount,
    item_prices.quantity_at_common_threshold,
    item_prices.net_amount_at_common_threshold,
    round(100 * (item_prices.max_unit_price - item_prices.min_unit_price) / nullif(item_prices.min_unit_price, 0), 1) as spread_percent,
    savings.saving_at_best_price,
    savings.saving_at_p25_price,
    savings.saving_at_best_price_at_common_threshold,
    savings.cheapest_body_id,
    savings.dearest_body_id,
    -- what the comparison rests on
    item_prices.item_scheme,
    item_prices.item_key,
    item_prices.unit_key,
    item_prices.normalised_unit,
    item_prices.unit_normalised,
    item_prices.lines,
    item_prices.body_ids
  from item_quantiles as item_prices
  inner join savings using (item_scheme, item_key, unit_key)
)

select * from final

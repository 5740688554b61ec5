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
-- say, for people to read. price_points lists each body's price, its lines and the lines'
-- references, cheapest first. Only the months each body was a member count
-- (int_item_body_prices); quantity, spend and the saving at the best price are also given "at
-- common threshold": from documents reaching the highest publishing threshold among the bodies
-- compared in their month.

with

prices as (
  select * from int_item_body_prices
  -- a body whose purchases were all credited back has no volume to compare
  where quantity > 0
),

item_prices as (
  select
    item_scheme,
    item_key,
    unit_key,
    -- the code and unit the most bodies write, for people to read
    mode(item_code) as item_code,
    mode(unit) as unit,
    any_value(normalised_unit) as normalised_unit,
    bool_and(unit_normalised) as unit_normalised,
    count(*) as bodies,
    min(unit_price) as min_unit_price,
    quantile_cont(unit_price::decimal(18, 5), 0.25) as p25_unit_price,
    quantile_cont(unit_price::decimal(18, 5), 0.5) as median_unit_price,
    max(unit_price) as max_unit_price,
    sum(quantity) as quantity,
    sum(net_amount) as net_amount,
    sum(quantity_at_common_threshold) as quantity_at_common_threshold,
    sum(net_amount_at_common_threshold) as net_amount_at_common_threshold,
    sum(lines) as lines,
    list(body_id order by body_id) as body_ids,
    list({'body_id': body_id, 'unit_price': unit_price, 'lines': lines, 'line_refs': line_refs} order by unit_price, body_id) as price_points
  from prices
  group by item_scheme, item_key, unit_key
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
  inner join item_prices using (item_scheme, item_key, unit_key)
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
    item_prices.body_ids,
    item_prices.price_points
  from item_prices
  inner join savings using (item_scheme, item_key, unit_key)
)

select * from final

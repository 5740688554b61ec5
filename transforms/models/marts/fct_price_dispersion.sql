-- grain: one row per item × unit bought by any body (item_code, unit)
-- depends on: int_item_body_prices
--
-- The same item bought by different bodies at different prices: min, p25, median and max of the
-- bodies' usual prices, the volume, and what buying at the best price (and at the p25 price)
-- would have saved: Σ over bodies of (spend − quantity × that price), bodies already at or
-- below that price saving nothing. Only the months each body was a member count
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
    item_code,
    unit,
    count(*) as bodies,
    min(unit_price) as min_unit_price,
    quantile_cont(unit_price::decimal(18, 5), 0.25) as p25_unit_price,
    quantile_cont(unit_price::decimal(18, 5), 0.5) as median_unit_price,
    max(unit_price) as max_unit_price,
    sum(quantity) as quantity,
    sum(net_amount) as net_amount,
    sum(quantity_at_common_threshold) as quantity_at_common_threshold,
    sum(net_amount_at_common_threshold) as net_amount_at_common_threshold
  from prices
  group by all
),

savings as (
  select
    prices.item_code,
    prices.unit,
    sum(prices.net_amount - round(prices.quantity * item_prices.min_unit_price, 2)) as saving_at_best_price,
    sum(greatest(0, prices.net_amount - round(prices.quantity * item_prices.p25_unit_price, 2))) as saving_at_p25_price,
    sum(prices.net_amount_at_common_threshold - round(prices.quantity_at_common_threshold * item_prices.min_unit_price, 2)) as saving_at_best_price_at_common_threshold,
    arg_max(prices.body_id, prices.unit_price) as dearest_body_id,
    arg_min(prices.body_id, prices.unit_price) as cheapest_body_id
  from prices
  inner join item_prices using (item_code, unit)
  group by all
),

final as (
  select
    item_prices.*,
    round(100 * (item_prices.max_unit_price - item_prices.min_unit_price) / nullif(item_prices.min_unit_price, 0), 1) as spread_percent,
    savings.saving_at_best_price,
    savings.saving_at_p25_price,
    savings.saving_at_best_price_at_common_threshold,
    savings.cheapest_body_id,
    savings.dearest_body_id
  from item_prices
  inner join savings using (item_code, unit)
)

select * from final

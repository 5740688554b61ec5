-- grain: one row per item × unit dimension bought by any body (item_scheme, item_key, unit_key)
-- depends on: int_item_body_prices
-- materialised: incremental by key (item_scheme, item_key)
--
-- How the bodies' usual prices for one item spread (fct_price_dispersion adds what the spread
-- costs): how many bodies, min, p25, median and max of their prices per normalised unit, the
-- cheapest and dearest body (ties on price: the first and the last by id), the bodies compared,
-- volume and spend. p25 and median are interpolated between the two prices around position
-- (n − 1) × p, cheapest first, as quantile_cont does, but in exact decimals (six places: 4-place
-- prices at quarter steps). item_code and unit are what the most bodies write (ties: the first
-- in order). A model of its own, and only plain aggregates and windows: at 10M lines there are
-- ~6M items, and per-item holistic states (quantile, mode, ordered lists, arg_max of a string)
-- do not spill to disk, nor does this query fit beside the mart's in 1 GB (BENCHMARKS.md).
-- Incremental by item: the items whose bodies' prices were rebuilt in this run
-- (int_item_price_spread.keys.sql), from delta_int_item_body_prices.

with

prices as (
  select * from delta_int_item_body_prices
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
    any_value(body_id) as any_body_id,
    -- ties on price: the first body by id is the cheapest, the last the dearest
    any_value(body_id) filter (where price_rank = 0) as cheapest_body_id,
    any_value(body_id) filter (where price_rank = item_bodies - 1) as dearest_body_id
  from ranked
  group by item_scheme, item_key, unit_key
),

body_lists as (
  -- the bodies compared, listed only where there are several: a list per item for the millions
  -- of items one body buys (10M lines) does not fit in memory, and theirs is just [that body]
  select item_scheme, item_key, unit_key, list_sort(list(body_id)) as body_ids
  from ranked
  where item_bodies >= 2
  group by item_scheme, item_key, unit_key
),

item_quantiles as (
  select
    item_prices.*,
    -- exact: 4-place prices interpolated at quarters need 6 places
    (p25_below + (p25_above - p25_below) * p25_fraction)::decimal(18, 6) as p25_unit_price,
    (median_below + (median_above - median_below) * median_fraction)::decimal(18, 6) as median_unit_price,
    labels.item_code,
    labels.unit,
    coalesce(body_lists.body_ids, [item_prices.any_body_id]) as body_ids
  from item_prices
  inner join labels using (item_scheme, item_key, unit_key)
  left join body_lists using (item_scheme, item_key, unit_key)
),

final as (
  select
    item_scheme,
    item_key,
    unit_key,
    item_code,
    unit,
    normalised_unit,
    unit_normalised,
    bodies,
    min_unit_price,
    p25_unit_price,
    median_unit_price,
    max_unit_price,
    quantity,
    net_amount,
    quantity_at_common_threshold,
    net_amount_at_common_threshold,
    lines,
    body_ids,
    cheapest_body_id,
    dearest_body_id
  from item_quantiles
)

select * from final

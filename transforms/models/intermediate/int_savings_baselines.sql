-- grain: one row per body × item × unit with a baseline (body_id, item_code, unit)
-- depends on: int_savings_baseline_lines, int_savings_body_years
--
-- What each body of the agreement actually paid for an item in its baseline period (by default
-- the 12 months before it joined): the average unit price of its GBP lines with item, quantity
-- and unit price dated in the period (int_savings_baseline_lines), credit notes netted off
-- (Σ net ÷ Σ quantity), rounded half up to 4 decimal places (computed in whole units: exact). Items whose net quantity or
-- spend in the period is not above 0 have no baseline. The mid-point month (the 7th month of 12)
-- is the month whose index a baseline is indexed from.

with

body_baselines as (
  select distinct body_id, baseline_start, baseline_end from int_savings_body_years
),

baseline_lines as (
  select body_id, item_code, unit, net_amount, quantity from int_savings_baseline_lines
),

totals as (
  select
    body_id,
    item_code,
    unit,
    count(*) as baseline_lines,
    sum(quantity) as baseline_quantity,
    sum(net_amount) as baseline_net_amount,
    (sum(net_amount) * 100)::hugeint as net_pence,
    (sum(quantity) * 10000)::hugeint as quantity_units
  from baseline_lines
  group by all
),

final as (
  select
    totals.body_id,
    totals.item_code,
    totals.unit,
    -- Σ net ÷ Σ quantity to 4 places, half up: (2 · pence · 10^6 + q) // (2 · q), q in 10^-4 units
    (((2 * totals.net_pence * 1000000 + totals.quantity_units) // (2 * totals.quantity_units)) * 0.0001)::decimal(18, 4)
      as baseline_unit_price,
    totals.baseline_lines,
    totals.baseline_quantity,
    totals.baseline_net_amount,
    body_baselines.baseline_start,
    body_baselines.baseline_end,
    (date_trunc('month', body_baselines.baseline_start)
      + to_months(datediff('month', body_baselines.baseline_start, body_baselines.baseline_end) // 2))::date
      as baseline_mid_month
  from totals
  inner join body_baselines using (body_id)
  where totals.quantity_units > 0 and totals.net_pence > 0
)

select * from final

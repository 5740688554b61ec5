-- grain: one row per contract year × body of the agreement (contract_year, body_id)
-- depends on: int_spend_lines, int_savings_body_years
--
-- Lower spend is not a saving. For spend without unit prices (GBP lines with no item or no
-- unit price: most transparency extracts), this reports the change against the body's baseline
-- period as a spend variance, never in the savings statement: the baseline period's spend
-- pro rata to the months the body was a member in the year (whole pence, half up) less the
-- spend dated in the year while it was a member. Positive: the body spent less.

with

body_years as (
  select contract_year, body_id, year_start, year_end, joined_on, left_on, months_member,
         baseline_start, baseline_end, datediff('month', baseline_start, baseline_end) as baseline_months
  from int_savings_body_years
),

unpriced as (
  select body_id, spend_date, net_amount
  from int_spend_lines
  where currency = 'GBP' and spend_date is not null and (item_code is null or unit_price is null)
),

year_spend as (
  select body_years.contract_year, body_years.body_id, sum(unpriced.net_amount) as unpriced_spend, count(*) as lines
  from body_years
  inner join unpriced
    on unpriced.body_id = body_years.body_id
    and unpriced.spend_date >= greatest(body_years.year_start, body_years.joined_on)
    and unpriced.spend_date < body_years.year_end
    and (body_years.left_on is null or unpriced.spend_date <= body_years.left_on)
  group by all
),

baseline_spend as (
  select body_years.body_id, any_value(body_years.baseline_months) as baseline_months, sum(unpriced.net_amount) as spend
  from (select distinct body_id, baseline_start, baseline_end, baseline_months from body_years) as body_years
  inner join unpriced
    on unpriced.body_id = body_years.body_id
    and unpriced.spend_date >= body_years.baseline_start
    and unpriced.spend_date < body_years.baseline_end
  group by all
),

final as (
  select
    body_years.contract_year,
    body_years.body_id,
    body_years.months_member,
    coalesce(baseline_spend.spend, 0)::decimal(18, 2) as baseline_unpriced_spend,
    -- baseline × months ÷ baseline months, in whole pence rounded half up (non-negative spend)
    (coalesce(
      (2 * (baseline_spend.spend * 100)::hugeint * body_years.months_member + baseline_spend.baseline_months)
        // nullif(2 * baseline_spend.baseline_months, 0),
      0) * 0.01)::decimal(18, 2) as baseline_pro_rata,
    coalesce(year_spend.unpriced_spend, 0)::decimal(18, 2) as unpriced_spend,
    coalesce(year_spend.lines, 0) as lines
  from body_years
  left join baseline_spend using (body_id)
  left join year_spend using (contract_year, body_id)
)

select *, (baseline_pro_rata - unpriced_spend)::decimal(18, 2) as spend_variance from final

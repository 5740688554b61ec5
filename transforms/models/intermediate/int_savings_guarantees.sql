-- grain: one row per contract year × savings stream × body (contract_year, stream, body_id)
-- depends on: int_savings_agreement, int_savings_body_years
--
-- The latest agreement's guarantee schedule, split across its bodies pro rata to their months of
-- membership in the year (split: pro-rata-months), with the rules that govern the stream that
-- year (indexation and the month it indexes to, cost avoidance, netting of price increases,
-- shortfall and gain share).
-- Each body's share is rounded down to the penny and the pennies left over go to the largest
-- remainders (ties: body id), so the shares always add up to the guarantee exactly.

with

latest_agreement as (
  select load_id from int_savings_agreement
),

guarantees as (
  select savings_guarantees.*
  from savings_guarantees
  semi join latest_agreement using (load_id)
),

body_years as (
  select contract_year, body_id, months_member, months_all_bodies from int_savings_body_years
),

exact_shares as (
  select
    guarantees.*,
    body_years.body_id,
    body_years.months_member,
    body_years.months_all_bodies,
    -- pence × months / all bodies' months, as whole pence and the remainder (integers: exact)
    (guarantees.guaranteed * 100)::hugeint * body_years.months_member as guaranteed_numerator,
    (guarantees.stretch * 100)::hugeint * body_years.months_member as stretch_numerator
  from guarantees
  inner join body_years using (contract_year)
),

rounded_down as (
  select
    *,
    coalesce(guaranteed_numerator // nullif(months_all_bodies, 0), 0) as guaranteed_floor,
    coalesce(guaranteed_numerator % nullif(months_all_bodies, 0), 0) as guaranteed_remainder,
    coalesce(stretch_numerator // nullif(months_all_bodies, 0), 0) as stretch_floor,
    coalesce(stretch_numerator % nullif(months_all_bodies, 0), 0) as stretch_remainder
  from exact_shares
),

largest_remainders as (
  select
    *,
    -- the pennies the rounded-down shares leave over
    (guaranteed * 100)::hugeint - sum(guaranteed_floor) over year_stream as guaranteed_left,
    (stretch * 100)::hugeint - sum(stretch_floor) over year_stream as stretch_left,
    row_number() over (partition by contract_year, stream order by guaranteed_remainder desc, body_id) as guaranteed_rank,
    row_number() over (partition by contract_year, stream order by stretch_remainder desc, body_id) as stretch_rank
  from rounded_down
  window year_stream as (partition by contract_year, stream)
),

final as (
  select
    contract_year,
    stream,
    body_id,
    months_member,
    months_all_bodies,
    guaranteed as guaranteed_all_bodies,
    ((guaranteed_floor + case when months_member > 0 and guaranteed_rank <= guaranteed_left then 1 else 0 end) * 0.01)::decimal(18, 2) as guaranteed,
    ((stretch_floor + case when months_member > 0 and stretch_rank <= stretch_left then 1 else 0 end) * 0.01)::decimal(18, 2) as stretch,
    indexation,
    cost_avoidance_counts,
    net_price_increases,
    split,
    partner_pays_shortfall,
    partner_share_above_guarantee_pct,
    -- agreements loaded before the rule existed index to the invoice month
    coalesce(index_month, 'invoice-month') as index_month
  from largest_remainders
)

select * from final

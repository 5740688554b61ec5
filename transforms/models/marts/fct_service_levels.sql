-- grain: one row per measure × body (or the partnership) × month (measure, scope, body_id, month)
-- depends on: int_service_level_measurements, int_service_level_targets
--
-- Service levels against the agreement's targets, month by month (docs/partnership.md): each
-- body's, and the partnership's (scope 'partnership', body_id null: every body's numerators and
-- denominators added, not an average of averages). The value: days to pay to one decimal place,
-- shares as a percentage to two, rounded half up in exact arithmetic. Against the year's targets:
-- 'breach' (worse than the contractual target), 'met', 'stretch met', 'no target' (the agreement
-- sets none that year) or 'no data' (no row counted). rows_counted and rows_excluded say how
-- many rows the figure stands on and how many lacked what the measure needs.

with

measurements as (
  select * from int_service_level_measurements
),

targets as (
  select contract_year, measure, direction, contractual, stretch from int_service_level_targets
),

per_body as (
  select measure, 'body' as scope, body_id, month, contract_year, numerator, denominator, rows_counted, rows_excluded
  from measurements
),

partnership as (
  select
    measure, 'partnership' as scope, null::varchar as body_id, month, contract_year,
    sum(numerator) as numerator, sum(denominator) as denominator,
    sum(rows_counted) as rows_counted, sum(rows_excluded) as rows_excluded
  from measurements
  group by measure, month, contract_year
),

combined as (
  select * from per_body
  union all
  select * from partnership
),

valued as (
  select
    combined.*,
    -- half up, in whole hundredths (cents) so no float rounding decides a breach
    case
      when combined.denominator = 0 then null
      when combined.measure = 'days_to_pay' then
        ((20 * (combined.numerator * 100)::hugeint + (combined.denominator * 100)::hugeint)
          // (2 * (combined.denominator * 100)::hugeint))::decimal(18, 0) * 0.1
      else
        ((20000 * (combined.numerator * 100)::hugeint + (combined.denominator * 100)::hugeint)
          // (2 * (combined.denominator * 100)::hugeint))::decimal(18, 0) * 0.01
    end as value
  from combined
),

final as (
  select
    valued.measure,
    valued.scope,
    valued.body_id,
    valued.month,
    valued.contract_year,
    valued.value::decimal(18, 2) as value,
    valued.numerator::decimal(38, 2) as numerator,
    valued.denominator::decimal(38, 2) as denominator,
    valued.rows_counted::bigint as rows_counted,
    valued.rows_excluded::bigint as rows_excluded,
    targets.direction,
    targets.contractual,
    targets.stretch,
    case
      when valued.value is null then 'no data'
      when targets.contractual is null then 'no target'
      when targets.direction = 'lower' and valued.value > targets.contractual then 'breach'
      when targets.direction = 'higher' and valued.value < targets.contractual then 'breach'
      when targets.direction = 'lower' and valued.value <= targets.stretch then 'stretch met'
      when targets.direction = 'higher' and valued.value >= targets.stretch then 'stretch met'
      else 'met'
    end as status
  from valued
  left join targets using (contract_year, measure)
)

select *, status = 'breach' as breach from final

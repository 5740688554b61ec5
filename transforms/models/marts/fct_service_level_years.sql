-- grain: one row per measure × body (or the partnership) × contract year (measure, scope, body_id, contract_year)
-- depends on: fct_service_levels
--
-- Each contract year's service levels against its targets (docs/partnership.md): the year's
-- numerators and denominators added up from its months (a year is not an average of its months),
-- valued and judged as the monthly figures are, with the months measured and the months in breach.

with

months as (
  select * from fct_service_levels
),

per_year as (
  select
    measure, scope, body_id, contract_year,
    sum(numerator) as numerator,
    sum(denominator) as denominator,
    sum(rows_counted)::bigint as rows_counted,
    sum(rows_excluded)::bigint as rows_excluded,
    count(*) filter (where value is not null) as months_measured,
    count(*) filter (where breach) as months_in_breach,
    any_value(direction) as direction,
    any_value(contractual) as contractual,
    any_value(stretch) as stretch
  from months
  group by measure, scope, body_id, contract_year
),

valued as (
  select
    per_year.*,
    -- half up, in whole hundredths, as the monthly figures
    case
      when denominator = 0 then null
      when measure = 'days_to_pay' then
        ((20 * (numerator * 100)::hugeint + (denominator * 100)::hugeint) // (2 * (denominator * 100)::hugeint))::decimal(18, 0) * 0.1
      else
        ((20000 * (numerator * 100)::hugeint + (denominator * 100)::hugeint) // (2 * (denominator * 100)::hugeint))::decimal(18, 0) * 0.01
    end as year_value
  from per_year
),

final as (
  select
    measure, scope, body_id, contract_year,
    year_value::decimal(18, 2) as value,
    numerator::decimal(38, 2) as numerator,
    denominator::decimal(38, 2) as denominator,
    rows_counted, rows_excluded, months_measured, months_in_breach,
    direction, contractual, stretch,
    case
      when year_value is null then 'no data'
      when contractual is null then 'no target'
      when direction = 'lower' and year_value > contractual then 'breach'
      when direction = 'higher' and year_value < contractual then 'breach'
      when direction = 'lower' and year_value <= stretch then 'stretch met'
      when direction = 'higher' and year_value >= stretch then 'stretch met'
      else 'met'
    end as status
  from valued
)

select *, status = 'breach' as breach from final

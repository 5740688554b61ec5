-- grain: one row per contract year × measure the agreement in force sets targets for (contract_year, measure)
-- depends on: int_savings_agreement
--
-- The service levels of the agreement in force (its latest version, docs/partnership.md): each
-- measure's contractual and stretch targets for a contract year, which way is better (fewer
-- days, a higher share), and the contract year's first day and the day after its last (within
-- the term).

with

latest_agreement as (
  select * from int_savings_agreement
),

targets as (
  select partnership_service_levels.*
  from partnership_service_levels
  semi join latest_agreement using (load_id)
),

final as (
  select
    targets.contract_year,
    targets.measure,
    -- days: fewer is better; every other measure is a share where more is better
    case when targets.measure = 'days_to_pay' then 'lower' else 'higher' end as direction,
    targets.contractual,
    targets.stretch,
    greatest(make_date(targets.contract_year, latest_agreement.year_start_month, 1), latest_agreement.start_date) as year_start,
    least((make_date(targets.contract_year, latest_agreement.year_start_month, 1) + interval 12 month)::date, latest_agreement.end_date) as year_end
  from targets
  cross join latest_agreement
)

select * from final

-- grain: one row per contract year × body of the latest agreement (contract_year, body_id)
-- depends on: int_savings_agreement
--
-- The agreement in force (its latest loaded version, docs/savings.md): each contract year of its
-- term (the calendar year it starts in; years start in the agreement's year_start_month) for each
-- body in it, with the body's months of membership in the year: months of the term in which it
-- had joined by the month's end and had not left before the month began (a body joining in
-- October counts 6 months of an April–March year). Guarantees split across bodies pro rata to
-- these months (int_savings_guarantees). The baseline period is the body's (by default the 12
-- months before it joined).

with

latest_agreement as (
  select * from int_savings_agreement
),

agreement_bodies as (
  select savings_agreement_bodies.*
  from savings_agreement_bodies
  semi join latest_agreement using (load_id)
),

contract_years as (
  select distinct savings_guarantees.contract_year
  from savings_guarantees
  semi join latest_agreement using (load_id)
),

year_months as (
  select
    contract_years.contract_year,
    make_date(contract_years.contract_year, latest_agreement.year_start_month, 1) as year_start,
    (make_date(contract_years.contract_year, latest_agreement.year_start_month, 1) + interval 12 month)::date as year_end,
    (make_date(contract_years.contract_year, latest_agreement.year_start_month, 1) + to_months(months.m))::date as month,
    latest_agreement.start_date,
    latest_agreement.end_date
  from contract_years
  cross join latest_agreement
  cross join range(12) as months(m)
),

membership as (
  select
    year_months.contract_year,
    year_months.year_start,
    year_months.year_end,
    agreement_bodies.body_id,
    agreement_bodies.joined_on,
    agreement_bodies.left_on,
    agreement_bodies.baseline_start,
    agreement_bodies.baseline_end,
    count(*) filter (
      -- a month of the term, the body a member by its end and not gone before its start
      where year_months.month >= year_months.start_date
        and year_months.month < year_months.end_date
        and agreement_bodies.joined_on <= last_day(year_months.month)
        and (agreement_bodies.left_on is null or agreement_bodies.left_on >= year_months.month)
    ) as months_member
  from year_months
  cross join agreement_bodies
  group by all
),

final as (
  select
    contract_year,
    body_id,
    -- the part of the contract year inside the term: records outside it belong to no year
    greatest(year_start, (select start_date from latest_agreement)) as year_start,
    least(year_end, (select end_date from latest_agreement)) as year_end,
    joined_on,
    left_on,
    baseline_start,
    baseline_end,
    months_member,
    sum(months_member) over (partition by contract_year) as months_all_bodies
  from membership
)

select * from final

-- grain: one row per investment entry of the latest investment register (investment_id)
-- depends on: int_savings_agreement
--
-- The investment the partner delivered, as its register says (docs/partnership.md): the latest
-- loaded version only (an older one is kept, never read), each entry in the contract year its date
-- falls in; entries outside the agreement's term belong to no year and are left out.

with

agreement as (
  select start_date, end_date, year_start_month from int_savings_agreement
),

latest_load as (
  select load_id, file_name from savings_loads
  where kind = 'investment'
  qualify row_number() over (order by version desc) = 1
),

final as (
  select
    partnership_investment.investment_id,
    partnership_investment.category,
    partnership_investment.dated,
    (year(partnership_investment.dated)
      - case when month(partnership_investment.dated) < agreement.year_start_month then 1 else 0 end)::integer as contract_year,
    partnership_investment.description,
    partnership_investment.amount,
    partnership_investment.evidence_ref,
    partnership_investment.approver,
    partnership_investment.body_id,
    latest_load.file_name || ':' || partnership_investment.source_row as source_ref
  from partnership_investment
  inner join latest_load using (load_id)
  cross join agreement
  where partnership_investment.dated >= agreement.start_date
    and partnership_investment.dated < agreement.end_date
)

select * from final

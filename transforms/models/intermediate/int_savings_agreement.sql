-- grain: one row: the agreement in force (load_id)
-- depends on: none
--
-- The latest loaded version of the partnership agreement (a new version never rewrites an old
-- one; the latest is the one in force), with its version and who loaded it when.

with

versions as (
  select savings_agreements.*, savings_loads.version, savings_loads.loaded_by, savings_loads.loaded_at
  from savings_agreements
  inner join savings_loads using (load_id)
),

final as (
  select load_id, version, agreement_id, partner, start_date, end_date, year_start_month, revenue_share_pct,
         loaded_by, loaded_at
  from versions
  qualify row_number() over (order by version desc) = 1
)

select * from final

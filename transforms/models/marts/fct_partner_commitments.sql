-- grain: one row per contract year × investment category committed or delivered (contract_year, category)
-- depends on: int_savings_agreement, int_partner_investment
--
-- The partner's investment against its commitment (docs/partnership.md), as the savings are
-- against their guarantees: per contract year and category (maintaining services, improving
-- services, community development, the savings team), what the agreement in force commits, what
-- the investment register shows delivered (entries and their sum), the shortfall (commitment not
-- yet delivered) and any investment above it.

with

committed as (
  select partnership_commitments.contract_year, partnership_commitments.category, partnership_commitments.committed
  from partnership_commitments
  semi join int_savings_agreement using (load_id)
),

delivered as (
  select contract_year, category, sum(amount) as delivered, count(*) as entries
  from int_partner_investment
  group by all
),

final as (
  select
    contract_year,
    category,
    coalesce(committed.committed, 0)::decimal(18, 2) as committed,
    coalesce(delivered.delivered, 0)::decimal(18, 2) as delivered,
    coalesce(delivered.entries, 0)::bigint as entries,
    greatest(coalesce(committed.committed, 0) - coalesce(delivered.delivered, 0), 0)::decimal(18, 2) as shortfall,
    greatest(coalesce(delivered.delivered, 0) - coalesce(committed.committed, 0), 0)::decimal(18, 2) as above_commitment,
    case
      when committed.committed is null then 'no commitment'
      when coalesce(delivered.delivered, 0) >= committed.committed then 'met'
      else 'short'
    end as status
  from committed
  full outer join delivered using (contract_year, category)
)

select * from final

-- grain: one row per traced savings record (record_id)
-- depends on: int_savings_agreement, int_savings_procurement_lines, int_savings_body_years
--
-- Every pound of realised savings, each from its own record, in one list the statement sums and
-- sign-offs freeze (docs/savings.md):
-- - procurement: an invoice line's counted saving (int_savings_procurement_lines);
-- - services_transferred: a month of a transferred service in the latest service-charge ledger,
--   baseline cost − charge now;
-- - third_party_revenue_share: a sale in the latest third-party sales, × the agreement's revenue
--   share, rounded to the penny;
-- - consequential: an entry of the latest evidence register, its approved amount (never inferred).
-- A record counts in the contract year (of the latest agreement) its date falls in, for a body
-- of the agreement; record ids are built from the records' own keys, so the same record keeps
-- its id from one load version to the next.

with

latest_agreement as (
  select revenue_share_pct from int_savings_agreement
),

latest_loads as (
  select kind, load_id from savings_loads
  qualify row_number() over (partition by kind order by version desc) = 1
),

body_years as (
  select contract_year, body_id, year_start, year_end from int_savings_body_years
),

procurement as (
  select
    'procurement:' || body_id || ':' || invoice_id || ':' || line_no as record_id,
    'procurement' as stream,
    body_id,
    spend_date as record_date,
    saving as amount,
    basis || ': ' || coalesce(item_code, '') || ' × ' || quantity::varchar || ' at ' || unit_price::varchar
      || ' against ' || indexed_price::varchar as detail,
    invoice_id || ' line ' || line_no as source_ref
  from int_savings_procurement_lines
),

services as (
  select
    'service:' || body_id || ':' || service || ':' || strftime(month, '%Y-%m') as record_id,
    'services_transferred' as stream,
    body_id,
    month as record_date,
    (baseline_cost - charge)::decimal(18, 2) as amount,
    service || ': baseline ' || baseline_cost::varchar || ' − charge ' || charge::varchar as detail,
    'service-charges line ' || source_row as source_ref
  from savings_service_charges
  semi join latest_loads on latest_loads.kind = 'service-charges' and latest_loads.load_id = savings_service_charges.load_id
),

sales as (
  select
    'sale:' || sale_id as record_id,
    'third_party_revenue_share' as stream,
    body_id,
    sale_date as record_date,
    round(amount::decimal(38, 2) * (select revenue_share_pct from latest_agreement) * 0.01, 2)::decimal(18, 2) as amount,
    customer || ': ' || amount::varchar || ' × ' || (select revenue_share_pct from latest_agreement)::varchar || ' %' as detail,
    'sale ' || sale_id || ' line ' || source_row as source_ref
  from savings_sales
  semi join latest_loads on latest_loads.kind = 'sales' and latest_loads.load_id = savings_sales.load_id
),

evidence as (
  select
    'evidence:' || evidence_id as record_id,
    'consequential' as stream,
    body_id,
    dated as record_date,
    amount,
    description || ' (evidence ' || evidence_ref || ', approved by ' || approver || ')' as detail,
    'evidence ' || evidence_id || ' line ' || source_row as source_ref
  from savings_evidence
  semi join latest_loads on latest_loads.kind = 'evidence' and latest_loads.load_id = savings_evidence.load_id
),

all_records as (
  select * from procurement
  union all select * from services
  union all select * from sales
  union all select * from evidence
),

final as (
  select
    all_records.record_id,
    all_records.stream,
    all_records.body_id,
    body_years.contract_year,
    all_records.record_date,
    all_records.amount,
    all_records.detail,
    all_records.source_ref
  from all_records
  -- a record outside the term, or of a body outside the agreement, belongs to no contract year
  inner join body_years
    on body_years.body_id = all_records.body_id
    and all_records.record_date >= body_years.year_start
    and all_records.record_date < body_years.year_end
)

select * from final

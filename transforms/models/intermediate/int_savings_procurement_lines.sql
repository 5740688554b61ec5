-- grain: one row per spend line that realises a procurement saving or leakage (body_id, invoice_id, line_no)
-- depends on: int_spend_lines, int_savings_body_years, int_savings_guarantees, int_savings_baselines, int_savings_price_index, int_savings_register
-- materialised: incremental by invoice
--
-- Procurement savings as invoices arrive (docs/savings.md): each GBP line of an agreement body,
-- dated while it was a member within the term, measured against
-- 1. a contract of the savings register it falls under (same body, in the contract's dates, the
--    reference the invoice quotes or the register's supplier entity, and its item when the
--    register names one): at the register's previous unit price, or at its agreed saving rate on
--    the line's spend when the register gives no price or the line has none;
-- 2. else the body's baseline price for the item and unit (int_savings_baselines), indexed when
--    the year's procurement guarantee says so: baseline × index(index month) ÷ index(baseline
--    mid-point month), rounded half up to 4 places. The index month is the year's `index_month`
--    rule: the invoice's month (invoice-month, the default) or the first month of the line's
--    contract year (contract-year-start: one index for the whole year, known from its start).
-- With P the price paid, B the baseline, I the indexed baseline (B without indexation) and q the
-- quantity (a credit note's negative): cost reduction = max(B − P, 0) · q, cost avoidance =
-- max(I − max(P, B), 0) · q, leakage = max(P − I, 0) · q, each rounded to the penny; the saving
-- counted is reduction + avoidance (when the agreement counts it) − leakage (when it nets price
-- increases). Lines with neither a contract nor a baseline are no saving (fct_savings_spend_variance
-- reports lower spend). Credit notes and late invoices flow through as changed invoices.

with

lines as (
  select
    body_id, invoice_id, line_no, document_type, spend_date, supplier_name, supplier_entity_id,
    contract_ref, item_code, coalesce(unit, '') as unit, unit_price, net_amount,
    case when net_amount < 0 then -abs(quantity) else abs(quantity) end as quantity
  from delta_int_spend_lines
  where currency = 'GBP' and spend_date is not null
),

body_years as (
  select contract_year, body_id, year_start, year_end, joined_on, left_on from int_savings_body_years
),

member_lines as (
  select lines.*, body_years.contract_year, body_years.year_start as contract_year_start
  from lines
  inner join body_years
    on body_years.body_id = lines.body_id
    and lines.spend_date >= body_years.year_start
    and lines.spend_date < body_years.year_end
  -- savings count only while the body is in the partnership
  where lines.spend_date >= body_years.joined_on
    and (body_years.left_on is null or lines.spend_date <= body_years.left_on)
),

register as (
  select * from int_savings_register
),

register_matches as (
  select
    member_lines.body_id, member_lines.invoice_id, member_lines.line_no,
    min(register.register_id) as register_id
  from member_lines
  inner join register
    on register.body_id = member_lines.body_id
    and member_lines.spend_date >= register.starts_on
    and (register.ends_on is null or member_lines.spend_date <= register.ends_on)
    and (register.item_code is null or register.item_code = member_lines.item_code)
    and (
      register.contract_ref_key = nullif(regexp_replace(upper(member_lines.contract_ref), '[^A-Z0-9]', '', 'g'), '')
      or register.supplier_entity_id = member_lines.supplier_entity_id
    )
  group by all
),

rules as (
  select contract_year, body_id, indexation, cost_avoidance_counts, net_price_increases, index_month
  from int_savings_guarantees
  where stream = 'procurement'
),

price_index as (
  select month, index_value from int_savings_price_index
),

ruled_lines as (
  select
    member_lines.*,
    rules.indexation,
    rules.cost_avoidance_counts,
    rules.net_price_increases,
    -- agreements loaded before the rule existed index to the invoice month
    coalesce(rules.index_month, 'invoice-month') as index_month,
    -- the month whose index the baseline is indexed to, as the year's rule says
    case
      when rules.index_month = 'contract-year-start' then date_trunc('month', member_lines.contract_year_start)::date
      else date_trunc('month', member_lines.spend_date)::date
    end as index_now_month
  from member_lines
  left join rules using (contract_year, body_id)
),

priced as (
  select
    ruled_lines.* exclude (indexation, cost_avoidance_counts, net_price_increases),
    register.register_id,
    register.agreed_saving_pct,
    baselines.baseline_mid_month,
    case
      when register.register_id is not null and register.previous_unit_price is not null and ruled_lines.unit_price is not null
        then 'register-price'
      when register.register_id is not null and register.agreed_saving_pct is not null then 'register-rate'
      when register.register_id is null and baselines.baseline_unit_price is not null and ruled_lines.unit_price is not null
        then 'baseline'
    end as basis,
    case
      when register.register_id is not null then register.previous_unit_price
      else baselines.baseline_unit_price
    end as reference_price,
    -- register prices are the contract's own previous price: not indexed
    register.register_id is null and coalesce(ruled_lines.indexation, false) as indexed,
    coalesce(ruled_lines.cost_avoidance_counts, false) as cost_avoidance_counts,
    coalesce(ruled_lines.net_price_increases, false) as net_price_increases,
    index_base.index_value as index_base,
    index_now.index_value as index_now
  from ruled_lines
  left join register_matches using (body_id, invoice_id, line_no)
  left join register using (register_id)
  left join int_savings_baselines as baselines
    on baselines.body_id = ruled_lines.body_id
    and baselines.item_code = ruled_lines.item_code
    and baselines.unit = ruled_lines.unit
  left join price_index as index_base on index_base.month = baselines.baseline_mid_month
  left join price_index as index_now on index_now.month = ruled_lines.index_now_month
),

indexed as (
  select
    *,
    case
      -- without both months' index values the baseline stays as it is (index_missing says so)
      when basis in ('baseline', 'register-price') and indexed and index_base is not null and index_now is not null
        then (((2 * (reference_price * 10000)::hugeint * (index_now * 10000)::hugeint + (index_base * 10000)::hugeint)
               // (2 * (index_base * 10000)::hugeint)) * 0.0001)::decimal(18, 4)
      else reference_price
    end as indexed_price,
    indexed and (index_base is null or index_now is null) as index_missing
  from priced
  where basis is not null
),

measured as (
  select
    *,
    case
      when basis = 'register-rate' then round(net_amount::decimal(38, 2) * agreed_saving_pct * 0.01, 2)
      else round(greatest(reference_price - unit_price, 0)::decimal(38, 4) * quantity, 2)
    end as cost_reduction,
    case
      when basis = 'register-rate' then 0
      else round(greatest(indexed_price - greatest(unit_price, reference_price), 0)::decimal(38, 4) * quantity, 2)
    end as cost_avoidance,
    case
      when basis = 'register-rate' then 0
      else round(greatest(unit_price - indexed_price, 0)::decimal(38, 4) * quantity, 2)
    end as leakage
  from indexed
),

final as (
  select
    body_id,
    invoice_id,
    line_no,
    document_type,
    spend_date,
    contract_year,
    supplier_name,
    supplier_entity_id,
    item_code,
    unit,
    quantity,
    unit_price,
    net_amount,
    basis,
    register_id,
    agreed_saving_pct,
    reference_price,
    baseline_mid_month,
    indexed,
    index_month,
    index_now_month,
    index_base,
    index_now,
    index_missing,
    indexed_price,
    cost_reduction::decimal(18, 2) as cost_reduction,
    cost_avoidance::decimal(18, 2) as cost_avoidance,
    leakage::decimal(18, 2) as leakage,
    cost_avoidance_counts,
    net_price_increases,
    (cost_reduction
      + case when cost_avoidance_counts then cost_avoidance else 0 end
      - case when net_price_increases then leakage else 0 end)::decimal(18, 2) as saving
  from measured
)

select * from final

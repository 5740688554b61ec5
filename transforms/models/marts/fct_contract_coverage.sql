-- grain: one row per body × month × currency (body_id, spend_month, currency)
-- depends on: int_spend_lines, int_spend_contracts, int_outside_partnership
-- materialised: incremental by key (body_id, spend_month, currency)
--
-- How much of each body's spend was bought under a known contract: by the reference its
-- invoices quote, or by a contract of the body with the supplier in force on the spend date.
-- Net amounts (credit notes netted off), every line including redacted payees.
-- Incremental: only the body × month × currency cells the run's changed lines and contract
-- matches fall in, before or after the change, are summed again (fct_contract_coverage.keys.sql);
-- delta_int_spend_lines holds those cells' lines, the contract matches are looked up whole.

with

spend as (
  select body_id, invoice_id, line_no, spend_month, currency, net_amount from delta_int_spend_lines as lines
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = lines.body_id and (outside.excluded_after is null or lines.spend_date > outside.excluded_after)
),

under_contract as (
  select body_id, invoice_id, line_no, ocid, contract_id, matched_by from int_spend_contracts
),

per_month as (
  select
    spend.body_id,
    spend.spend_month,
    spend.currency,
    count(*) as lines,
    sum(spend.net_amount) as net_total,
    count(under_contract.ocid) as lines_under_contract,
    coalesce(sum(spend.net_amount) filter (where under_contract.ocid is not null), 0) as under_contract_net_total,
    coalesce(sum(spend.net_amount) filter (where under_contract.matched_by = 'reference'), 0) as by_reference_net_total,
    coalesce(sum(spend.net_amount) filter (where under_contract.matched_by = 'supplier and period'), 0) as by_supplier_net_total,
    count(distinct (under_contract.ocid, under_contract.contract_id)) filter (where under_contract.ocid is not null) as contracts_used
  from spend
  left join under_contract using (body_id, invoice_id, line_no)
  group by all
),

final as (
  select
    *,
    round(100 * under_contract_net_total / nullif(net_total, 0), 1) as under_contract_percent
  from per_month
)

select * from final

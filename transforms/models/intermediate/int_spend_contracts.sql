-- grain: one row per spend line under a known contract (body_id, invoice_id, line_no)
-- depends on: int_spend_lines, int_contracts, int_contract_supplier_matches
-- materialised: incremental by invoice
--
-- The contract a spend line was bought under, when one is known: the contract its invoice
-- quotes as reference, else a contract of the same body with the line's supplier entity in
-- force on the spend date. One contract per line: a reference beats a supplier match, then the
-- contract ending last. Incremental: the lines of changed invoices are matched again
-- (delta_int_spend_lines); a change to the contracts or their suppliers rebuilds it in full.

with

spend as (
  select body_id, invoice_id, line_no, supplier_entity_id, spend_date, contract_ref from delta_int_spend_lines
),

contracts as (
  select ocid, contract_id, body_id, start_date, end_date, reference_keys from int_contracts
),

contract_suppliers as (
  select distinct ocid, contract_id, entity_id from int_contract_supplier_matches
  -- suppliers the partnership has never paid cannot cover spend
  where entity_id is not null
),

contract_references as (
  select ocid, contract_id, end_date, unnest(reference_keys) as reference_key from contracts
),

by_reference as (
  select
    spend.body_id,
    spend.invoice_id,
    spend.line_no,
    contract_references.ocid,
    contract_references.contract_id,
    'reference' as matched_by,
    1 as preference,
    contract_references.end_date
  from spend
  inner join contract_references
    -- the reference as the body wrote it, compared without punctuation or case
    on contract_references.reference_key = upper(regexp_replace(spend.contract_ref, '[^A-Za-z0-9]', '', 'g'))
  where spend.contract_ref is not null
),

by_supplier as (
  select
    spend.body_id,
    spend.invoice_id,
    spend.line_no,
    contracts.ocid,
    contracts.contract_id,
    'supplier and period' as matched_by,
    2 as preference,
    contracts.end_date
  from spend
  inner join contract_suppliers on contract_suppliers.entity_id = spend.supplier_entity_id
  inner join contracts using (ocid, contract_id)
  -- the body's own contract, in force on the spend date (an open end runs on)
  where contracts.body_id = spend.body_id
    and (contracts.start_date is null or spend.spend_date >= contracts.start_date)
    and (contracts.end_date is null or spend.spend_date <= contracts.end_date)
),

final as (
  select body_id, invoice_id, line_no, ocid, contract_id, matched_by
  from (
    select * from by_reference
    union all
    select * from by_supplier
  )
  qualify row_number() over (
    partition by body_id, invoice_id, line_no
    order by preference, end_date desc nulls first, ocid, contract_id
  ) = 1
)

select * from final

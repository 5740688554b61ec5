-- grain: one row per contract (ocid, contract_id)
-- depends on: int_contracts, int_contract_suppliers, int_contract_supplier_matches, int_outside_partnership
--
-- The contract register: who bought what from whom, for how much and for how long. Values
-- under £10 are placeholders, kept but not trusted; a framework's value is its ceiling. CPV
-- labels come from the code lists (empty when they are missing), the ProClass category from
-- our CPV → ProClass mapping.

with

contracts as (
  select * from int_contracts as contracts
  -- a prospective body's own contracts are not the partnership's (int_outside_partnership);
  -- a leaver's stay: they are its history, and buyers outside the register are listed too
  anti join int_outside_partnership as outside
    on outside.body_id = contracts.body_id and outside.excluded_after is null
),

suppliers as (
  select
    int_contract_suppliers.ocid,
    int_contract_suppliers.contract_id,
    list(int_contract_suppliers.supplier_name order by int_contract_suppliers.party_id) as supplier_names,
    list_sort(list(distinct matches.company_number) filter (where matches.company_number is not null)) as supplier_company_numbers,
    list_sort(list(distinct matches.entity_id) filter (where matches.entity_id is not null)) as supplier_entity_ids,
    count(*) as suppliers,
    count(matches.entity_id) as suppliers_paid
  from int_contract_suppliers
  left join int_contract_supplier_matches as matches using (ocid, contract_id, party_id)
  group by all
),

cpv as (
  -- the code lists carry the check digit; OCDS codes are compared on their 8 digits
  select left(code, 8) as cpv_code, label from seed_cpv
),

proclass_of_cpv as (
  -- our CPV → ProClass mapping, longest prefix first, to compare contracts with classified spend
  select contracts.main_cpv, mapping.proclass_code, proclass.level1 as proclass_level1
  from (select distinct main_cpv from contracts where main_cpv is not null) as contracts
  inner join seed_cpv_proclass as mapping on starts_with(contracts.main_cpv, mapping.cpv_prefix)
  left join seed_proclass as proclass on proclass.code = mapping.proclass_code
  qualify row_number() over (partition by contracts.main_cpv order by length(mapping.cpv_prefix) desc) = 1
),

final as (
  select
    contracts.ocid,
    contracts.contract_id,
    contracts.buyer_name,
    contracts.body_id,
    contracts.body_matched_by,
    contracts.title,
    contracts.status,
    contracts.value_amount,
    contracts.value_currency,
    contracts.value_trusted,
    contracts.value_source,
    contracts.is_framework,
    contracts.start_date,
    contracts.end_date,
    contracts.main_cpv,
    main_label.label as main_cpv_label,
    left(contracts.main_cpv, 2) as cpv_division,
    division_label.label as cpv_division_label,
    contracts.cpv_codes,
    proclass_of_cpv.proclass_code,
    proclass_of_cpv.proclass_level1,
    coalesce(suppliers.supplier_names, []) as supplier_names,
    coalesce(suppliers.supplier_company_numbers, []) as supplier_company_numbers,
    coalesce(suppliers.supplier_entity_ids, []) as supplier_entity_ids,
    coalesce(suppliers.suppliers, 0) as suppliers,
    coalesce(suppliers.suppliers_paid, 0) as suppliers_paid,
    contracts.source_file
  from contracts
  left join suppliers using (ocid, contract_id)
  left join cpv as main_label on main_label.cpv_code = contracts.main_cpv
  left join cpv as division_label on division_label.cpv_code = left(contracts.main_cpv, 2) || '000000'
  left join proclass_of_cpv using (main_cpv)
)

select * from final

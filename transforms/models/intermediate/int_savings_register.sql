-- grain: one row per contract of the latest savings register (register_id)
-- depends on: int_supplier_matches
--
-- Contracts let through the partnership (the latest loaded savings register), each with the
-- supplier entity its supplier name has in that body's spend (null when the body has never paid
-- that name: then only the contract reference can find its invoices).

with

latest_load as (
  select load_id from savings_loads
  where kind = 'register'
  qualify row_number() over (order by version desc) = 1
),

register as (
  select savings_register.*
  from savings_register
  semi join latest_load using (load_id)
),

matches as (
  select body_id, supplier_name, entity_id from int_supplier_matches
),

final as (
  select
    register.register_id,
    register.body_id,
    register.supplier_name,
    matches.entity_id as supplier_entity_id,
    register.contract_ref,
    -- references compared without case or punctuation (KS/ACS/19 = ks-acs-19)
    nullif(regexp_replace(upper(register.contract_ref), '[^A-Z0-9]', '', 'g'), '') as contract_ref_key,
    register.item_code,
    register.previous_unit_price,
    register.agreed_saving_pct,
    register.agreed_annual_saving,
    register.starts_on,
    register.ends_on,
    register.load_id,
    register.source_row
  from register
  left join matches using (body_id, supplier_name)
)

select * from final

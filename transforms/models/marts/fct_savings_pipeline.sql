-- grain: one row per savings opportunity before it realises (stage, opportunity_id)
-- depends on: fct_price_dispersion, int_savings_register
--
-- The first two stages of a saving (docs/savings.md): pipeline → contracted → realised →
-- validated. Pipeline: each item (one identity in one unit dimension) bought at different prices by the bodies, valued at what buying
-- it at the p25 price would have saved (fct_price_dispersion, over the period measured), unless a
-- contract of the savings register already covers the item. Contracted: each contract of the
-- latest savings register, at its agreed annual saving. Realised and validated figures are in
-- fct_savings_statement.

with

register as (
  select register_id, body_id, supplier_name, contract_ref, item_code, agreed_annual_saving, starts_on, ends_on
  from int_savings_register
),

pipeline as (
  select
    'pipeline' as stage,
    -- one identity in one unit dimension (two suppliers' code "1234" are two opportunities)
    'item:' || dispersion.item_scheme || ':' || dispersion.item_key || ':' || dispersion.unit_key as opportunity_id,
    dispersion.item_code,
    null::varchar as body_id,
    'buy at the p25 price of ' || dispersion.bodies::varchar || ' bodies' as description,
    dispersion.saving_at_p25_price::decimal(18, 2) as estimated_value,
    -- what the estimate rests on: the identity scheme, the unit prices compare in, the bodies
    dispersion.item_scheme,
    dispersion.normalised_unit,
    dispersion.body_ids
  from fct_price_dispersion as dispersion
  -- an item a contract already covers has moved on to the contracted stage
  anti join register on register.item_code = dispersion.item_code
  where dispersion.saving_at_p25_price > 0
),

contracted as (
  select
    'contracted' as stage,
    'register:' || register_id as opportunity_id,
    item_code,
    body_id,
    supplier_name || coalesce(' (' || contract_ref || ')', '') || ' from ' || starts_on::varchar as description,
    agreed_annual_saving::decimal(18, 2) as estimated_value,
    null::varchar as item_scheme,
    null::varchar as normalised_unit,
    [body_id] as body_ids
  from register
),

final as (
  select * from pipeline
  union all
  select * from contracted
)

select * from final

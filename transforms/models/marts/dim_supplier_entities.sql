-- grain: one row per supplier entity (entity_id)
-- depends on: int_supplier_matches, stg_supplier_aliases
--
-- One supplier entity per real organisation, named after its most used spelling, with every
-- identifier seen for it and the bodies that use it.

with

matches as (
  select * from int_supplier_matches
),

aliases as (
  select body_id, supplier_name, documents, gbp_net_total from stg_supplier_aliases
),

named as (
  select matches.*, aliases.documents, aliases.gbp_net_total
  from matches
  inner join aliases using (body_id, supplier_name)
  -- redacted payees never form an entity
  where matches.entity_id is not null
),

final as (
  select
    entity_id,
    -- the spelling used on most documents (ties: alphabetical), without padding
    trim(replace(arg_max(supplier_name, documents * 1000000 - rank_in_entity), chr(160), ' ')) as entity_name,
    count(*) as aliases,
    count(distinct body_id) as bodies,
    list_sort(list(distinct body_id)) as body_ids,
    list_sort(list(distinct vat_number) filter (where vat_number is not null)) as vat_numbers,
    list_sort(list(distinct company_number) filter (where company_number is not null)) as company_numbers,
    list_sort(list(distinct charity_number) filter (where charity_number is not null)) as charity_numbers,
    -- a council's code in the local authority register (reference/registers), found from its name
    list_sort(list(distinct public_body_code) filter (where public_body_code is not null)) as public_body_codes,
    sum(documents) as documents,
    sum(gbp_net_total) as gbp_net_total,
    bool_or(decided) as decided_by_analyst
  from (
    select *, row_number() over (partition by entity_id order by supplier_name) as rank_in_entity from named
  )
  group by entity_id
)

select * from final

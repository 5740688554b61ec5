-- grain: one row per supplier entity (entity_id)
-- depends on: int_supplier_matches, stg_supplier_aliases, stg_invoices, stg_purchase_orders, int_outside_partnership
--
-- One supplier entity per real organisation, named after its most used spelling, with every
-- identifier seen for it and the bodies that use it.

with

matches as (
  select * from int_supplier_matches
),

all_aliases as (
  select body_id, supplier_name, documents, gbp_net_total from stg_supplier_aliases as aliases
  -- a prospective body's names are not the partnership's (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = aliases.body_id and outside.excluded_after is null
),

after_leaving as (
  -- a body that left: its documents dated after its last day come off its names' counts
  select documents.body_id, documents.supplier_name, count(*) as documents,
    coalesce(sum(documents.net_amount) filter (where documents.currency = 'GBP'), 0) as gbp_net_total
  from (
    select body_id, supplier_name, spend_date as dated, net_amount, currency from stg_invoices
    union all
    select body_id, supplier_name, order_date, null, currency from stg_purchase_orders
  ) as documents
  semi join int_outside_partnership as outside
    on outside.body_id = documents.body_id and documents.dated > outside.excluded_after
  group by all
),

aliases as (
  select
    all_aliases.body_id,
    all_aliases.supplier_name,
    all_aliases.documents - coalesce(after_leaving.documents, 0) as documents,
    all_aliases.gbp_net_total - coalesce(after_leaving.gbp_net_total, 0) as gbp_net_total
  from all_aliases
  left join after_leaving using (body_id, supplier_name)
  -- names used only after their body left are no longer the partnership's
  where all_aliases.documents > coalesce(after_leaving.documents, 0)
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

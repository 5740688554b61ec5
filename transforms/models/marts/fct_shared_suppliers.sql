-- grain: one row per supplier entity used by two or more bodies, per body (entity_id, body_id)
-- depends on: int_spend_lines, dim_supplier_entities
--
-- Suppliers the partnership shares: each body's GBP spend with the entity beside the combined
-- figure. Fair comparison: only spend from while each body was in the partnership.

with

spend as (
  select * from int_spend_lines
),

entities as (
  select entity_id, entity_name from dim_supplier_entities
),

per_body as (
  select
    supplier_entity_id as entity_id,
    body_id,
    sum(net_amount) as body_net_total,
    count(distinct invoice_id) as body_documents
  from spend
  -- named suppliers only, in GBP, while the body was in the partnership
  where supplier_entity_id is not null
    and currency = 'GBP'
    and in_partnership
  group by all
),

shared as (
  select
    entity_id,
    count(*) as bodies,
    sum(body_net_total) as combined_net_total
  from per_body
  group by entity_id
  -- shared means used by at least two bodies
  having count(*) >= 2
),

final as (
  select
    shared.entity_id,
    entities.entity_name,
    shared.bodies,
    shared.combined_net_total,
    per_body.body_id,
    per_body.body_net_total,
    per_body.body_documents,
    round(100 * per_body.body_net_total / nullif(shared.combined_net_total, 0), 1) as body_share_percent
  from shared
  inner join per_body using (entity_id)
  inner join entities using (entity_id)
)

select * from final

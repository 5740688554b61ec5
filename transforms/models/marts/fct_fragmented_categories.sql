-- grain: one row per ProClass category bought by two or more bodies from two or more supplier entities (proclass_code)
-- depends on: int_spend_classified, int_body_months, dim_supplier_entities, int_outside_partnership
--
-- Categories the partnership buys piecemeal: several bodies, each from its own suppliers. Per
-- ProClass code (as the spend cube): the bodies buying, the supplier entities, the combined GBP
-- spend, how much of it the top supplier and the top three take, the concentration index
-- (Herfindahl-Hirschman: Σ of the suppliers' squared percentage shares; 10,000 is one supplier,
-- the lower the more fragmented) and each body's spend and suppliers. Only named suppliers (a
-- redacted payee cannot be counted as a supplier) and only the months each body was a member
-- (int_body_months); "…_at_common_threshold" counts documents whose absolute net total reaches
-- the month's common threshold (the highest publishing threshold among the bodies compared).

with

-- read twice (categories and their labels): not worth holding 10M lines in memory
spend as not materialized (
  select body_id, invoice_id, supplier_entity_id, spend_month, currency, net_amount,
    document_net_amount, proclass_code, proclass_level1, proclass_level2
  from int_spend_classified as lines
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = lines.body_id and (outside.excluded_after is null or lines.spend_date > outside.excluded_after)
),

member_months as (
  select body_id, spend_month, common_threshold from int_body_months
  -- only the months the body was a member of the partnership
  where is_member
),

entities as (
  select entity_id, entity_name from dim_supplier_entities
),

categorised as (
  select
    spend.body_id,
    spend.supplier_entity_id,
    spend.proclass_code,
    spend.net_amount as net_total,
    -- thresholds apply to a payment: the document's whole net total
    abs(spend.document_net_amount) >= member_months.common_threshold as at_common_threshold
  from spend
  inner join member_months using (body_id, spend_month)
  -- named suppliers, in GBP, in a ProClass category (spend in none cannot be compared by category)
  where spend.supplier_entity_id is not null
    and spend.currency = 'GBP'
    and spend.proclass_code is not null
),

by_body_and_supplier as (
  -- the smallest grain both views below need, so the line-level rows are read once
  select
    proclass_code,
    body_id,
    supplier_entity_id,
    sum(net_total) as net_total,
    coalesce(sum(net_total) filter (where at_common_threshold), 0) as net_total_at_common_threshold
  from categorised
  group by all
),

per_supplier as (
  select
    proclass_code,
    supplier_entity_id,
    sum(net_total) as net_total,
    sum(net_total_at_common_threshold) as net_total_at_common_threshold
  from by_body_and_supplier
  group by all
),

per_body as (
  select
    proclass_code,
    body_id,
    sum(net_total) as net_total,
    count(*) as supplier_entities
  from by_body_and_supplier
  group by all
),

labels as (
  select proclass_code, any_value(proclass_level1) as proclass_level1, any_value(proclass_level2) as proclass_level2
  from spend
  where proclass_code is not null
  group by proclass_code
),

suppliers as (
  select
    proclass_code,
    count(*) as supplier_entities,
    sum(net_total) as combined_net_total,
    sum(net_total_at_common_threshold) as combined_net_total_at_common_threshold,
    arg_max(supplier_entity_id, net_total) as top_supplier_entity_id,
    max(net_total) as top_supplier_net_total
  from per_supplier
  group by proclass_code
),

ranked_suppliers as (
  select
    per_supplier.proclass_code,
    per_supplier.net_total,
    row_number() over (partition by per_supplier.proclass_code order by per_supplier.net_total desc, per_supplier.supplier_entity_id) as supplier_rank,
    100 * per_supplier.net_total / nullif(suppliers.combined_net_total, 0) as share_percent
  from per_supplier
  inner join suppliers using (proclass_code)
),

concentration as (
  select
    proclass_code,
    sum(net_total) filter (where supplier_rank <= 3) as top_3_net_total,
    sum(share_percent * share_percent) as hhi
  from ranked_suppliers
  group by proclass_code
),

bodies as (
  select
    proclass_code,
    count(*) as bodies,
    list({'body_id': body_id, 'net_total': net_total, 'supplier_entities': supplier_entities} order by net_total desc, body_id) as body_split
  from per_body
  group by proclass_code
),

final as (
  select
    suppliers.proclass_code,
    labels.proclass_level1,
    labels.proclass_level2,
    bodies.bodies,
    suppliers.supplier_entities,
    suppliers.combined_net_total,
    suppliers.combined_net_total_at_common_threshold,
    suppliers.top_supplier_entity_id,
    entities.entity_name as top_supplier_name,
    round(100 * suppliers.top_supplier_net_total / nullif(suppliers.combined_net_total, 0), 1) as top_supplier_share_percent,
    round(100 * concentration.top_3_net_total / nullif(suppliers.combined_net_total, 0), 1) as top_3_suppliers_share_percent,
    round(concentration.hhi)::integer as supplier_concentration_hhi,
    bodies.body_split
  from suppliers
  inner join bodies using (proclass_code)
  inner join concentration using (proclass_code)
  left join labels using (proclass_code)
  left join entities on entities.entity_id = suppliers.top_supplier_entity_id
  -- fragmented: bought by several bodies, from more than one supplier
  where bodies.bodies >= 2
    and suppliers.supplier_entities >= 2
)

select * from final

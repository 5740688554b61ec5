-- grain: one row per supplier entity used by two or more bodies, per body (entity_id, body_id)
-- depends on: int_spend_lines, int_body_months, dim_supplier_entities, int_outside_partnership
--
-- Suppliers the partnership shares: each body's GBP spend with the entity beside the combined
-- figure. Fair comparison: only the months each body was a member (int_body_months); the
-- "…_at_common_threshold" figures count only documents whose absolute net total reaches the
-- month's common threshold (the highest publishing threshold among the bodies compared), so a
-- body publishing every payment is not made to look bigger than one publishing from £500.

with

spend as (
  select body_id, invoice_id, supplier_entity_id, spend_month, currency, net_amount, document_net_amount
  from int_spend_lines as lines
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = lines.body_id and (outside.excluded_after is null or lines.spend_date > outside.excluded_after)
),

body_months as (
  select body_id, spend_month, common_threshold from int_body_months
  -- only the months the body was a member of the partnership
  where is_member
),

entities as (
  select entity_id, entity_name from dim_supplier_entities
),

member_lines as (
  select
    spend.supplier_entity_id as entity_id,
    spend.body_id,
    spend.invoice_id,
    spend.net_amount,
    -- the threshold applies to a payment: the document's whole net total
    abs(spend.document_net_amount) >= body_months.common_threshold as at_common_threshold
  from spend
  inner join body_months using (body_id, spend_month)
  -- named suppliers only, in GBP
  where spend.supplier_entity_id is not null
    and spend.currency = 'GBP'
),

per_body as (
  select
    entity_id,
    body_id,
    sum(net_amount) as body_net_total,
    count(distinct invoice_id) as body_documents,
    coalesce(sum(net_amount) filter (where at_common_threshold), 0) as body_net_total_at_common_threshold
  from member_lines
  group by all
),

shared as (
  select
    entity_id,
    count(*) as bodies,
    sum(body_net_total) as combined_net_total,
    sum(body_net_total_at_common_threshold) as combined_net_total_at_common_threshold
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
    round(100 * per_body.body_net_total / nullif(shared.combined_net_total, 0), 1) as body_share_percent,
    shared.combined_net_total_at_common_threshold,
    per_body.body_net_total_at_common_threshold
  from shared
  inner join per_body using (entity_id)
  inner join entities using (entity_id)
)

select * from final

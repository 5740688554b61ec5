-- grain: one row per registered body (body_id)
-- depends on: stg_invoices, int_outside_partnership
--
-- How current each body's data is: its latest spend date, when its latest documents were
-- ingested, and the months it has sent.

with

bodies as (
  select body_id, name, status, joined_on from bodies
  -- a prospective body is not in the partnership's figures (int_outside_partnership)
  where body_id not in (select body_id from int_outside_partnership where excluded_after is null)
),

invoices as (
  select body_id, spend_date, ingest_batch_id from stg_invoices as invoices
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = invoices.body_id and (outside.excluded_after is null or invoices.spend_date > outside.excluded_after)
),

batches as (
  select ingest_batch_id, committed_at from ingest_batches
),

per_body as (
  select
    invoices.body_id,
    count(*) as documents,
    min(invoices.spend_date) as first_spend_date,
    max(invoices.spend_date) as last_spend_date,
    count(distinct date_trunc('month', invoices.spend_date)) as months_with_spend,
    max(batches.committed_at) as last_ingested_at
  from invoices
  left join batches using (ingest_batch_id)
  group by all
),

final as (
  select
    bodies.body_id,
    bodies.name,
    bodies.status,
    bodies.joined_on,
    coalesce(per_body.documents, 0) as documents,
    per_body.first_spend_date,
    per_body.last_spend_date,
    per_body.months_with_spend,
    per_body.last_ingested_at,
    datediff('day', per_body.last_spend_date, current_date) as days_since_last_spend
  from bodies
  left join per_body using (body_id)
)

select * from final

-- grain: one row per current purchase order (body_id, po_number)
-- depends on: none
-- sources: purchase_orders
-- materialised: incremental by purchase-order

with

order_versions as (
  select * from src_purchase_orders
),

ranked as (
  select
    *,
    row_number() over (partition by body_id, po_number order by kafka_offset desc) as version_rank
  from order_versions
),

final as (
  select
    body_id,
    po_number,
    supplier_name,
    supplier_ref,
    supplier_vat_number,
    supplier_company_number,
    supplier_charity_number,
    coalesce(supplier_redacted, false) as supplier_redacted,
    order_date,
    currency,
    status,
    contract_ref,
    description,
    total_net,
    topic,
    kafka_partition,
    kafka_offset,
    ingest_batch_id
  from ranked
  -- the latest version of each order only
  where version_rank = 1
    -- a retraction (tombstone, e.g. a cancelled order) removes the order
    and not retracted
)

select * from final

-- grain: one row per current invoice or credit note (body_id, invoice_id)
-- depends on: none
-- sources: invoices
-- materialised: incremental by invoice
--
-- The current version of each invoice document: the latest message for a key wins and a
-- tombstone removes the document (the same rule as the current_invoices view).

with

invoice_versions as (
  select * from src_invoices
),

ranked as (
  select
    *,
    row_number() over (partition by body_id, invoice_id order by kafka_offset desc) as version_rank
  from invoice_versions
),

final as (
  select
    body_id,
    invoice_id,
    document_type,
    supplier_name,
    supplier_ref,
    supplier_vat_number,
    supplier_company_number,
    supplier_charity_number,
    coalesce(supplier_redacted, false) as supplier_redacted,
    invoice_date,
    payment_date,
    coalesce(invoice_date, payment_date) as spend_date,
    currency,
    net_amount,
    vat_amount,
    po_number,
    contract_ref,
    description,
    expense_type,
    service_area,
    cost_centre,
    category_scheme,
    category_code,
    category_label,
    upload_id,
    source_file,
    source_row,
    topic,
    kafka_partition,
    kafka_offset,
    ingest_batch_id
  from ranked
  -- the latest version of each document only
  where version_rank = 1
    -- a retraction (tombstone) removes the document
    and not retracted
)

select * from final

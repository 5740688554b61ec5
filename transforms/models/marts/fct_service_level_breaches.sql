-- grain: one row per document explaining a body's breached month (measure, body_id, month, document_kind, document_id)
-- depends on: fct_service_levels, int_service_level_invoices
--
-- Why a body missed a contractual target in a month (docs/partnership.md): the documents that
-- pulled the figure down. Days to pay: the invoices paid that month that took longer than the
-- target average; paid within 30 (10) days: those (small suppliers') invoices paid later; PO and
-- contract spend: the GBP invoices without a PO / contract reference; e-invoices: the invoices
-- that came another way; clean uploads: the uploads with rejections or that failed.

with

breached as (
  select measure, body_id, month, contract_year, value, contractual
  from fct_service_levels
  where scope = 'body' and breach
),

documents as (
  select
    *,
    case when days_to_pay >= 0 then days_to_pay end as days,
    date_trunc('month', coalesce(payment_date, invoice_date))::date as payment_month,
    date_trunc('month', spend_date)::date as spend_month
  from int_service_level_invoices
  where document_type = 'invoice'
),

late as (
  select breached.*, documents.*, 'paid after ' || documents.days || ' days' as reason
  from breached
  inner join documents on documents.body_id = breached.body_id and documents.payment_month = breached.month
  where (breached.measure = 'days_to_pay' and documents.days > breached.contractual)
     or (breached.measure = 'paid_within_30_days_pct' and documents.days > 30)
     or (breached.measure = 'small_suppliers_paid_within_10_days_pct' and documents.small_supplier and documents.days > 10)
),

off_target_spend as (
  select
    breached.*,
    documents.*,
    case breached.measure
      when 'po_spend_pct' then 'no purchase order'
      when 'contract_spend_pct' then 'no contract reference'
      else 'received as ' || documents.channel
    end as reason
  from breached
  inner join documents on documents.body_id = breached.body_id and documents.spend_month = breached.month
  where (breached.measure = 'po_spend_pct' and documents.currency = 'GBP' and documents.po_number is null)
     or (breached.measure = 'contract_spend_pct' and documents.currency = 'GBP' and documents.contract_ref is null)
     or (breached.measure = 'e_invoice_pct' and documents.channel <> 'e-invoice')
),

invoice_rows as (
  select
    measure, body_id, month, contract_year, value, contractual,
    'invoice' as document_kind, invoice_id as document_id, supplier_name, invoice_date, payment_date,
    days as days_to_pay, currency, net_amount, reason
  from late
  union all
  select
    measure, body_id, month, contract_year, value, contractual,
    'invoice', invoice_id, supplier_name, invoice_date, payment_date,
    days, currency, net_amount, reason
  from off_target_spend
),

upload_rows as (
  select
    breached.measure, breached.body_id, breached.month, breached.contract_year, breached.value, breached.contractual,
    'upload' as document_kind, uploads.upload_id as document_id, null::varchar as supplier_name,
    null::date as invoice_date, null::date as payment_date, null::bigint as days_to_pay,
    null::varchar as currency, null::decimal(18, 2) as net_amount,
    uploads.file_name || ': ' || uploads.status || ', ' || coalesce(uploads.rejected, 0) || ' rows rejected' as reason
  from breached
  inner join uploads
    on uploads.body_id = breached.body_id and date_trunc('month', uploads.created_at)::date = breached.month
  where breached.measure = 'clean_uploads_pct'
    and uploads.status in ('uploaded', 'partial', 'failed')
    and (uploads.status <> 'uploaded' or coalesce(uploads.rejected, 0) > 0)
),

final as (
  select * from invoice_rows
  union all
  select * from upload_rows
)

select * from final

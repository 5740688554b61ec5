-- grain: one row per measure × body × month with anything to measure (measure, body_id, month)
-- depends on: int_service_level_invoices, int_savings_agreement, int_outside_partnership
--
-- Each service level's numerator and denominator for a body and month (docs/partnership.md), and
-- how many rows counted and how many were left out because they lack what the measure needs:
-- - days_to_pay, paid_within_30_days_pct: invoices (not credit notes) with both an invoice and a
--   payment date, the payment on or after the invoice, in the month paid; an invoice without one
--   of the dates is left out, in the month of the date it has;
-- - small_suppliers_paid_within_10_days_pct: the same, for suppliers a contract notice says are
--   small (int_supplier_sizes); suppliers of unknown size are not in it at all;
-- - po_spend_pct, contract_spend_pct: GBP invoice spend citing a PO / a contract reference over all
--   GBP invoice spend, in the month of the document's date; other currencies are left out;
-- - e_invoice_pct: invoices received as Peppol/UBL e-invoices over all invoices;
-- - clean_uploads_pct: finished uploads (uploaded, partial, failed) reconciled with no rejection
--   (uploaded, none rejected), in the month uploaded; duplicates of an earlier upload are not
--   uploads of their own, unfinished ones are left out.

with

documents as (
  select * from int_service_level_invoices
  -- a credit note is not a purchase and is not paid on terms
  where document_type = 'invoice'
),

agreement as (
  select load_id, start_date, end_date, year_start_month from int_savings_agreement
),

members as (
  select savings_agreement_bodies.body_id, savings_agreement_bodies.joined_on, savings_agreement_bodies.left_on
  from savings_agreement_bodies
  semi join agreement using (load_id)
),

payments as (
  select
    body_id,
    small_supplier,
    -- a payment dated before its invoice is not a time to pay
    case when days_to_pay >= 0 then days_to_pay end as days,
    date_trunc('month', coalesce(payment_date, invoice_date))::date as month
  from documents
),

spend as (
  select body_id, currency, net_amount, po_number, contract_ref, channel, date_trunc('month', spend_date)::date as month
  from documents
),

member_uploads as (
  select uploads.body_id, uploads.status, uploads.rejected, date_trunc('month', uploads.created_at)::date as month
  from uploads
  inner join members using (body_id)
  cross join agreement
  -- prospective bodies, and leavers after their last day, stay out of partnership figures
  anti join int_outside_partnership as outside
    on outside.body_id = uploads.body_id and (outside.excluded_after is null or uploads.created_at::date > outside.excluded_after)
  -- a later upload of the same file is no upload of its own
  where uploads.status <> 'duplicate'
    and uploads.created_at::date >= members.joined_on
    and (members.left_on is null or uploads.created_at::date <= members.left_on)
    and uploads.created_at::date >= agreement.start_date
    and uploads.created_at::date < agreement.end_date
),

measured as (
  select 'days_to_pay' as measure, body_id, month,
         coalesce(sum(days), 0) as numerator, count(days) as denominator,
         count(days) as rows_counted, count(*) - count(days) as rows_excluded
  from payments group by all
  union all
  select 'paid_within_30_days_pct', body_id, month,
         count(*) filter (where days <= 30), count(days), count(days), count(*) - count(days)
  from payments group by all
  union all
  select 'small_suppliers_paid_within_10_days_pct', body_id, month,
         count(*) filter (where days <= 10), count(days), count(days), count(*) - count(days)
  from payments where small_supplier group by all
  union all
  select 'po_spend_pct', body_id, month,
         coalesce(sum(net_amount) filter (where currency = 'GBP' and po_number is not null), 0),
         coalesce(sum(net_amount) filter (where currency = 'GBP'), 0),
         count(*) filter (where currency = 'GBP'), count(*) filter (where currency is distinct from 'GBP')
  from spend group by all
  union all
  select 'contract_spend_pct', body_id, month,
         coalesce(sum(net_amount) filter (where currency = 'GBP' and contract_ref is not null), 0),
         coalesce(sum(net_amount) filter (where currency = 'GBP'), 0),
         count(*) filter (where currency = 'GBP'), count(*) filter (where currency is distinct from 'GBP')
  from spend group by all
  union all
  select 'e_invoice_pct', body_id, month,
         count(*) filter (where channel = 'e-invoice'), count(*), count(*), 0
  from spend group by all
  union all
  select 'clean_uploads_pct', body_id, month,
         count(*) filter (where status = 'uploaded' and coalesce(rejected, 0) = 0),
         count(*) filter (where status in ('uploaded', 'partial', 'failed')),
         count(*) filter (where status in ('uploaded', 'partial', 'failed')),
         count(*) filter (where status not in ('uploaded', 'partial', 'failed'))
  from member_uploads group by all
),

final as (
  select
    measured.measure,
    measured.body_id,
    measured.month,
    -- contract years are named by the calendar year they start in
    (year(measured.month) - case when month(measured.month) < agreement.year_start_month then 1 else 0 end)::integer as contract_year,
    measured.numerator::decimal(38, 2) as numerator,
    measured.denominator::decimal(38, 2) as denominator,
    measured.rows_counted,
    measured.rows_excluded
  from measured
  cross join agreement
)

select * from final

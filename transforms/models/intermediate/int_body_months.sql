-- grain: one row per body × month with spend (body_id, spend_month)
-- depends on: stg_invoices
--
-- What a fair comparison across bodies needs for each month a body has spend in:
-- - is_member: the body had joined the partnership by the end of the month and had not left
--   before it began (the opt-in register: joined_on ≤ month end, left_on null or ≥ month start);
--   a prospective body, one without a joining date and one not registered are not members.
-- - publishing_threshold: the amount its spend for the month is published from: the highest
--   threshold among the uploads that brought its current documents for the month (an upload
--   from before thresholds were recorded counts as the body's registered one, else 0);
--   documents not uploaded (feeds, e-invoicing) carry everything (0).
-- - common_threshold: the highest publishing threshold among the member bodies with spend in
--   the month: the amount from which every compared body published everything. Cross-body marts
--   give their figures at it too ("…_at_common_threshold"), counting documents whose absolute
--   net total reaches it (net ≤ gross, so a body applying its threshold to gross amounts has
--   published every such document too).

with

invoices as (
  select body_id, date_trunc('month', spend_date)::date as spend_month, upload_id
  from stg_invoices
  -- a document without a date belongs to no month (it is compared nowhere)
  where spend_date is not null
),

uploads as (
  select upload_id, publishing_threshold from uploads
),

register as (
  select body_id, status, joined_on, left_on, publishing_threshold from bodies
),

month_documents as (
  select
    invoices.body_id,
    invoices.spend_month,
    count(*) as documents,
    count(invoices.upload_id) as uploaded_documents,
    -- an upload without a recorded threshold (before they were recorded) stands for the register's
    max(coalesce(uploads.publishing_threshold, register.publishing_threshold, 0)) filter (
      where invoices.upload_id is not null
    ) as uploaded_threshold
  from invoices
  left join uploads using (upload_id)
  left join register using (body_id)
  group by all
),

membership as (
  select
    month_documents.*,
    coalesce(
      register.status <> 'prospective'
        and register.joined_on <= last_day(month_documents.spend_month)
        and (register.left_on is null or register.left_on >= month_documents.spend_month),
      false
    ) as is_member,
    coalesce(month_documents.uploaded_threshold, 0)::decimal(18, 2) as publishing_threshold
  from month_documents
  left join register using (body_id)
),

final as (
  select
    body_id,
    spend_month,
    is_member,
    publishing_threshold,
    -- the highest threshold among the members compared in the month (non-members: their own)
    case
      when is_member then max(publishing_threshold) filter (where is_member) over (partition by spend_month)
      else publishing_threshold
    end as common_threshold,
    documents,
    uploaded_documents
  from membership
)

select * from final

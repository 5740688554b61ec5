-- grain: one row per current invoice or credit note of an agreement body while a member (body_id, invoice_id)
-- depends on: stg_invoices, int_supplier_matches, int_supplier_sizes, int_savings_agreement, int_outside_partnership
--
-- What the service levels read of each document (docs/partnership.md): its dates and days from
-- invoice to payment (null unless it carries both dates), whether it cites a purchase order and a
-- contract reference, how it arrived (an e-invoice: a Peppol/UBL upload; a file: a CSV, TSV or
-- XLSX upload; a feed: sent straight to the topic), and whether its supplier is small, large or
-- of unknown size. Only the bodies of the agreement in force count, while members (joined, not yet
-- left, by the document's date) and within the term; a body the register keeps out of partnership
-- figures (prospective, or after its last day: int_outside_partnership) never counts.

with

invoices as (
  select stg_invoices.*
  from stg_invoices
  -- prospective bodies, and leavers after their last day, stay out of partnership figures
  anti join int_outside_partnership as outside
    on outside.body_id = stg_invoices.body_id
    and (outside.excluded_after is null or stg_invoices.spend_date > outside.excluded_after)
),

agreement as (
  select load_id, start_date, end_date from int_savings_agreement
),

members as (
  select savings_agreement_bodies.body_id, savings_agreement_bodies.joined_on, savings_agreement_bodies.left_on
  from savings_agreement_bodies
  semi join agreement using (load_id)
),

matches as (
  select body_id, supplier_name, entity_id from int_supplier_matches
),

sizes as (
  select entity_id, small from int_supplier_sizes
),

upload_formats as (
  select upload_id, format from uploads
),

final as (
  select
    invoices.body_id,
    invoices.invoice_id,
    invoices.document_type,
    invoices.supplier_name,
    matches.entity_id as supplier_entity_id,
    sizes.small as small_supplier,
    invoices.invoice_date,
    invoices.payment_date,
    invoices.spend_date,
    invoices.currency,
    invoices.net_amount,
    -- only a document carrying both dates has a time to pay
    date_diff('day', invoices.invoice_date, invoices.payment_date) as days_to_pay,
    invoices.po_number,
    invoices.contract_ref,
    case
      when invoices.upload_id is null then 'feed'
      when upload_formats.format like 'peppol%' then 'e-invoice'
      else 'file'
    end as channel,
    invoices.upload_id,
    invoices.source_file,
    invoices.source_row
  from invoices
  inner join members using (body_id)
  cross join agreement
  left join matches using (body_id, supplier_name)
  left join sizes on sizes.entity_id = matches.entity_id
  left join upload_formats on upload_formats.upload_id = invoices.upload_id
  -- a member on the document's date, within the term
  where invoices.spend_date >= members.joined_on
    and (members.left_on is null or invoices.spend_date <= members.left_on)
    and invoices.spend_date >= agreement.start_date
    and invoices.spend_date < agreement.end_date
)

select * from final

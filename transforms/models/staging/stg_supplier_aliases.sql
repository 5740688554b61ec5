-- grain: one row per raw supplier name per body (body_id, supplier_name)
-- depends on: stg_invoices, stg_purchase_orders
--
-- Every supplier name exactly as it arrived (trailing spaces and NBSP kept), with the
-- identifiers sent alongside it: the input of supplier resolution.

with

invoice_suppliers as (
  select
    body_id,
    supplier_name,
    supplier_vat_number,
    supplier_company_number,
    supplier_charity_number,
    supplier_redacted,
    net_amount,
    currency
  from stg_invoices
),

order_suppliers as (
  select
    body_id,
    supplier_name,
    supplier_vat_number,
    supplier_company_number,
    supplier_charity_number,
    supplier_redacted,
    null::decimal(18, 2) as net_amount,
    currency
  from stg_purchase_orders
),

documents as (
  select * from invoice_suppliers
  union all
  select * from order_suppliers
),

final as (
  select
    body_id,
    supplier_name,
    coalesce(list_sort(list(distinct supplier_vat_number) filter (where supplier_vat_number is not null)), []) as vat_numbers,
    coalesce(list_sort(list(distinct supplier_company_number) filter (where supplier_company_number is not null)), []) as company_numbers,
    coalesce(list_sort(list(distinct supplier_charity_number) filter (where supplier_charity_number is not null)), []) as charity_numbers,
    bool_or(supplier_redacted) as redacted,
    count(*) as documents,
    coalesce(sum(net_amount) filter (where currency = 'GBP'), 0) as gbp_net_total
  from documents
  -- a document without a supplier name has nothing to resolve
  where supplier_name is not null
  group by body_id, supplier_name
)

select * from final

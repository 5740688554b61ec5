-- grain: one row per pair of invoices that look like one payment made twice (body_id, first_invoice_id, second_invoice_id, second_body_id)
-- depends on: stg_invoices, int_supplier_matches
-- materialised: incremental by key (currency, abs(net_amount))
--
-- Candidates: two current invoices to the same supplier entity, in the same currency and for
-- the same amount, either (within a body) dated at most 14 days apart or with invoice numbers
-- that differ only by punctuation or leading zeros (INV-104562 / INV104562, 00104562 / 104562),
-- or (across bodies) with such similar numbers. A pair already reversed by a credit note (same
-- body, supplier and amount, dated up to 90 days after the later one was paid) is left out.
-- Incremental: a pair and its reversal share a currency and an amount, so only the amounts of
-- the invoices the run changed (before and after) are paired again (fct_duplicate_payments.keys.sql);
-- delta_stg_invoices holds the invoices of those amounts. A change of supplier entities (the
-- resolver) rebuilds it in full.

with

invoices as (
  select * from delta_stg_invoices
),

matches as (
  select body_id, supplier_name, entity_id from int_supplier_matches
),

payments as (
  select
    invoices.body_id,
    invoices.invoice_id,
    matches.entity_id,
    invoices.currency,
    invoices.net_amount,
    invoices.spend_date,
    invoices.invoice_date,
    invoices.payment_date,
    invoices.document_type,
    -- the invoice number without punctuation, case or leading zeros
    ltrim(regexp_replace(upper(invoices.invoice_id), '[^A-Z0-9]', '', 'g'), '0') as number_key
  from invoices
  inner join matches using (body_id, supplier_name)
  -- a redacted payee is not a supplier: its payments cannot be compared
  where matches.entity_id is not null
),

paid as (
  select * from payments where document_type = 'invoice' and net_amount > 0
),

credits as (
  select * from payments where document_type = 'credit-note'
),

pairs as (
  select
    a.body_id,
    a.invoice_id as first_invoice_id,
    b.body_id as second_body_id,
    b.invoice_id as second_invoice_id,
    a.entity_id,
    a.currency,
    a.net_amount,
    a.spend_date as first_date,
    b.spend_date as second_date,
    greatest(b.invoice_date, b.payment_date) as second_last_date,
    case
      when a.number_key = b.number_key then 'similar invoice numbers'
      else 'same amount within 14 days'
    end as evidence
  from paid as a
  inner join paid as b
    on a.entity_id = b.entity_id
    and a.currency = b.currency
    and a.net_amount = b.net_amount
    -- each pair once: the earlier first (ties by body and number)
    and (a.spend_date, a.body_id, a.invoice_id) < (b.spend_date, b.body_id, b.invoice_id)
  where a.number_key = b.number_key
    or (
      a.body_id = b.body_id
      and least(
        abs(datediff('day', a.spend_date, b.spend_date)),
        coalesce(abs(datediff('day', a.payment_date, b.payment_date)), 9999),
        coalesce(abs(datediff('day', a.invoice_date, b.invoice_date)), 9999)
      ) <= 14
    )
),

reversals as (
  select
    pairs.body_id,
    pairs.first_invoice_id,
    pairs.second_invoice_id,
    min(credits.invoice_id) as credit_note_id
  from pairs
  inner join credits
    on credits.body_id = pairs.second_body_id
    and credits.entity_id = pairs.entity_id
    and credits.currency = pairs.currency
    and credits.net_amount = -pairs.net_amount
    and credits.spend_date between pairs.second_date and pairs.second_last_date + interval 90 day
  group by all
),

final as (
  select pairs.* exclude (second_last_date)
  from pairs
  -- leave out pairs already put right by a credit note
  anti join reversals using (body_id, first_invoice_id, second_invoice_id)
)

select * from final

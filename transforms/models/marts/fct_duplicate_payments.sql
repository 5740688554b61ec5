-- grain: one row per pair of invoices that look like one payment made twice (body_id, first_invoice_id, second_invoice_id, second_body_id)
-- depends on: stg_invoices, int_supplier_matches, int_outside_partnership
-- materialised: incremental by key (currency, abs(net_amount))
--
-- Candidates: two current invoices to the same supplier entity, in the same currency and for
-- the same amount, with invoice numbers alike (in any bodies: they differ only by punctuation,
-- case, leading zeros or one letter added after the digits: INV-104562 / INV104562, 00104562 /
-- 104562, IN104562 / IN104562A), or (within a body) dated at most 14 days apart, but not exactly
-- one or two weeks apart, when the body paid the supplier that amount no more than twice. Three
-- or more payments of one amount to one supplier, or two a week or a fortnight apart, are a
-- schedule (weekly care, fortnightly placements, monthly rent): only alike numbers count there.
-- A pair already reversed by a credit note (same body, supplier and amount, dated up to 90 days
-- after the later one was paid) is left out.
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
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = invoices.body_id and (outside.excluded_after is null or invoices.spend_date > outside.excluded_after)
  -- a redacted payee is not a supplier: its payments cannot be compared
  where matches.entity_id is not null
),

paid as (
  select
    *,
    -- the number without one letter added after its digits (IN104562A → IN104562)
    regexp_replace(number_key, '([0-9])[A-Z]$', '\1') as number_stem,
    -- how often the body paid the supplier this amount: three or more times is a schedule
    count(*) over (partition by body_id, entity_id, currency, net_amount) as times_paid
  from payments
  where document_type = 'invoice' and net_amount > 0
),

credits as (
  select * from payments where document_type = 'credit-note'
),

same_amount as (
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
    a.number_key in (b.number_key, b.number_stem) or b.number_key = a.number_stem as similar_numbers,
    a.body_id = b.body_id and a.times_paid <= 2 as same_body_not_a_schedule,
    -- the days between them, by the closest of their dates
    least(
      abs(datediff('day', a.spend_date, b.spend_date)),
      coalesce(abs(datediff('day', a.payment_date, b.payment_date)), 9999),
      coalesce(abs(datediff('day', a.invoice_date, b.invoice_date)), 9999)
    ) as days_apart
  from paid as a
  inner join paid as b
    on a.entity_id = b.entity_id
    and a.currency = b.currency
    and a.net_amount = b.net_amount
    -- each pair once: the earlier first (ties by body and number)
    and (a.spend_date, a.body_id, a.invoice_id) < (b.spend_date, b.body_id, b.invoice_id)
),

pairs as (
  select
    * exclude (similar_numbers, same_body_not_a_schedule, days_apart),
    case when similar_numbers then 'similar invoice numbers' else 'same amount within 14 days' end as evidence
  from same_amount
  where similar_numbers
    or (
      same_body_not_a_schedule
      and days_apart <= 14
      -- exactly one or two weeks apart: the next run of a weekly or fortnightly schedule
      and days_apart not in (7, 14)
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

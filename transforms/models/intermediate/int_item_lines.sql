-- grain: one row per spend line (body_id, invoice_id, line_no)
-- depends on: int_spend_lines, int_item_description_matches
-- materialised: incremental by invoice
--
-- Every spend line with its item identity and its unit in UN/ECE Recommendation 20 terms
-- (docs/transforms.md#price-comparison-like-with-like).
-- Identity (item_scheme, item_key), the first that applies:
-- 1. gtin: a standard id of scheme 0160 (or "GTIN") of 8–14 digits, written as 14 (GTIN-13
--    5012345678900 and GTIN-14 05012345678900 are one item); standard:<scheme>: any other
--    stated standard scheme, or a GTIN that is not 8–14 digits;
-- 2. seller: the supplier entity's own code (sellersItemCode, or an itemCode whose owner is not
--    stated: on an invoice the supplier wrote it): compared across bodies, never across
--    suppliers; a redacted payee has no entity, so its codes are compared within the body only;
-- 3. buyer: the body's own code (buyersItemCode; or a seller's code of a redacted payee):
--    compared within that body only;
-- 4. description: a description match an analyst confirmed (int_item_description_matches,
--    item_match_decisions) for a variant the analyst saw;
-- 5. none: the line does not enter price comparison (fct_item_coverage counts its spend).
-- Unit: the line's unit text is looked up (upper case, single spaces) in the free-text forms,
-- else as a Rec 20 code; "BOX OF 12", "BX12" and "12 X BOX" state a pack, "5KG" an amount. A
-- packaging unit (box, pack, case…) holds pack_quantity (or the amount in its text) of
-- pack_unit (default: each). The line's content_unit is what one unit holds, content_amount how
-- many; unit_key is the content unit's dimension (count, mass, volume…), so lines in grams and
-- kilograms, or in boxes of 12 and each, are compared. A unit that cannot be normalised keeps
-- unit_key "text:<UNIT AS WRITTEN>" and unit_normalised false: it is compared only with the
-- same text.
-- Incremental: each row is one line's own with lookups (seeds and analysts' match decisions, whose
-- change rebuilds it in full): the changed invoices' lines (delta_int_spend_lines,
-- delta_int_item_description_matches).

with

spend as (
  select
    body_id, invoice_id, line_no, spend_date, spend_month, document_type, currency, supplier_entity_id,
    line_proclass_code, item_code, standard_item_scheme, standard_item_id, sellers_item_code,
    buyers_item_code, description, quantity, unit, unit_price, net_amount, document_net_amount,
    pack_quantity, pack_unit
  from delta_int_spend_lines
),

forms as (
  select upper(trim(form)) as form, code from seed_unit_forms
),

units as (
  select code, dimension, factor_to_base::decimal(38, 12) as factor_to_base from seed_rec20_units
),

decisions as (
  -- the latest decision on each match
  select match_id, decision, variants
  from item_match_decisions
  qualify row_number() over (partition by match_id order by decided_at desc, decision desc) = 1
),

confirmed as (
  select matches.body_id, matches.invoice_id, matches.line_no, matches.match_id
  from delta_int_item_description_matches as matches
  inner join decisions using (match_id)
  where decisions.decision = 'confirm' and list_contains(decisions.variants, matches.variant)
),

identified as (
  select
    spend.*,
    upper(trim(spend.standard_item_scheme)) as std_scheme,
    trim(spend.standard_item_id) as std_id,
    -- an invoice's item code whose owner is not stated is the seller's: the supplier wrote it
    nullif(trim(coalesce(spend.sellers_item_code, spend.item_code)), '') as seller_code,
    nullif(trim(spend.buyers_item_code), '') as own_code,
    confirmed.match_id
  from spend
  left join confirmed using (body_id, invoice_id, line_no)
),

keyed as (
  select
    *,
    case
      when std_id is not null and std_scheme in ('0160', 'GTIN') and regexp_full_match(std_id, '[0-9]{8,14}') then 'gtin'
      when std_id is not null and std_scheme is not null then 'standard:' || std_scheme
      when seller_code is not null and supplier_entity_id is not null then 'seller'
      when coalesce(own_code, seller_code) is not null then 'buyer'
      when match_id is not null then 'description'
      else 'none'
    end as item_scheme
  from identified
),

-- units are parsed once per distinct way of writing them, not once per line
stated_units as (
  select distinct unit, pack_quantity, pack_unit from spend
),

parsed_units as (
  select
    *,
    -- the unit as written, upper case with single spaces
    nullif(regexp_replace(upper(trim(unit)), '\s+', ' ', 'g'), '') as unit_text
  from stated_units
),

split_units as (
  select
    *,
    -- a unit with a pack or an amount in its text: "BOX OF 12", "BX12", "12 X BOX", "5KG"
    regexp_extract(unit_text, '^([A-Z][A-Z ]*?) ?(?:OF |X )?([0-9]+(?:\.[0-9]+)?)$', ['word', 'amount']) as unit_tail,
    regexp_extract(unit_text, '^([0-9]+(?:\.[0-9]+)?) ?(?:X )?([A-Z][A-Z0-9 ]*)$', ['amount', 'word']) as unit_head
  from parsed_units
),

unit_words as (
  select
    *,
    coalesce(nullif(unit_tail.word, ''), nullif(unit_head.word, ''), unit_text) as unit_word,
    coalesce(nullif(unit_tail.amount, ''), nullif(unit_head.amount, ''))::decimal(18, 4) as amount_in_text
  from split_units
),

coded as (
  select
    unit_words.*,
    -- the whole text first ("C62", "M3" are codes, not C × 62), then the word beside an amount
    coalesce(whole_form.code, whole_code.code, word_form.code, word_code.code) as unit_code,
    coalesce(whole_form.code, whole_code.code) is null as amount_applies,
    coalesce(pack_form.code, pack_code.code, case when pack_unit is null then 'C62' end) as pack_code
  from unit_words
  left join forms as whole_form on whole_form.form = unit_words.unit_text
  left join units as whole_code on whole_code.code = unit_words.unit_text
  left join forms as word_form on word_form.form = unit_words.unit_word
  left join units as word_code on word_code.code = unit_words.unit_word
  left join forms as pack_form on pack_form.form = regexp_replace(upper(trim(unit_words.pack_unit)), '\s+', ' ', 'g')
  left join units as pack_code on pack_code.code = regexp_replace(upper(trim(unit_words.pack_unit)), '\s+', ' ', 'g')
),

dimensioned as (
  select
    coded.*,
    units.dimension as unit_dimension,
    case when coded.amount_applies then coded.amount_in_text end as stated_amount
  from coded
  left join units on units.code = coded.unit_code
),

contents as (
  select
    dimensioned.*,
    case when dimensioned.unit_dimension = 'package' then dimensioned.pack_code else dimensioned.unit_code end as content_unit,
    case
      when dimensioned.unit_dimension = 'package' then coalesce(case when dimensioned.pack_quantity > 0 then dimensioned.pack_quantity end, dimensioned.stated_amount)
      when dimensioned.unit_dimension is not null then coalesce(dimensioned.stated_amount, 1)
    end as content_amount
  from dimensioned
),

final as (
  select
    keyed.body_id,
    keyed.invoice_id,
    keyed.line_no,
    keyed.spend_date,
    keyed.spend_month,
    keyed.document_type,
    keyed.currency,
    keyed.supplier_entity_id,
    keyed.line_proclass_code,
    keyed.description,
    keyed.item_code,
    keyed.item_scheme,
    case keyed.item_scheme
      when 'gtin' then lpad(keyed.std_id, 14, '0')
      when 'seller' then keyed.supplier_entity_id || '|' || keyed.seller_code
      when 'buyer' then keyed.body_id || '|' || coalesce(keyed.own_code, keyed.seller_code)
      when 'description' then keyed.match_id
      when 'none' then null
      else keyed.std_id
    end as item_key,
    -- what to show for the item: the code the line gives, else its identifier
    coalesce(keyed.item_code, keyed.std_id, keyed.seller_code, keyed.own_code, keyed.description) as item_label,
    keyed.quantity,
    keyed.unit,
    keyed.unit_price,
    keyed.net_amount,
    keyed.document_net_amount,
    keyed.pack_quantity,
    coalesce(content_units.dimension <> 'package' and contents.content_amount > 0, false) as unit_normalised,
    case when unit_normalised then contents.content_unit end as content_unit,
    case when unit_normalised then contents.content_amount end as content_amount,
    case when unit_normalised then content_units.factor_to_base end as content_factor,
    case when unit_normalised then content_units.dimension else 'text:' || coalesce(contents.unit_text, '') end as unit_key
  from keyed
  left join contents
    on contents.unit is not distinct from keyed.unit
    and contents.pack_quantity is not distinct from keyed.pack_quantity
    and contents.pack_unit is not distinct from keyed.pack_unit
  left join units as content_units on content_units.code = contents.content_unit
)

select * from final

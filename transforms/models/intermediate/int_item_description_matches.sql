-- grain: one row per description-only spend line of a named supplier (body_id, invoice_id, line_no)
-- depends on: int_spend_lines, int_outside_partnership
-- materialised: incremental by invoice
--
-- Description matching, as a suggestion (docs/transforms.md#price-comparison-like-with-like): a
-- line with no item code of any kind, of a known supplier entity, is put with the lines of the
-- same supplier entity and category whose descriptions are near-identical: the same normalised
-- tokens (upper case, punctuation dropped, "500 ml" written "500ML", a plural's S dropped, and
-- OF, THE, AND, WITH, FOR, A, IN, X left out), so the numbers and sizes are equal too. Such lines
-- share a match_id; whether they are one item is for an analyst (fct_item_match_suggestions,
-- `spend items confirm|split`). The variant is the description as normalised text, in order:
-- a confirmation covers the variants the analyst saw.
-- Incremental: each row is one line's own (delta_int_spend_lines); a change to who is outside the
-- partnership (the bodies register) rebuilds it in full.

with

lines as (
  select body_id, invoice_id, line_no, supplier_entity_id, line_proclass_code, description
  from delta_int_spend_lines as spend
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = spend.body_id and (outside.excluded_after is null or spend.spend_date > outside.excluded_after)
  where item_code is null
    and standard_item_id is null
    and sellers_item_code is null
    and buyers_item_code is null
    and supplier_entity_id is not null
    and nullif(trim(description), '') is not null
),

normalised as (
  select
    *,
    -- upper case, punctuation out (a decimal point stays), a number glued to its size unit
    trim(regexp_replace(
      regexp_replace(
        regexp_replace(upper(description), '([0-9])\.([0-9])', '\1·\2', 'g'),
        '[^A-Z0-9·]+', ' ', 'g'),
      '([0-9]) (ML|CL|L|LTR|G|GSM|KG|MM|CM|M|MG|OZ|W|V|MAH)( |$)', '\1\2\3', 'g')) as variant
  from lines
),

tokens as (
  select
    *,
    list_filter(string_split(variant, ' '), t -> t <> '') as raw_tokens
  from normalised
),

signed as (
  select
    *,
    list_sort(list_distinct(list_transform(
      list_filter(raw_tokens, t -> t not in ('OF', 'THE', 'AND', 'WITH', 'FOR', 'A', 'IN', 'X')),
      -- a plural's S (PENS → PEN), not a double S (GLASS) nor a size (500MLS is rare; left)
      t -> case when length(t) > 3 and t similar to '.*[A-Z]S' and t not similar to '.*SS' then left(t, length(t) - 1) else t end
    ))) as signature_tokens
  from tokens
),

final as (
  select
    body_id,
    invoice_id,
    line_no,
    supplier_entity_id,
    line_proclass_code as category_code,
    description,
    variant,
    raw_tokens,
    array_to_string(signature_tokens, ' ') as signature,
    md5(supplier_entity_id || '|' || coalesce(line_proclass_code, '') || '|' || array_to_string(signature_tokens, ' ')) as match_id
  from signed
  where len(signature_tokens) > 0
)

select * from final

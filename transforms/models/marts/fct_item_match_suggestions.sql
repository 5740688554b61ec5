-- grain: one row per suggested description match (match_id)
-- depends on: int_item_description_matches
--
-- Description-only lines that may be one item (int_item_description_matches): one supplier
-- entity, one category, the same normalised tokens, bought by two or more bodies or written in
-- two or more ways. A suggestion, not a fact: an analyst confirms or splits it (`spend items
-- confirm|split`, POST /api/v1/items/matches/{matchId}); only confirmed variants enter price
-- comparisons and savings (int_item_lines). score: how alike the ways of writing it are, the
-- lowest Jaccard similarity between a variant's words and the most used variant's (1.00 when
-- all are written alike). status: suggested, confirmed, split, or new-variants (confirmed, but
-- a way of writing it the analyst did not see has since appeared: not in comparisons until
-- confirmed again).

with

matches as (
  select * from int_item_description_matches
),

decisions as (
  select match_id, decision, variants as decided_variants, decided_by, decided_at
  from item_match_decisions
  qualify row_number() over (partition by match_id order by decided_at desc, decision desc) = 1
),

variants as (
  select match_id, variant, any_value(raw_tokens) as raw_tokens, count(*) as lines
  from matches
  group by match_id, variant
),

most_used as (
  select match_id, arg_max(raw_tokens, lines) as usual_tokens
  from variants
  group by match_id
),

similarity as (
  select
    variants.match_id,
    min(
      len(list_intersect(list_distinct(variants.raw_tokens), list_distinct(most_used.usual_tokens)))::decimal(18, 4)
        / len(list_distinct(list_concat(variants.raw_tokens, most_used.usual_tokens)))
    ) as score
  from variants
  inner join most_used using (match_id)
  group by variants.match_id
),

groups as (
  select
    match_id,
    any_value(supplier_entity_id) as supplier_entity_id,
    any_value(category_code) as category_code,
    any_value(signature) as signature,
    list(distinct variant order by variant) as variants,
    list(distinct description order by description) as descriptions,
    count(distinct body_id) as bodies,
    list(distinct body_id order by body_id) as body_ids,
    count(*) as lines
  from matches
  group by match_id
),

final as (
  select
    groups.match_id,
    groups.supplier_entity_id,
    groups.category_code,
    groups.signature,
    groups.variants,
    groups.descriptions,
    groups.bodies,
    groups.body_ids,
    groups.lines,
    round(similarity.score, 2) as score,
    case
      when decisions.decision = 'split' then 'split'
      when decisions.decision = 'confirm' and list_has_all(decisions.decided_variants, groups.variants) then 'confirmed'
      when decisions.decision = 'confirm' then 'new-variants'
      else 'suggested'
    end as status,
    decisions.decided_by,
    decisions.decided_at
  from groups
  inner join similarity using (match_id)
  left join decisions using (match_id)
  where groups.bodies >= 2 or len(groups.variants) >= 2
)

select * from final

-- grain: one row per classification rule (rule_id)
-- depends on: none
--
-- The rules in force: analysts' own (table classification_rules) and the shipped ones (seed
-- transforms/seeds/classification_rules.csv); an analyst's rule with a shipped rule's id
-- replaces it.

with

analyst_rules as (
  select rule_id, priority, field, pattern, proclass_code, cpv_code, 'analyst' as source from classification_rules
),

shipped_rules as (
  select rule_id, priority::integer as priority, field, pattern, proclass_code, cpv_code, 'shipped' as source
  from seed_classification_rules
),

final as (
  select * from analyst_rules
  union all
  select * from shipped_rules
  -- an analyst's rule replaces the shipped rule of the same id
  anti join analyst_rules using (rule_id)
)

select * from final

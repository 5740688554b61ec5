-- grain: one row per spend line (body_id, invoice_id, line_no)
-- depends on: int_spend_lines, int_supplier_categories, int_classification_rules, int_proclass_codes
-- materialised: incremental by invoice
--
-- Every spend line in a common scheme (ProClass, CPV) and what classified it (classified_by):
-- 1–3. own-code, rule:<id>, proclass-name: what the line says itself (int_spend_lines);
-- 4. supplier-dominant: else its supplier entity's dominant ProClass code (int_supplier_categories);
-- 5. supplier-name:<id>: else the first rule on the supplier's name (field supplier_name: "…
--    Care Homes Ltd", "… Academy"): what the firm is, the weakest evidence, so the last.
-- A line with a CPV code our mapping does not turn into ProClass keeps its CPV code only.
-- Labels come from the code lists, rolled up for codes missing from them (int_proclass_codes);
-- proclass_via says when a code's labels are its parent's or siblings', or the code came from
-- the CPV mapping. Incremental: a line whose supplier's dominant category has moved since it
-- was built is stale (int_spend_classified.stale.sql).

with

spend as (
  select * from delta_int_spend_lines
),

supplier_categories as (
  select supplier_entity_id, proclass_code from int_supplier_categories
),

name_rules as (
  select * from int_classification_rules where field = 'supplier_name'
),

supplier_names as (
  -- the first rule on each distinct supplier name (redacted payees have no name to read), for
  -- the names of lines that come this far only: no code of their own, no CPV code, no dominant
  -- category (every name against every pattern is the costliest join here)
  select names.supplier_name, name_rules.rule_id, name_rules.proclass_code
  from (
    select distinct spend.supplier_name
    from spend
    anti join supplier_categories using (supplier_entity_id)
    where spend.supplier_entity_id is not null
      and spend.line_cpv_code is null
      and (spend.line_proclass_code is null or spend.line_classified_by is null)
  ) as names
  inner join name_rules on names.supplier_name ilike name_rules.pattern
  qualify row_number() over (partition by names.supplier_name order by name_rules.priority, name_rules.rule_id) = 1
),

coded as (
  select
    spend.* exclude (line_proclass_code, line_cpv_code, line_classified_by, line_proclass_from_cpv),
    case
      when spend.line_proclass_code is not null then spend.line_proclass_code
      when spend.line_cpv_code is not null then null
      when supplier_categories.proclass_code is not null then supplier_categories.proclass_code
      when spend.supplier_entity_id is not null then supplier_names.proclass_code
    end as proclass_code,
    spend.line_cpv_code as cpv_code,
    case
      when spend.line_classified_by is not null then spend.line_classified_by
      when spend.line_cpv_code is not null then null
      when supplier_categories.proclass_code is not null then 'supplier-dominant'
      when spend.supplier_entity_id is not null and supplier_names.rule_id is not null then 'supplier-name:' || supplier_names.rule_id
    end as classified_by,
    coalesce(spend.line_proclass_from_cpv, false) as proclass_from_cpv
  from spend
  -- (equality-only joins: a condition on the line's side would make DuckDB compare every pair)
  left join supplier_categories using (supplier_entity_id)
  left join supplier_names using (supplier_name)
),

final as (
  select
    coded.* exclude (proclass_from_cpv),
    codes.level1 as proclass_level1,
    codes.level2 as proclass_level2,
    case when coded.proclass_from_cpv then 'cpv mapping' else codes.via end as proclass_via
  from coded
  left join int_proclass_codes as codes on codes.code = coded.proclass_code
)

select * from final

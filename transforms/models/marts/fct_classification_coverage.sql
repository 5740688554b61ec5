-- grain: one row per body (body_id)
-- depends on: int_spend_classified, int_outside_partnership
--
-- How much of each body's spend is classified, by value (absolute amounts, so credit notes do
-- not hide unclassified spend): to a ProClass level-1 category, to any code, and by which step
-- (own code, rules, a ProClass name, the supplier's dominant category, the supplier's name).

with

spend as (
  select * from int_spend_classified as lines
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = lines.body_id and (outside.excluded_after is null or lines.spend_date > outside.excluded_after)
),

per_body as (
  select
    body_id,
    count(*) as lines,
    sum(abs(net_amount)) as value,
    coalesce(sum(abs(net_amount)) filter (where proclass_level1 is not null), 0) as proclass_level1_value,
    coalesce(sum(abs(net_amount)) filter (where classified_by is not null), 0) as classified_value,
    coalesce(sum(abs(net_amount)) filter (where classified_by = 'own-code'), 0) as own_code_value,
    coalesce(sum(abs(net_amount)) filter (where classified_by like 'rule:%'), 0) as rule_value,
    coalesce(sum(abs(net_amount)) filter (where classified_by = 'proclass-name'), 0) as proclass_name_value,
    coalesce(sum(abs(net_amount)) filter (where classified_by = 'supplier-dominant'), 0) as supplier_dominant_value,
    coalesce(sum(abs(net_amount)) filter (where classified_by like 'supplier-name:%'), 0) as supplier_name_value
  from spend
  group by body_id
),

final as (
  select
    *,
    round(100 * proclass_level1_value / nullif(value, 0), 1) as proclass_level1_percent,
    round(100 * classified_value / nullif(value, 0), 1) as classified_percent
  from per_body
)

select * from final

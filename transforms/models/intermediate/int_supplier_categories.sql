-- grain: one row per supplier entity with a category (supplier_entity_id)
-- depends on: int_spend_lines, int_outside_partnership
--
-- Each supplier entity's dominant ProClass code: the code of most of its spend (absolute value)
-- among the lines whose own code, a rule or a name classified them, in every body. Lines that
-- say nothing of their category take it (int_spend_classified). Ties go to the lower code, so
-- every run agrees.

with

categorised as (
  select supplier_entity_id, line_proclass_code as proclass_code, net_amount from int_spend_lines as lines
  -- the partnership's lines only: a prospective body's spend must not move members' categories
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = lines.body_id and (outside.excluded_after is null or lines.spend_date > outside.excluded_after)
  -- named suppliers' lines with a category of their own
  where supplier_entity_id is not null and line_proclass_code is not null
),

per_code as (
  select supplier_entity_id, proclass_code, sum(abs(net_amount)) as value
  from categorised
  group by all
),

final as (
  select
    supplier_entity_id,
    arg_max(proclass_code, {'value': value, 'lower_code': -proclass_code::bigint}) as proclass_code,
    max(value) as proclass_value,
    sum(value) as classified_value
  from per_code
  group by supplier_entity_id
)

select * from final

-- The cells whose totals the run's changes touch: the cell of every spend line rebuilt, before
-- and after (a correction that moves a line to another month, supplier or category, or a
-- retraction, changes the cell it leaves too), and the cells of suppliers whose name (their most
-- used spelling) changed.
select spend_month, body_id, supplier_entity_id, proclass_code, cpv_code, currency
from changed_int_spend_classified
union all
select cube.spend_month, cube.body_id, cube.supplier_entity_id, cube.proclass_code, cube.cpv_code, cube.currency
from fct_spend_cube as cube
left join dim_supplier_entities as entities on entities.entity_id = cube.supplier_entity_id
where cube.supplier_entity_name is distinct from coalesce(entities.entity_name, '(redacted)')

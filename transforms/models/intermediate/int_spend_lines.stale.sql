-- Invoices built with a supplier entity the resolver has since changed (a new spelling joined
-- two names, an analyst split an entity): their lines are rebuilt with the current entity.
select distinct lines.body_id, lines.invoice_id
from int_spend_lines as lines
left join int_supplier_matches as matches using (body_id, supplier_name)
where lines.supplier_entity_id is distinct from matches.entity_id

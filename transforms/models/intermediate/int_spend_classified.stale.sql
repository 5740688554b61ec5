-- Lines that take their supplier's dominant category (they say nothing of their own), built
-- when that category was another: new lines of the supplier moved it, or gave it one.
select distinct classified.body_id, classified.invoice_id
from int_spend_classified as classified
left join int_supplier_categories as supplier_categories using (supplier_entity_id)
where classified.supplier_entity_id is not null
  and classified.cpv_code is null
  and (classified.classified_by is null or classified.classified_by = 'supplier-dominant' or classified.classified_by like 'supplier-name:%')
  and (case when classified.classified_by = 'supplier-dominant' then classified.proclass_code end)
    is distinct from supplier_categories.proclass_code

-- Lines that take their supplier's dominant category (they say nothing of their own), built
-- when that category was another: new lines of the supplier moved it, gave it one or took it
-- away. Only the lines of the suppliers whose category changed in this run are read:
-- changed_int_supplier_categories holds their rows that differ in supplier_entity_id or
-- proclass_code, as they were and as they are (a supplier that gained a category has only the
-- new row, one that lost it only the old), not every classified line.
select distinct classified.body_id, classified.invoice_id
from int_spend_classified as classified
semi join changed_int_supplier_categories as moved using (supplier_entity_id)
left join int_supplier_categories as supplier_categories using (supplier_entity_id)
where classified.supplier_entity_id is not null
  and classified.cpv_code is null
  and (classified.classified_by is null or classified.classified_by = 'supplier-dominant' or classified.classified_by like 'supplier-name:%')
  and (case when classified.classified_by = 'supplier-dominant' then classified.proclass_code end)
    is distinct from supplier_categories.proclass_code

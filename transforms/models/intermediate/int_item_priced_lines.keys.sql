-- The items whose priced lines the run's changes touch: the item of every line rebuilt, before
-- and after (a correction that moves a line to another item, or a retraction, changes the item it
-- leaves too: its normalised unit may move); the items of lines found above their order's price,
-- or no longer (a repriced order); and the items bought in a body's month whose membership or
-- common threshold changed (its lines enter or leave the comparison, or cross the threshold).
select item_scheme, item_key
from changed_int_item_lines
where item_scheme <> 'none'
union all
select lines.item_scheme, lines.item_key
from int_item_lines as lines
semi join changed_int_above_po_price as above using (body_id, invoice_id, line_no)
where lines.item_scheme <> 'none'
union all
select lines.item_scheme, lines.item_key
from int_item_lines as lines
semi join (
  -- changed_int_body_months holds the body-months whose named columns differ, before and after
  select body_id, spend_month, is_member, common_threshold from changed_int_body_months
) as months using (body_id, spend_month)
where lines.item_scheme <> 'none'

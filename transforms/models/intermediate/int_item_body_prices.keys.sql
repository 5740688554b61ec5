-- The items whose priced lines were rebuilt in this run, before and after (an item whose lines
-- all went keeps no body price).
select item_scheme, item_key
from changed_int_item_priced_lines

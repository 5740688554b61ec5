-- The items whose bodies' prices were rebuilt in this run, before and after (an item no body
-- buys any more has no spread).
select item_scheme, item_key
from changed_int_item_body_prices

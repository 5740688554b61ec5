-- The items whose spread or bodies' prices were rebuilt in this run, before and after (the
-- savings are summed over the bodies' prices at the spread's best and p25 prices).
select item_scheme, item_key
from changed_int_item_price_spread
union all
select item_scheme, item_key
from changed_int_item_body_prices

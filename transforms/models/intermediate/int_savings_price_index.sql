-- grain: one row per month of the latest price index (month)
-- depends on: none
--
-- The price index the agreement indexes baselines with: the latest loaded version.

with

latest_load as (
  select load_id from savings_loads
  where kind = 'price-index'
  qualify row_number() over (order by version desc) = 1
),

final as (
  select month, index_value, load_id, source_row
  from savings_price_index
  semi join latest_load using (load_id)
)

select * from final

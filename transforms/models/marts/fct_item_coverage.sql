-- grain: one row per body × month × identity scheme (body_id, spend_month, item_scheme)
-- depends on: int_item_lines, int_outside_partnership
--
-- How much of each body's spend the price comparison can see, per month, by the identity its
-- lines rest on (int_item_lines: gtin, standard:<scheme>, seller, buyer, description, none).
-- comparable: lines priced in GBP (unit price and quantity) whose identity holds across bodies
-- (every scheme but buyer and none); unit_normalised: of those, the lines whose unit was
-- normalised to UN/ECE Rec 20 (the rest compare only with the same unit text). share_percent:
-- the scheme's part of the body's spend that month (absolute amounts: credits do not hide spend).

with

lines as (
  select item_lines.body_id, spend_month, item_scheme, currency, unit_price, quantity, net_amount, unit_normalised
  from int_item_lines as item_lines
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = item_lines.body_id and (outside.excluded_after is null or item_lines.spend_date > outside.excluded_after)
),

by_scheme as (
  select
    body_id,
    spend_month,
    item_scheme,
    count(*) as lines,
    sum(net_amount) as net_amount,
    sum(abs(net_amount)) as gross_amount,
    count(*) filter (where comparable) as comparable_lines,
    coalesce(sum(net_amount) filter (where comparable), 0) as comparable_net_amount,
    coalesce(sum(net_amount) filter (where comparable and unit_normalised), 0) as unit_normalised_net_amount
  from (
    select
      *,
      item_scheme not in ('buyer', 'none') and unit_price is not null and quantity is not null and currency = 'GBP' as comparable
    from lines
  )
  group by body_id, spend_month, item_scheme
),

final as (
  select
    body_id,
    spend_month,
    item_scheme,
    lines,
    net_amount,
    comparable_lines,
    comparable_net_amount,
    unit_normalised_net_amount,
    round(100 * gross_amount / nullif(sum(gross_amount) over (partition by body_id, spend_month), 0), 1) as share_percent
  from by_scheme
)

select * from final

-- grain: one row per CPV division × window (cpv_division, window_start)
-- depends on: fct_contracts
--
-- The moment to buy together: contracts in the same category (CPV division) held by two or
-- more buyers that all expire within 18 months of the first of them, with their combined
-- value. A window opens at each contract's expiry; one whose contracts all fall in an earlier
-- window of the category adds nothing and is left out.

with

contracts as (
  select
    ocid,
    contract_id,
    cpv_division,
    cpv_division_label,
    -- a partnership body, else the buyer as named (a body that could join)
    coalesce(body_id, upper(buyer_name)) as holder,
    buyer_name,
    body_id,
    end_date,
    value_amount,
    value_currency,
    value_trusted,
    is_framework
  from fct_contracts
  -- a window needs an expiry, a category and a buyer
  where end_date is not null
    and cpv_division is not null
    and coalesce(body_id, buyer_name) is not null
),

in_window as (
  select opening.cpv_division, opening.end_date as window_start, member.*
  from (select distinct cpv_division, end_date from contracts) as opening
  inner join contracts as member
    on member.cpv_division = opening.cpv_division
    -- a joint procurement takes 12–18 months to run: contracts ending within 18 months can be aligned
    and member.end_date >= opening.end_date
    and member.end_date < opening.end_date + interval 18 month
),

windows as (
  select
    cpv_division,
    any_value(cpv_division_label) as cpv_division_label,
    window_start,
    max(end_date) as last_expiry,
    count(distinct holder) as holders,
    list_sort(list(distinct buyer_name)) as buyer_names,
    list_sort(list(distinct body_id) filter (where body_id is not null)) as partnership_bodies,
    count(*) as contracts,
    list_sort(list(ocid || ' / ' || contract_id)) as contract_keys,
    -- a framework's value is a ceiling over every call-off, and placeholders are not values
    coalesce(sum(value_amount) filter (where value_trusted and not is_framework and coalesce(value_currency, 'GBP') = 'GBP'), 0) as combined_value,
    coalesce(sum(value_amount) filter (where value_trusted and is_framework and coalesce(value_currency, 'GBP') = 'GBP'), 0) as framework_ceiling_value,
    count(*) filter (where not value_trusted) as contracts_without_trusted_value
  from in_window
  group by cpv_division, window_start
  -- buying together needs at least two buyers
  having count(distinct holder) >= 2
),

final as (
  select
    windows.*,
    windows.last_expiry < windows.window_start + interval 12 month as within_12_months,
    -- start a year before the first contract expires: the lead time of a joint procurement
    (windows.window_start - interval 12 month)::date as start_joint_procurement_by
  from windows
  -- a window inside an earlier window of the category shows nothing new
  anti join windows as earlier
    on earlier.cpv_division = windows.cpv_division
    and earlier.window_start < windows.window_start
    and windows.last_expiry < earlier.window_start + interval 18 month
)

select * from final

-- grain: one row per spend line that sets a baseline (body_id, invoice_id, line_no)
-- depends on: int_spend_lines, int_savings_body_years
--
-- The lines behind each body's baselines (int_savings_baselines averages them): its GBP lines
-- with item, quantity and unit price dated in its baseline period (by default the 12 months
-- before it joined). Kept as lines so that a changed baseline can name the lines that changed it
-- (int_savings_baseline_versions, docs/savings.md).

with

body_baselines as (
  select distinct body_id, baseline_start, baseline_end from int_savings_body_years
),

final as (
  select
    lines.body_id,
    lines.item_code,
    coalesce(lines.unit, '') as unit,
    lines.invoice_id,
    lines.line_no,
    lines.document_type,
    lines.spend_date,
    lines.net_amount,
    -- a credit note's quantity takes its amount's sign, however the supplier wrote it
    case when lines.net_amount < 0 then -abs(lines.quantity) else abs(lines.quantity) end as quantity,
    lines.ingest_batch_id,
    body_baselines.baseline_start,
    body_baselines.baseline_end
  from int_spend_lines as lines
  inner join body_baselines
    on body_baselines.body_id = lines.body_id
    and lines.spend_date >= body_baselines.baseline_start
    and lines.spend_date < body_baselines.baseline_end
  -- only priced lines of named items, in pounds, can set a unit-price baseline
  where lines.item_code is not null
    and lines.unit_price is not null
    and lines.quantity is not null
    and lines.quantity <> 0
    and lines.currency = 'GBP'
)

select * from final

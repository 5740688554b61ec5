-- grain: one row per registered body whose spend is kept out of partnership figures, wholly or after a day (body_id)
-- depends on: none
--
-- The one statement of who is in the partnership's figures (docs/membership.md). Every mart
-- that reads a body's rows leaves out, with the same anti-join:
--
--   anti join int_outside_partnership as outside
--     on outside.body_id = x.body_id and (outside.excluded_after is null or x.spend_date > outside.excluded_after)
--
-- - a prospective body: all its rows (excluded_after null). It may upload its own extracts
--   (same path, same reconciliation), and its case-for-joining pack reads them, but nothing of it
--   reaches a partnership aggregate;
-- - a body that left: rows dated after its last day (left_on); its history up to that day counts.
-- Rows without a date of a body that left are kept (nothing says they came after it left).
-- Active bodies are not listed: all their rows count (before joining too, flagged by
-- int_spend_lines.in_partnership and compared by month in int_body_months).
-- tests/membership-exclusion.test.ts builds every mart with and without such rows and requires
-- them identical, so a new mart that forgets the anti-join fails there.

with

register as (
  select body_id, status, left_on from bodies
),

final as (
  select
    body_id,
    status,
    case when status = 'left' then left_on end as excluded_after
  from register
  where status = 'prospective'
    -- a body marked left without a leaving day: nothing says when its figures stop, so none count
    or status = 'left'
)

select * from final

-- grain: one row per contract year × savings stream × body (contract_year, stream, body_id)
-- depends on: int_savings_guarantees, int_savings_records
--
-- Delivered against guaranteed (docs/savings.md). Realised is the sum of today's traced records
-- (int_savings_records); validated is the sum of the records frozen by the year's latest
-- sign-off (savings_signoff_records), which later recalculation never changes: a credit note or
-- a late invoice dated in the signed-off period shows as variance_since_validation. Shortfall
-- and what is due are computed on validated figures only: shortfall = max(guaranteed −
-- validated, 0), paid by the partner when the agreement says so; above the guarantee the
-- partner's share of the excess, rounded to the penny.

with

guarantees as (
  select * from int_savings_guarantees
),

records as (
  select contract_year, stream, body_id, record_date, amount from int_savings_records
),

latest_signoffs as (
  select contract_year, signoff_id, through_date, signed_by, signed_at
  from savings_signoffs
  qualify row_number() over (partition by contract_year order by signoff_id desc) = 1
),

validated as (
  select frozen.contract_year, frozen.stream, frozen.body_id, sum(frozen.amount) as validated
  from savings_signoff_records as frozen
  semi join latest_signoffs using (signoff_id)
  group by all
),

realised as (
  select
    records.contract_year,
    records.stream,
    records.body_id,
    sum(records.amount) as realised,
    sum(records.amount) filter (where records.record_date <= latest_signoffs.through_date) as realised_in_validated_period,
    count(*) as records
  from records
  left join latest_signoffs using (contract_year)
  group by all
),

figures as (
  select
    guarantees.contract_year,
    guarantees.stream,
    guarantees.body_id,
    guarantees.months_member,
    guarantees.guaranteed,
    guarantees.stretch,
    coalesce(realised.realised, 0) as realised,
    coalesce(validated.validated, 0) as validated,
    latest_signoffs.signoff_id,
    latest_signoffs.through_date as validated_through,
    coalesce(realised.realised_in_validated_period, 0) as realised_in_validated_period,
    coalesce(realised.records, 0) as records,
    guarantees.partner_pays_shortfall,
    guarantees.partner_share_above_guarantee_pct
  from guarantees
  left join realised using (contract_year, stream, body_id)
  left join validated using (contract_year, stream, body_id)
  left join latest_signoffs using (contract_year)
),

final as (
  select
    contract_year,
    stream,
    body_id,
    months_member,
    guaranteed,
    stretch,
    validated::decimal(18, 2) as validated,
    (realised - validated)::decimal(18, 2) as realised_not_validated,
    realised::decimal(18, 2) as realised,
    validated_through,
    signoff_id,
    -- what recalculation changed in the signed-off period since the sign-off (never silent)
    case when signoff_id is null then 0 else realised_in_validated_period - validated end::decimal(18, 2)
      as variance_since_validation,
    greatest(guaranteed - validated, 0)::decimal(18, 2) as shortfall,
    case when partner_pays_shortfall then greatest(guaranteed - validated, 0) else 0 end::decimal(18, 2)
      as due_from_partner,
    round(greatest(validated - guaranteed, 0)::decimal(38, 2) * partner_share_above_guarantee_pct * 0.01, 2)::decimal(18, 2)
      as gain_share_to_partner,
    validated >= stretch and stretch > 0 as stretch_met,
    records
  from figures
)

select * from final

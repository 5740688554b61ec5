-- grain: one row per month × body × supplier entity × category × currency (spend_month, body_id, supplier_entity_id, proclass_code, cpv_code, currency)
-- depends on: int_spend_classified, dim_supplier_entities, int_outside_partnership
-- materialised: incremental by key (spend_month, body_id, supplier_entity_id, proclass_code, cpv_code, currency)
--
-- Net spend totals: every current line once, redacted payees included (under a null entity),
-- credit notes netted off. Sums to the ingested total to the penny. Incremental: only the cells
-- the run's changed lines fall in, before or after the change, are summed again
-- (fct_spend_cube.keys.sql); delta_int_spend_classified holds those cells' lines.

with

spend as (
  select
    spend_month, body_id, supplier_entity_id, proclass_code, proclass_level1, cpv_code, currency,
    invoice_id, net_amount, in_partnership
  from delta_int_spend_classified as lines
  -- partnership figures only: no prospective body, no leaver after its last day (int_outside_partnership)
  anti join int_outside_partnership as outside
    on outside.body_id = lines.body_id and (outside.excluded_after is null or lines.spend_date > outside.excluded_after)
),

entities as (
  select entity_id, entity_name from dim_supplier_entities
),

per_document as (
  -- each document's lines in a cell first: counting documents is then a count, not a distinct
  select
    spend_month, body_id, supplier_entity_id, proclass_code, proclass_level1, cpv_code, currency, invoice_id,
    sum(net_amount) as net_total,
    count(*) as lines,
    bool_and(in_partnership) as in_partnership
  from spend
  group by all
),

per_cell as (
  select
    spend_month, body_id, supplier_entity_id, proclass_code, proclass_level1, cpv_code, currency,
    sum(net_total) as net_total,
    sum(lines) as lines,
    count(*) as documents,
    bool_and(in_partnership) as in_partnership
  from per_document
  group by all
),

final as (
  select
    per_cell.spend_month,
    per_cell.body_id,
    per_cell.supplier_entity_id,
    coalesce(entities.entity_name, '(redacted)') as supplier_entity_name,
    per_cell.proclass_code,
    per_cell.proclass_level1,
    per_cell.cpv_code,
    per_cell.currency,
    -- 64-bit types, not the 128-bit ones sum() gives: every dashboard query scans this table, and
    -- at 10M lines summing it took 1.1 s in 128 bits against 51 ms in 64 (BENCHMARKS.md, API);
    -- a cell would need £92 trillion to overflow
    per_cell.net_total::decimal(18, 2) as net_total,
    per_cell.lines::bigint as lines,
    per_cell.documents,
    per_cell.in_partnership
  from per_cell
  left join entities on entities.entity_id = per_cell.supplier_entity_id
)

select * from final

/**
 * Baselines, versioned (docs/savings.md, "Baselines are versioned"). A baseline's price is
 * computed from the invoices of its period on every transforms run, so a late invoice or credit
 * note dated in the period changes it: that change is an audited event of its own, not only a
 * variance against a signed-off year. The model int_savings_baseline_versions compares each
 * body × item × unit baseline the run computed with the last version recorded
 * (savings_baseline_versions) and, where the price or the period differs, or a baseline appeared
 * or went away, records a new version and an audit row (savings_baseline_changes: before and
 * after, the lines that changed since the last version, when, by "transforms run <id>"). Old
 * versions are never rewritten; a run that changes nothing records nothing.
 *
 * `spend savings baselines` reads the current versions (the model's table) or the history.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { requireBody } from '../../lib/bodies.ts';
import { queryRows, tableExists } from '../../lib/db.ts';
import { requireSavingsModels, utcNow } from './loads.ts';

/** How many of the lines behind a change the audit row names (the counts cover them all). */
const MAX_CAUSES = 50;

/** Who changed a baseline: the transforms run that recomputed it. */
export const changedBy = (runId: number) => `transforms run ${runId}`;

/**
 * Builds int_savings_baseline_versions: records the versions and changes this run found, then
 * the current version of every baseline (with the price of the version before it).
 */
export async function buildBaselineVersions(
  conn: DuckDBConnection,
  run: { runId: number },
): Promise<{ rows: number; unchanged?: boolean }> {
  // the baselines whose price or period differ from their last recorded version, or that
  // appeared or went away (a null price: no baseline any more, recorded once)
  await conn.run(`
    create or replace temp table baseline_version_changes as
    with latest as (
      select * from savings_baseline_versions
      qualify row_number() over (partition by body_id, item_code, unit order by version desc) = 1
    )
    select
      coalesce(now.body_id, latest.body_id) as body_id,
      coalesce(now.item_code, latest.item_code) as item_code,
      coalesce(now.unit, latest.unit) as unit,
      latest.version as from_version,
      coalesce(latest.version, 0) + 1 as to_version,
      latest.baseline_unit_price as price_before,
      now.baseline_unit_price as price_after,
      latest.baseline_start::varchar || '..' || latest.baseline_end::varchar as period_before,
      now.baseline_start::varchar || '..' || now.baseline_end::varchar as period_after,
      now.baseline_lines, now.baseline_quantity, now.baseline_net_amount,
      now.baseline_start, now.baseline_end, now.baseline_mid_month
    from int_savings_baselines as now
    full join latest using (body_id, item_code, unit)
    where latest.version is null
       or (now.body_id is null and latest.baseline_unit_price is not null)
       or (now.body_id is not null and (
            latest.baseline_unit_price is distinct from now.baseline_unit_price
            or latest.baseline_start is distinct from now.baseline_start
            or latest.baseline_end is distinct from now.baseline_end))
  `);
  const [{ changes } = { changes: 0 }] = await queryRows<{ changes: number }>(
    conn,
    'select count(*)::integer as changes from baseline_version_changes',
  );
  const exists = await tableExists(conn, 'int_savings_baseline_versions');
  if (changes === 0 && exists) return { rows: 0, unchanged: true };

  const at = utcNow();
  const by = changedBy(run.runId);
  if (changes > 0) {
    // the lines now behind each changed baseline against those behind its last version
    await conn.run(`
      create or replace temp table baseline_line_diffs as
      with now_lines as (
        select body_id, item_code, unit, invoice_id, line_no, quantity, net_amount, ingest_batch_id
        from int_savings_baseline_lines semi join baseline_version_changes using (body_id, item_code, unit)
      ),
      then_lines as (
        select * from savings_baseline_version_lines semi join baseline_version_changes using (body_id, item_code, unit)
      )
      select
        coalesce(now_lines.body_id, then_lines.body_id) as body_id,
        coalesce(now_lines.item_code, then_lines.item_code) as item_code,
        coalesce(now_lines.unit, then_lines.unit) as unit,
        coalesce(now_lines.invoice_id, then_lines.invoice_id) as invoice_id,
        coalesce(now_lines.line_no, then_lines.line_no) as line_no,
        case when then_lines.invoice_id is null then 'added' when now_lines.invoice_id is null then 'removed' else 'changed' end as change,
        then_lines.quantity as quantity_before, now_lines.quantity as quantity_after,
        then_lines.net_amount as net_before, now_lines.net_amount as net_after,
        now_lines.ingest_batch_id
      from now_lines
      full join then_lines using (body_id, item_code, unit, invoice_id, line_no)
      where then_lines.invoice_id is null or now_lines.invoice_id is null
         or then_lines.quantity <> now_lines.quantity or then_lines.net_amount <> now_lines.net_amount
    `);
    await conn.run(
      `insert into savings_baseline_versions
       select body_id, item_code, unit, to_version, price_after, coalesce(baseline_lines, 0), baseline_quantity,
              baseline_net_amount, baseline_start, baseline_end, baseline_mid_month, $runId, $at::timestamp
       from baseline_version_changes`,
      { runId: run.runId, at },
    );
    await conn.run(
      `insert into savings_baseline_changes
       select nextval('savings_baseline_change_seq'), c.body_id, c.item_code, c.unit, c.from_version, c.to_version,
              c.price_before, c.price_after, c.period_before, c.period_after,
              coalesce(d.added, 0), coalesce(d.removed, 0), coalesce(d.changed, 0), coalesce(d.causes::varchar, '[]')::json,
              $at::timestamp, $by
       from baseline_version_changes as c
       left join (
         select
           body_id, item_code, unit,
           count(*) filter (where change = 'added')::integer as added,
           count(*) filter (where change = 'removed')::integer as removed,
           count(*) filter (where change = 'changed')::integer as changed,
           to_json(list({
             'invoice_id': invoice_id, 'line_no': line_no, 'change': change,
             'quantity_before': quantity_before::varchar, 'quantity_after': quantity_after::varchar,
             'net_before': net_before::varchar, 'net_after': net_after::varchar, 'ingest_batch_id': ingest_batch_id
           } order by invoice_id, line_no)[1:${MAX_CAUSES}]) as causes
         from baseline_line_diffs
         group by all
       ) as d using (body_id, item_code, unit)
       order by c.body_id, c.item_code, c.unit`,
      { at, by },
    );
    // the lines behind the new versions, for the next comparison
    await conn.run(
      `delete from savings_baseline_version_lines as kept using baseline_version_changes as c
       where kept.body_id = c.body_id and kept.item_code = c.item_code and kept.unit = c.unit`,
    );
    await conn.run(
      `insert into savings_baseline_version_lines
       select body_id, item_code, unit, invoice_id, line_no, quantity, net_amount
       from int_savings_baseline_lines semi join baseline_version_changes using (body_id, item_code, unit)`,
    );
  }
  // the current version of each baseline that has one, and the price of the version before
  await conn.run(`
    create or replace table int_savings_baseline_versions as
    select
      body_id, item_code, unit, version, baseline_unit_price,
      lag(baseline_unit_price) over key_versions as previous_unit_price,
      baseline_lines, baseline_quantity, baseline_net_amount, baseline_start, baseline_end, baseline_mid_month,
      transform_run_id, recorded_at,
      count(*) over key_versions as versions
    from savings_baseline_versions
    window key_versions as (partition by body_id, item_code, unit order by version
                            rows between unbounded preceding and unbounded following)
    qualify version = max(version) over (partition by body_id, item_code, unit)
      and baseline_unit_price is not null
  `);
  const [{ rows } = { rows: 0 }] = await queryRows<{ rows: number }>(
    conn,
    'select count(*)::integer as rows from int_savings_baseline_versions',
  );
  return { rows };
}

export const baselinesParams = z.object({
  body: z.string().min(1).optional(),
  /** Every change recorded (the audit), instead of the current versions. */
  history: z.boolean().default(false),
});

/** `spend savings baselines`: the current version of each baseline, or every change to them. */
export async function listBaselines(conn: DuckDBConnection, params: z.output<typeof baselinesParams>) {
  await requireSavingsModels(conn, ['int_savings_baseline_versions']);
  if (params.body) await requireBody(conn, params.body);
  if (params.history)
    return queryRows(
      conn,
      `select change_id::integer as change_id, body_id, item_code, unit, from_version, to_version,
              price_before::varchar as price_before, price_after::varchar as price_after, period_before, period_after,
              lines_added, lines_removed, lines_changed, causes::varchar as causes,
              strftime(changed_at, '%Y-%m-%d %H:%M:%S') as changed_at, changed_by
       from savings_baseline_changes where $body is null or body_id = $body
       order by change_id`,
      { body: params.body ?? null },
    ).then((rows) => rows.map((r) => ({ ...r, causes: JSON.parse(String(r.causes)) as unknown })));
  return queryRows(
    conn,
    `select body_id, item_code, unit, version::integer as version, baseline_unit_price::varchar as baseline_unit_price,
            previous_unit_price::varchar as previous_unit_price, baseline_lines, baseline_start::varchar as baseline_start,
            baseline_end::varchar as baseline_end, baseline_mid_month::varchar as baseline_mid_month,
            transform_run_id::integer as transform_run_id, strftime(recorded_at, '%Y-%m-%d %H:%M:%S') as recorded_at
     from int_savings_baseline_versions where $body is null or body_id = $body
     order by body_id, item_code, unit`,
    { body: params.body ?? null },
  );
}

/**
 * Reading the partnership's performance marts (docs/partnership.md): service levels against
 * targets (by month or contract year, per body or for the partnership), the documents behind a
 * breach, and the partner's investment against its commitments with the entries behind them.
 * The CLI and the API call these through the owner's operations.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { queryRows } from '../../lib/db.ts';
import { UserError } from '../../lib/errors.ts';
import { fromScaled, toScaled } from '../../lib/money.ts';
import { COMMITMENT_CATEGORIES, MEASURE_NAMES } from './terms.ts';

const year = z.number().int().min(1990).max(2200);
const month = z.string().regex(/^\d{4}-\d{2}$/, 'a month written YYYY-MM');

export async function requirePartnershipModels(conn: DuckDBConnection, names: string[]): Promise<void> {
  const rows = await queryRows<{ table_name: string }>(
    conn,
    `select table_name from information_schema.tables where table_schema = 'main' and list_contains($names, table_name)`,
    { names: JSON.stringify(names) },
  ).catch(() => [] as { table_name: string }[]);
  const present = new Set(rows.map((r) => r.table_name));
  const missing = names.filter((n) => !present.has(n));
  if (missing.length > 0)
    throw new UserError(
      'unavailable',
      `The partnership models are not built yet (${missing.join(', ')}): run "spend transforms run" first.`,
    );
}

export const serviceLevelParams = z.object({
  /** month: one row per month; year: one per contract year. */
  period: z.enum(['month', 'year']).default('year'),
  year: year.optional(),
  /** One body's rows (with the partnership's beside them unless `bodiesOnly`). */
  body: z.string().min(1).optional(),
  measure: z.enum(MEASURE_NAMES).optional(),
  /** Only rows in breach of the contractual target. */
  breachesOnly: z.boolean().default(false),
  /** Leave out the partnership's rows (a body's key sees only its own). */
  bodiesOnly: z.boolean().default(false),
});

const LEVEL_COLUMNS = `measure, scope, body_id, contract_year, value::varchar as value, status, breach,
  contractual::varchar as contractual, stretch::varchar as stretch, direction,
  rows_counted::bigint as rows_counted, rows_excluded::bigint as rows_excluded,
  numerator::varchar as numerator, denominator::varchar as denominator`;

export async function serviceLevels(conn: DuckDBConnection, params: z.output<typeof serviceLevelParams>) {
  const table = params.period === 'month' ? 'fct_service_levels' : 'fct_service_level_years';
  await requirePartnershipModels(conn, [table]);
  const rows = await queryRows(
    conn,
    `select ${LEVEL_COLUMNS}${params.period === 'month' ? `, strftime(month, '%Y-%m') as month` : ', months_measured::bigint as months_measured, months_in_breach::bigint as months_in_breach'}
     from ${table}
     where ($year is null or contract_year = $year)
       and ($measure is null or measure = $measure)
       and (($body is null and not $bodiesOnly) or body_id = $body or ($body is null and scope = 'body')
            or (scope = 'partnership' and not $bodiesOnly))
       and (not $breachesOnly or breach)
     order by contract_year, ${params.period === 'month' ? 'month, ' : ''}measure, scope desc, body_id`,
    {
      year: params.year ?? null,
      measure: params.measure ?? null,
      body: params.body ?? null,
      bodiesOnly: params.bodiesOnly,
      breachesOnly: params.breachesOnly,
    },
  );
  return { period: params.period, rows };
}

export const breachParams = z.object({
  year: year.optional(),
  month: month.optional(),
  body: z.string().min(1).optional(),
  measure: z.enum(MEASURE_NAMES).optional(),
  limit: z.number().int().min(1).max(100_000).default(1000),
});

/** The documents explaining each breached body-month. */
export async function breaches(conn: DuckDBConnection, params: z.output<typeof breachParams>) {
  await requirePartnershipModels(conn, ['fct_service_level_breaches']);
  const filter = `($year is null or contract_year = $year) and ($month is null or strftime(month, '%Y-%m') = $month)
    and ($body is null or body_id = $body) and ($measure is null or measure = $measure)`;
  const values = {
    year: params.year ?? null,
    month: params.month ?? null,
    body: params.body ?? null,
    measure: params.measure ?? null,
  };
  const [count] = await queryRows<{ n: number }>(
    conn,
    `select count(*)::integer as n from fct_service_level_breaches where ${filter}`,
    values,
  );
  const rows = await queryRows(
    conn,
    `select measure, body_id, strftime(month, '%Y-%m') as month, contract_year, value::varchar as value,
            contractual::varchar as contractual, document_kind, document_id, supplier_name,
            invoice_date::varchar as invoice_date, payment_date::varchar as payment_date, days_to_pay,
            currency, net_amount::varchar as net_amount, reason
     from fct_service_level_breaches where ${filter}
     order by contract_year, month, measure, body_id, days_to_pay desc nulls last, net_amount desc nulls last, document_id
     limit $limit`,
    { ...values, limit: params.limit },
  );
  return { total: count?.n ?? 0, rows };
}

export const commitmentParams = z.object({
  year: year.optional(),
  /** List the investment entries (the evidence) behind the figures. */
  entries: z.boolean().default(false),
});

const COMMITMENT_MONEY = ['committed', 'delivered', 'shortfall', 'above_commitment'] as const;

/** Investment against commitment per contract year and category, with totals (sums of the rows, in pence). */
export async function commitments(conn: DuckDBConnection, params: z.output<typeof commitmentParams>) {
  await requirePartnershipModels(conn, ['fct_partner_commitments', 'int_partner_investment']);
  const rows = await queryRows<Record<string, string | number | null>>(
    conn,
    `select contract_year, category, committed::varchar as committed, delivered::varchar as delivered,
            entries::bigint as entries, shortfall::varchar as shortfall, above_commitment::varchar as above_commitment, status
     from fct_partner_commitments where ($year is null or contract_year = $year)
     order by contract_year, list_position($categories, category), category`,
    { year: params.year ?? null, categories: JSON.stringify(COMMITMENT_CATEGORIES) },
  );
  const total = (column: string, subset: typeof rows) =>
    fromScaled(
      subset.reduce((s, r) => s + toScaled(String(r[column] ?? '0'), 2), 0n),
      2,
    );
  const years = [...new Set(rows.map((r) => Number(r.contract_year)))];
  const totals = years.map((y) => {
    const subset = rows.filter((r) => Number(r.contract_year) === y);
    return {
      contract_year: y,
      ...(Object.fromEntries(COMMITMENT_MONEY.map((c) => [c, total(c, subset)])) as Record<
        (typeof COMMITMENT_MONEY)[number],
        string
      >),
    };
  });
  const entries = params.entries
    ? await queryRows(
        conn,
        `select investment_id, contract_year, category, dated::varchar as dated, description, amount::varchar as amount,
                evidence_ref, approver, body_id, source_ref
         from int_partner_investment where ($year is null or contract_year = $year)
         order by dated, investment_id`,
        { year: params.year ?? null },
      )
    : undefined;
  return { rows, totals, ...(entries ? { entries } : {}) };
}

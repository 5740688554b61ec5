/**
 * The savings ledger's read and sign-off side, over what the transforms built
 * (int_savings_records, fct_savings_statement; docs/savings.md):
 * - signOff freezes a contract year's traced records up to a date, identified by the sha256 of
 *   their content, with who, when and why; later recalculation shows as variance against it;
 * - statement gives delivered against guaranteed per stream and body, with totals (each the sum
 *   of the rows, in pence) and a run-rate forecast to the year's end;
 * - explain walks a figure down to the records it sums, and a procurement record to its invoice
 *   line, baseline and index values.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { inTransaction, queryRows } from '../../lib/db.ts';
import { UserError } from '../../lib/errors.ts';
import { fromScaled, toScaled } from '../../lib/money.ts';
import { csvCell, type JsonValue } from '../../lib/output.ts';
import { runOnConnection } from '../runner.ts';
import { STREAMS } from './agreement.ts';
import { requireSavingsModels, utcNow } from './loads.ts';

const year = z.number().int().min(1990).max(2200);
const month = z.string().regex(/^\d{4}-\d{2}$/, 'a month written YYYY-MM');
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD');

const requireModels = (conn: DuckDBConnection) =>
  requireSavingsModels(conn, ['int_savings_records', 'fct_savings_statement']);

/** The first day of a contract year and the day after its last, from the statement's body years. */
async function yearBounds(
  conn: DuckDBConnection,
  contractYear: number,
): Promise<{ start: string; end: string }> {
  const rows = await queryRows<{ start: string | null; end: string | null }>(
    conn,
    `select min(year_start)::varchar as start, max(year_end)::varchar as "end"
     from int_savings_body_years where contract_year = $year`,
    { year: contractYear },
  );
  const bounds = rows[0];
  if (!bounds?.start || !bounds.end)
    throw new UserError(
      'not-found',
      `Contract year ${contractYear} is not in the agreement's term (spend agreements load).`,
    );
  return { start: bounds.start, end: bounds.end };
}

const lastDayOf = (yyyyMm: string): string => {
  const [y, m] = yyyyMm.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
const dayBefore = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

export const signOffParams = z.object({
  year,
  /** The last month signed off (YYYY-MM); the whole contract year when absent. */
  period: month.optional(),
  by: z.string().trim().min(1, 'who signs off (--by)').max(200),
  comment: z.string().trim().min(1, 'a comment says what was checked (--comment)').max(2000),
});

type FrozenRecord = {
  record_id: string;
  stream: string;
  body_id: string;
  contract_year: number;
  record_date: string;
  amount: string;
};

/** The sha256 identifying a snapshot: its records, one canonical line each, in record order. */
export function snapshotHash(records: FrozenRecord[]): string {
  const lines = records
    .map((r) => [r.record_id, r.stream, r.body_id, r.contract_year, r.record_date, r.amount].join('|'))
    .sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * What arrived since the savings records were last built: a sign-off must freeze current figures,
 * so it is refused until the transforms have run over them.
 */
async function changesSinceBuilt(conn: DuckDBConnection): Promise<string[]> {
  const [loads] = await queryRows<{ loads: number }>(
    conn,
    `select count(*)::integer as loads from savings_loads
     where loaded_at >= (select max(started_at) from transform_runs
                         where model = 'int_savings_records' and status = 'success')`,
  );
  const [batches] = await queryRows<{ batches: number }>(
    conn,
    `select count(*)::integer as batches from ingest_batches as b
     anti join transform_consumed_batches as c
       on c.model = 'int_savings_procurement_lines' and c.ingest_batch_id = b.ingest_batch_id`,
  );
  const changes: string[] = [];
  if ((loads?.loads ?? 0) > 0) changes.push(`${loads?.loads} savings load(s)`);
  if ((batches?.batches ?? 0) > 0) changes.push(`${batches?.batches} ingest batch(es)`);
  return changes;
}

export async function signOff(conn: DuckDBConnection, params: z.output<typeof signOffParams>) {
  await requireModels(conn);
  const changes = await changesSinceBuilt(conn);
  if (changes.length > 0)
    throw new UserError(
      'conflict',
      `${changes.join(' and ')} arrived since the savings were last built: run "spend transforms run", then sign off.`,
    );
  const bounds = await yearBounds(conn, params.year);
  const through = params.period ? lastDayOf(params.period) : dayBefore(bounds.end);
  if (through < bounds.start || through >= bounds.end)
    throw new UserError(
      'invalid-input',
      `${params.period} is not a month of contract year ${params.year} (${bounds.start} to ${dayBefore(bounds.end)}).`,
    );
  const previous = await queryRows<{ through_date: string }>(
    conn,
    `select through_date::varchar as through_date from savings_signoffs
     where contract_year = $year order by signoff_id desc limit 1`,
    { year: params.year },
  );
  if (previous[0] && previous[0].through_date > through)
    throw new UserError(
      'conflict',
      `Contract year ${params.year} is already signed off through ${previous[0].through_date}; a new sign-off covers at least that.`,
    );
  const result = await inTransaction(conn, async () => {
    const records = await queryRows<FrozenRecord>(
      conn,
      `select record_id, stream, body_id, contract_year, record_date::varchar as record_date, amount::varchar as amount
       from int_savings_records where contract_year = $year and record_date <= $through::date order by record_id`,
      { year: params.year, through },
    );
    const total = records.reduce((sum, r) => sum + toScaled(r.amount, 2), 0n);
    const hash = snapshotHash(records);
    const id = Number(
      (await queryRows<{ id: string }>(conn, "select nextval('savings_signoff_seq')::varchar as id"))[0]?.id,
    );
    await conn.run(
      `insert into savings_signoffs values ($id, $year, $through::date, $by, $at::timestamp, $comment, $hash, $n, $total::decimal(18,2))`,
      {
        id,
        year: params.year,
        through,
        by: params.by,
        at: utcNow(),
        comment: params.comment,
        hash,
        n: records.length,
        total: fromScaled(total, 2),
      },
    );
    await conn.run(
      `insert into savings_signoff_records
       select $id, record_id, stream, body_id, contract_year, record_date, amount
       from int_savings_records where contract_year = $year and record_date <= $through::date`,
      { id, year: params.year, through },
    );
    return {
      signoffId: id,
      year: params.year,
      through,
      by: params.by,
      records: records.length,
      total: fromScaled(total, 2),
      sha256: hash,
    };
  });
  // the statement's validated figures come from the sign-offs: refresh it now
  const run = await runOnConnection(conn, { select: ['fct_savings_statement'] });
  if (run.failed > 0) throw new Error(`fct_savings_statement did not rebuild: ${run.models[0]?.error}`);
  return result;
}

export async function listSignOffs(conn: DuckDBConnection) {
  return queryRows(
    conn,
    `select signoff_id::integer as signoff_id, contract_year, through_date::varchar as through_date, signed_by,
            strftime(signed_at, '%Y-%m-%d %H:%M:%S') as signed_at, comment, records, total::varchar as total, content_sha256
     from savings_signoffs order by signoff_id`,
  );
}

export const statementParams = z.object({
  year,
  body: z.string().min(1).optional(),
  /** The day the run-rate forecast is made on (default today, UTC). */
  asOf: isoDay.optional(),
});

export const MONEY_COLUMNS = [
  'guaranteed',
  'stretch',
  'validated',
  'realised_not_validated',
  'realised',
  'variance_since_validation',
  'shortfall',
  'due_from_partner',
  'gain_share_to_partner',
  'forecast_to_year_end',
] as const;
type MoneyColumn = (typeof MONEY_COLUMNS)[number];
const STATEMENT_COLUMNS = ['contract_year', 'stream', 'body_id', ...MONEY_COLUMNS, 'validated_through'];

/**
 * A statement as CSV, for `spend savings statement --csv` and the API alike: its rows, then a
 * total line. Money and the year are numbers to a spreadsheet; text cells are formula-safe.
 */
export function statementCsv(
  result: { rows: readonly object[]; totals: object },
  contractYear: number,
): string {
  const cell = (column: string, value: unknown) =>
    csvCell(
      value as JsonValue | undefined,
      column === 'contract_year' || (MONEY_COLUMNS as readonly string[]).includes(column),
    );
  const totals = result.totals as Record<string, unknown>;
  const lines = [STATEMENT_COLUMNS.join(',')];
  for (const row of result.rows as Record<string, unknown>[])
    lines.push(STATEMENT_COLUMNS.map((c) => cell(c, row[c])).join(','));
  lines.push(
    STATEMENT_COLUMNS.map((c) =>
      cell(c, c === 'stream' ? 'total' : c === 'contract_year' ? contractYear : totals[c]),
    ).join(','),
  );
  return `${lines.join('\r\n')}\r\n`;
}
export type StatementRow = {
  contract_year: number;
  stream: string;
  body_id: string;
  validated_through: string | null;
} & Record<MoneyColumn, string | null>;

/** Whole months of the contract year gone by on `asOf` (0–12). */
export function monthsElapsed(yearStart: string, asOf: string): number {
  const months =
    (Number(asOf.slice(0, 4)) - Number(yearStart.slice(0, 4))) * 12 +
    Number(asOf.slice(5, 7)) -
    Number(yearStart.slice(5, 7));
  return Math.max(0, Math.min(12, months));
}

/** realised × 12 ÷ months elapsed, in pence, half away from zero; null before a month has passed. */
export function runRateForecast(realised: string, elapsed: number): string | null {
  if (elapsed <= 0) return null;
  if (elapsed >= 12) return realised;
  const pence = toScaled(realised, 2) * 12n;
  const divisor = BigInt(elapsed);
  const magnitude = ((pence < 0n ? -pence : pence) * 2n + divisor) / (2n * divisor);
  return fromScaled(pence < 0n ? -magnitude : magnitude, 2);
}

/** Each money column summed over the rows, in pence (null where no row has a figure). */
function columnTotals(rows: StatementRow[]): Record<MoneyColumn, string | null> {
  return Object.fromEntries(
    MONEY_COLUMNS.map((column) => {
      const values = rows.map((r) => r[column]).filter((v): v is string => v !== null);
      const sum = values.reduce((s, v) => s + toScaled(v, 2), 0n);
      return [column, values.length === 0 ? null : fromScaled(sum, 2)];
    }),
  ) as Record<MoneyColumn, string | null>;
}

export async function statement(conn: DuckDBConnection, params: z.output<typeof statementParams>) {
  await requireModels(conn);
  const bounds = await yearBounds(conn, params.year);
  const asOf = params.asOf ?? new Date().toISOString().slice(0, 10);
  const elapsed = monthsElapsed(bounds.start, asOf);
  const rows = await queryRows<
    StatementRow & { months_member: number; stretch_met: boolean; records: number; signoff_id: number | null }
  >(
    conn,
    `select contract_year, stream, body_id, months_member, ${MONEY_COLUMNS.filter(
      (c) => c !== 'forecast_to_year_end',
    )
      .map((c) => `${c}::varchar as ${c}`)
      .join(', ')},
            validated_through::varchar as validated_through, signoff_id::integer as signoff_id, stretch_met, records::integer as records
     from fct_savings_statement
     where contract_year = $year and ($body is null or body_id = $body)
     order by stream, body_id`,
    { year: params.year, body: params.body ?? null },
  );
  if (params.body && rows.length === 0)
    throw new UserError('not-found', `Body ${params.body} is not in the agreement for ${params.year}.`);
  for (const row of rows) row.forecast_to_year_end = runRateForecast(row.realised ?? '0', elapsed);
  // every total is the sum of the rows above it
  const totals = columnTotals(rows);
  const byStream = STREAMS.map((stream) => ({
    stream,
    ...columnTotals(rows.filter((r) => r.stream === stream)),
  }));
  return {
    year: params.year,
    yearStart: bounds.start,
    yearEnd: dayBefore(bounds.end),
    asOf,
    monthsElapsed: elapsed,
    rows,
    byStream,
    totals,
  };
}

export const explainParams = z.object({
  year,
  stream: z.enum(STREAMS).optional(),
  body: z.string().min(1).optional(),
  /** Which figure: today's realised records, or those the latest sign-off froze. */
  figure: z.enum(['realised', 'validated']).default('realised'),
  /** One record, in full (its invoice line, baseline and index values for procurement). */
  record: z.string().min(1).optional(),
});

export async function explain(conn: DuckDBConnection, params: z.output<typeof explainParams>) {
  await requireModels(conn);
  if (params.record) return explainRecord(conn, params.record);
  const filter = `contract_year = $year and ($stream is null or stream = $stream) and ($body is null or body_id = $body)`;
  const values = { year: params.year, stream: params.stream ?? null, body: params.body ?? null };
  const records =
    params.figure === 'realised'
      ? await queryRows<{ amount: string }>(
          conn,
          `select record_id, stream, body_id, record_date::varchar as record_date, amount::varchar as amount, detail, source_ref
           from int_savings_records where ${filter} order by record_date, record_id`,
          values,
        )
      : await queryRows<{ amount: string }>(
          conn,
          `select frozen.record_id, frozen.stream, frozen.body_id, frozen.record_date::varchar as record_date,
                  frozen.amount::varchar as amount, current.amount::varchar as amount_now, frozen.signoff_id::integer as signoff_id
           from savings_signoff_records as frozen
           left join int_savings_records as current using (record_id)
           where frozen.signoff_id = (select max(signoff_id) from savings_signoffs where contract_year = $year)
             and frozen.contract_year = $year and ($stream is null or frozen.stream = $stream)
             and ($body is null or frozen.body_id = $body)
           order by frozen.record_date, frozen.record_id`,
          values,
        );
  const total = records.reduce((sum, r) => sum + toScaled(r.amount, 2), 0n);
  return { ...values, figure: params.figure, total: fromScaled(total, 2), records };
}

async function explainRecord(conn: DuckDBConnection, recordId: string) {
  const [record] = await queryRows<{ stream: string; body_id: string }>(
    conn,
    `select record_id, stream, body_id, contract_year, record_date::varchar as record_date, amount::varchar as amount, detail, source_ref
     from int_savings_records where record_id = $recordId`,
    { recordId },
  );
  if (!record)
    throw new UserError(
      'not-found',
      `No savings record ${recordId} (spend savings explain --year Y lists them).`,
    );
  const signoffs = await queryRows(
    conn,
    `select signoff_id::integer as signoff_id, amount::varchar as amount_validated from savings_signoff_records where record_id = $recordId order by signoff_id`,
    { recordId },
  );
  if (record.stream !== 'procurement') return { record, signoffs };
  const [, , invoiceId, lineNo] = /^procurement:([^:]+):(.*):(\d+)$/.exec(recordId) ?? [];
  const [line] = await queryRows(
    conn,
    `select p.*, p.quantity::varchar as quantity, p.unit_price::varchar as unit_price, p.reference_price::varchar as reference_price,
            p.indexed_price::varchar as indexed_price, p.index_base::varchar as index_base, p.index_now::varchar as index_now
     from int_savings_procurement_lines as p
     where p.body_id = $body and p.invoice_id = $invoice and p.line_no = $line`,
    { body: record.body_id, invoice: invoiceId ?? '', line: Number(lineNo) },
  );
  const baseline = await queryRows(
    conn,
    `select b.baseline_unit_price::varchar as baseline_unit_price, b.baseline_lines::integer as baseline_lines, b.baseline_quantity::varchar as baseline_quantity,
            b.baseline_net_amount::varchar as baseline_net_amount, b.baseline_start::varchar as baseline_start,
            b.baseline_end::varchar as baseline_end, b.baseline_mid_month::varchar as baseline_mid_month
     from int_savings_baselines as b
     inner join int_savings_procurement_lines as p using (body_id, item_code, unit)
     where p.body_id = $body and p.invoice_id = $invoice and p.line_no = $line and p.basis = 'baseline'`,
    { body: record.body_id, invoice: invoiceId ?? '', line: Number(lineNo) },
  );
  return { record, line, baseline: baseline[0] ?? null, signoffs };
}

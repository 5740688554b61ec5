/**
 * The quarterly partnership report's figures (docs/partnership.md), for the board and elected
 * members: spend and collective buying power, savings against guarantees, service levels against
 * targets, the partner's investment against its commitments, membership changes, and the
 * commentary someone wrote for it. Every figure is read from the marts the transforms built (and
 * the bodies register), so the report says what `spend query` and the API say. report-page.ts
 * renders it as a printable page.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { queryRows, tableExists } from '../../lib/db.ts';
import { UserError } from '../../lib/errors.ts';
import { listMembershipEvents } from '../../lib/membership.ts';
import { fromScaled, toScaled } from '../../lib/money.ts';
import { statement } from '../savings/ledger.ts';
import { commitments, requirePartnershipModels } from './performance.ts';
import { MEASURES, type Measure } from './terms.ts';

export const reportParams = z.object({
  quarter: z
    .string()
    .regex(/^\d{4}Q[1-4]$/, 'a calendar quarter written YYYYQn (2025Q3: July to September 2025)'),
  /** Commentary for the report (markdown-like text: `## Section` headings, blank-line paragraphs). */
  commentary: z.string().max(200_000).optional(),
});

export const REPORT_SECTIONS = ['spend', 'savings', 'service-levels', 'commitments', 'membership'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

/** The quarter's first day and the day after its last. */
export function quarterBounds(quarter: string): { start: string; end: string; lastDay: string } {
  const yearNumber = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(5));
  const startMonth = (q - 1) * 3 + 1;
  const start = `${yearNumber}-${String(startMonth).padStart(2, '0')}-01`;
  const end =
    q === 4 ? `${yearNumber + 1}-01-01` : `${yearNumber}-${String(startMonth + 3).padStart(2, '0')}-01`;
  const lastDay = new Date(Date.parse(`${end}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return { start, end, lastDay };
}

/**
 * Commentary text split by section: text before any heading is the summary; `## Spend`,
 * `## Savings`, `## Service levels`, `## Commitments`, `## Membership` go to their sections (any
 * other heading stays in the summary with its text).
 */
export function splitCommentary(
  text: string | undefined,
): Partial<Record<ReportSection | 'summary', string>> {
  if (!text?.trim()) return {};
  const out: Partial<Record<ReportSection | 'summary', string[]>> = {};
  let current: ReportSection | 'summary' = 'summary';
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = /^#{1,3}\s+(.+?)\s*$/.exec(line);
    if (heading) {
      const key = (heading[1] as string)
        .toLowerCase()
        .replace(/[^a-z]+/g, '-')
        .replace(/^-|-$/g, '');
      const section = REPORT_SECTIONS.find((s) => key === s || key.startsWith(s));
      if (section) {
        current = section;
        continue;
      }
      current = 'summary';
    }
    const bucket = out[current] ?? [];
    bucket.push(line);
    out[current] = bucket;
  }
  return Object.fromEntries(
    Object.entries(out)
      .map(([k, lines]) => [k, (lines as string[]).join('\n').trim()])
      .filter(([, v]) => v),
  );
}

/** numerator ÷ denominator half up: tenths of a day, or hundredths of a percent (as fct_service_levels). */
export function measureValue(measure: string, numerator: string, denominator: string): string | null {
  const a = toScaled(numerator, 2);
  const b = toScaled(denominator, 2);
  if (b === 0n) return null;
  const [scale, places] = measure === 'days_to_pay' ? [10n, 1] : [10_000n, 2];
  const scaled = (2n * scale * a + b) / (2n * b);
  return fromScaled(scaled, places);
}

/** 'breach' | 'met' | 'stretch met' | 'no target' | 'no data', as the marts judge a value. */
export function judge(
  measure: string,
  value: string | null,
  contractual: string | null,
  stretch: string | null,
): string {
  if (value === null) return 'no data';
  if (contractual === null) return 'no target';
  const lower = MEASURES[measure as Measure]?.direction === 'lower';
  const v = toScaled(value, 2);
  const c = toScaled(contractual, 2);
  const s = toScaled(stretch ?? contractual, 2);
  if (lower ? v > c : v < c) return 'breach';
  if (lower ? v <= s : v >= s) return 'stretch met';
  return 'met';
}

async function spendSection(conn: DuckDBConnection, start: string, end: string) {
  const lines = `from int_spend_lines as s
     inner join bodies as b using (body_id)
     where s.currency = 'GBP' and s.in_partnership and b.status <> 'prospective'
       and s.spend_date >= $start::date and s.spend_date < $end::date`;
  const [totals] = await queryRows<{
    total: string | null;
    invoices: number;
    suppliers: number;
    bodies: number;
  }>(
    conn,
    `select coalesce(sum(s.net_amount), 0)::varchar as total, count(distinct (s.body_id, s.invoice_id))::integer as invoices,
            count(distinct s.supplier_entity_id)::integer as suppliers, count(distinct s.body_id)::integer as bodies ${lines}`,
    { start, end },
  );
  const byBody = await queryRows(
    conn,
    `select s.body_id, any_value(b.name) as name, sum(s.net_amount)::varchar as spend,
            count(distinct s.invoice_id)::integer as invoices ${lines}
     group by s.body_id order by sum(s.net_amount) desc, s.body_id`,
    { start, end },
  );
  // collective buying power: suppliers two or more bodies paid in the quarter, and their combined spend
  const sharedSql = `with per_entity as (
       select s.supplier_entity_id as entity_id, count(distinct s.body_id) as bodies, sum(s.net_amount) as spend
       ${lines} and s.supplier_entity_id is not null
       group by s.supplier_entity_id having count(distinct s.body_id) >= 2)`;
  const [shared] = await queryRows<{ suppliers: number; spend: string }>(
    conn,
    `${sharedSql} select count(*)::integer as suppliers, coalesce(sum(spend), 0)::varchar as spend from per_entity`,
    { start, end },
  );
  const topShared = await queryRows(
    conn,
    `${sharedSql}
     select per_entity.entity_id, coalesce(d.entity_name, per_entity.entity_id) as supplier, per_entity.bodies::integer as bodies,
            per_entity.spend::varchar as spend
     from per_entity left join dim_supplier_entities as d using (entity_id)
     order by per_entity.spend desc, per_entity.entity_id limit 10`,
    { start, end },
  );
  return {
    total: totals?.total ?? '0',
    invoices: totals?.invoices ?? 0,
    suppliers: totals?.suppliers ?? 0,
    bodies: totals?.bodies ?? 0,
    byBody,
    shared: { suppliers: shared?.suppliers ?? 0, spend: shared?.spend ?? '0' },
    topShared,
  };
}

async function serviceLevelSection(conn: DuckDBConnection, start: string, end: string, contractYear: number) {
  const sums = await queryRows<{
    measure: string;
    scope: string;
    body_id: string | null;
    numerator: string;
    denominator: string;
    rows_counted: number;
    rows_excluded: number;
    months_in_breach: number;
    contractual: string | null;
    stretch: string | null;
  }>(
    conn,
    `select measure, scope, body_id, sum(numerator)::varchar as numerator, sum(denominator)::varchar as denominator,
            sum(rows_counted)::integer as rows_counted, sum(rows_excluded)::integer as rows_excluded,
            count(*) filter (where breach)::integer as months_in_breach,
            any_value(contractual)::varchar as contractual, any_value(stretch)::varchar as stretch
     from fct_service_levels where month >= $start::date and month < $end::date
     group by measure, scope, body_id`,
    { start, end },
  );
  const targets = await queryRows<{ measure: string; contractual: string; stretch: string }>(
    conn,
    `select measure, contractual::varchar as contractual, stretch::varchar as stretch
     from int_service_level_targets where contract_year = $year`,
    { year: contractYear },
  );
  const measures = (Object.keys(MEASURES) as Measure[]).map((measure) => {
    const target = targets.find((t) => t.measure === measure);
    const contractual = target?.contractual ?? null;
    const stretch = target?.stretch ?? null;
    const partnership = sums.find((s) => s.measure === measure && s.scope === 'partnership');
    const value = partnership ? measureValue(measure, partnership.numerator, partnership.denominator) : null;
    const bodies = sums
      .filter((s) => s.measure === measure && s.scope === 'body')
      .map((s) => {
        const v = measureValue(measure, s.numerator, s.denominator);
        return {
          body_id: s.body_id,
          value: v,
          status: judge(measure, v, contractual, stretch),
          rows_counted: s.rows_counted,
          rows_excluded: s.rows_excluded,
          months_in_breach: s.months_in_breach,
        };
      })
      .sort((a, b) => String(a.body_id).localeCompare(String(b.body_id)));
    return {
      measure,
      label: MEASURES[measure].label,
      direction: MEASURES[measure].direction,
      value,
      contractual,
      stretch,
      status: judge(measure, value, contractual, stretch),
      rows_counted: partnership?.rows_counted ?? 0,
      rows_excluded: partnership?.rows_excluded ?? 0,
      bodies,
    };
  });
  const [breachCount] = await queryRows<{ n: number }>(
    conn,
    `select count(*)::integer as n from fct_service_level_breaches where month >= $start::date and month < $end::date`,
    { start, end },
  );
  // the documents that explain the worst of the quarter's breaches, for the reader to follow up
  const explanations = await queryRows(
    conn,
    `select measure, body_id, strftime(month, '%Y-%m') as month, document_kind, document_id, supplier_name,
            invoice_date::varchar as invoice_date, payment_date::varchar as payment_date, days_to_pay,
            net_amount::varchar as net_amount, reason
     from fct_service_level_breaches where month >= $start::date and month < $end::date
     order by days_to_pay desc nulls last, net_amount desc nulls last, body_id, document_id limit 15`,
    { start, end },
  );
  return { contractYear, measures, breachDocuments: breachCount?.n ?? 0, explanations };
}

async function membershipSection(conn: DuckDBConnection, start: string, lastDay: string) {
  const bodies = await queryRows<{
    body_id: string;
    name: string;
    kind: string;
    status: string;
    joined_on: string | null;
    left_on: string | null;
  }>(
    conn,
    `select body_id, name, kind, status, joined_on::varchar as joined_on, left_on::varchar as left_on
     from bodies order by body_id`,
  );
  const members = bodies.filter(
    (b) =>
      b.status !== 'prospective' &&
      b.joined_on !== null &&
      b.joined_on <= lastDay &&
      (b.left_on === null || b.left_on > lastDay),
  );
  // the membership history (docs/membership.md): every change taking effect in the quarter
  const changes = (await listMembershipEvents(conn, { from: start, to: lastDay })).map((e) => ({
    body_id: e.bodyId,
    name: bodies.find((b) => b.body_id === e.bodyId)?.name ?? e.bodyId,
    change: e.change,
    status: e.status,
    effective_on: e.effectiveOn,
    services: e.servicesInScope.join(', '),
    note: e.note,
  }));
  return {
    asOf: lastDay,
    members,
    changes,
    joined: changes.filter(
      (c) => c.change === 'joined' || (c.change === 'registered' && c.status === 'active'),
    ),
    left: changes.filter((c) => c.change === 'left'),
    prospective: bodies.filter((b) => b.status === 'prospective'),
  };
}

export async function partnershipReport(conn: DuckDBConnection, params: z.output<typeof reportParams>) {
  await requirePartnershipModels(conn, [
    'int_spend_lines',
    'fct_service_levels',
    'fct_service_level_breaches',
    'int_service_level_targets',
    'fct_partner_commitments',
    'int_savings_agreement',
  ]);
  const { start, end, lastDay } = quarterBounds(params.quarter);
  const [agreement] = await queryRows<{ agreement_id: string; partner: string; year_start_month: number }>(
    conn,
    'select agreement_id, partner, year_start_month from int_savings_agreement',
  );
  if (!agreement)
    throw new UserError('not-found', 'No agreement is loaded (spend agreements load agreement.yaml).');
  const contractYear =
    Number(start.slice(0, 4)) - (Number(start.slice(5, 7)) < agreement.year_start_month ? 1 : 0);
  const savings = (await tableExists(conn, 'fct_savings_statement'))
    ? await statement(conn, { year: contractYear, asOf: lastDay }).catch((error: unknown) => {
        if (error instanceof UserError) return null;
        throw error;
      })
    : null;
  const invested = await commitments(conn, { year: contractYear, entries: true });
  const entries = (invested.entries ?? []) as { dated: string }[];
  return {
    quarter: params.quarter,
    start,
    end: lastDay,
    contractYear,
    agreement: { id: agreement.agreement_id, partner: agreement.partner },
    generatedAt: new Date().toISOString().slice(0, 19).replace('T', ' '),
    spend: await spendSection(conn, start, end),
    savings,
    serviceLevels: await serviceLevelSection(conn, start, end, contractYear),
    commitments: {
      rows: invested.rows,
      totals: invested.totals[0] ?? null,
      entriesInQuarter: entries.filter((e) => e.dated >= start && e.dated <= lastDay),
    },
    membership: await membershipSection(conn, start, lastDay),
    commentary: splitCommentary(params.commentary),
  };
}
export type PartnershipReport = Awaited<ReturnType<typeof partnershipReport>>;

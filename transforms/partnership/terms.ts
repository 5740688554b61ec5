/**
 * The agreement's partnership terms beside its guarantees (docs/partnership.md): service levels
 * (contractual and stretch targets per contract year and measure) and the partner's investment
 * commitments (per contract year and category). Validated with zod as part of the agreement file
 * (transforms/savings/agreement.ts) and stored with each agreement version.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { bodyId } from '../../lib/fields.ts';

/** The service levels measured from the feeds; `lower` is better for days, `higher` for shares. */
export const MEASURES = {
  days_to_pay: { direction: 'lower', label: 'Average days from invoice to payment' },
  paid_within_30_days_pct: { direction: 'higher', label: 'Invoices paid within 30 days (%)' },
  small_suppliers_paid_within_10_days_pct: {
    direction: 'higher',
    label: 'Small-supplier invoices paid within 10 days (%)',
  },
  po_spend_pct: { direction: 'higher', label: 'Spend under a purchase order (%)' },
  contract_spend_pct: { direction: 'higher', label: 'Spend with a contract reference (%)' },
  e_invoice_pct: { direction: 'higher', label: 'Invoices received as e-invoices (%)' },
  clean_uploads_pct: { direction: 'higher', label: 'Uploads reconciled without rejections (%)' },
} as const;
export type Measure = keyof typeof MEASURES;
export const MEASURE_NAMES = Object.keys(MEASURES) as [Measure, ...Measure[]];

export const COMMITMENT_CATEGORIES = [
  'maintaining_services',
  'improving_services',
  'community_development',
  'savings_team',
] as const;
export type CommitmentCategory = (typeof COMMITMENT_CATEGORIES)[number];

const level = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d{1,5}(\.\d{1,2})?$/, 'a number not below 0, at most 2 decimal places'));
const money = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d+(\.\d{1,2})?$/, 'an amount in pounds, at most 2 decimal places, not negative'));

/** A measure's targets: the stretch target is at least as good as the contractual one. */
const target = (measure: Measure) =>
  z
    .object({ contractual: level, stretch: level.optional() })
    .strict()
    .superRefine((t, ctx) => {
      const lower = MEASURES[measure].direction === 'lower';
      if (!lower && Number(t.contractual) > 100)
        ctx.addIssue({ code: 'custom', path: ['contractual'], message: 'a percentage of at most 100' });
      if (t.stretch === undefined) return;
      if (!lower && Number(t.stretch) > 100)
        ctx.addIssue({ code: 'custom', path: ['stretch'], message: 'a percentage of at most 100' });
      const better = lower
        ? Number(t.stretch) <= Number(t.contractual)
        : Number(t.stretch) >= Number(t.contractual);
      if (!better)
        ctx.addIssue({
          code: 'custom',
          path: ['stretch'],
          message: `the stretch target is at least as good as the contractual one (${lower ? 'at most' : 'at least'} ${t.contractual})`,
        });
    });

const uniqueYears = (years: { year: number }[]) => new Set(years.map((y) => y.year)).size === years.length;
const contractYear = z.number().int().min(1990).max(2200);

export const serviceLevelsSchema = z
  .array(
    z
      .object({
        year: contractYear,
        ...Object.fromEntries(MEASURE_NAMES.map((m) => [m, target(m).optional()])),
      })
      .strict(),
  )
  .default([])
  .refine(uniqueYears, 'each contract year once');

export const commitmentsSchema = z
  .array(
    z
      .object({
        year: contractYear,
        ...Object.fromEntries(COMMITMENT_CATEGORIES.map((c) => [c, money.optional()])),
      })
      .strict(),
  )
  .default([])
  .refine(uniqueYears, 'each contract year once');

type Terms = {
  service_levels: z.output<typeof serviceLevelsSchema>;
  commitments: z.output<typeof commitmentsSchema>;
};

/** The rows stored for an agreement version: one per year × measure set, one per year × category. */
export function partnershipTermRows(terms: Terms) {
  const targets = terms.service_levels.flatMap((entry) =>
    MEASURE_NAMES.flatMap((measure) => {
      const t = (entry as Record<string, unknown>)[measure] as
        | { contractual: string; stretch?: string }
        | undefined;
      return t
        ? [
            {
              contractYear: entry.year,
              measure,
              contractual: t.contractual,
              stretch: t.stretch ?? t.contractual,
            },
          ]
        : [];
    }),
  );
  const commitments = terms.commitments.flatMap((entry) =>
    COMMITMENT_CATEGORIES.flatMap((category) => {
      const committed = (entry as Record<string, unknown>)[category] as string | undefined;
      return committed === undefined ? [] : [{ contractYear: entry.year, category, committed }];
    }),
  );
  return { targets, commitments };
}

/** Stores an agreement version's service levels and commitments (inside its load's transaction). */
export async function storePartnershipTerms(conn: DuckDBConnection, loadId: number, terms: Terms) {
  const { targets, commitments } = partnershipTermRows(terms);
  for (const t of targets) {
    await conn.run(
      `insert into partnership_service_levels values ($loadId, $year, $measure, $contractual::decimal(9,2), $stretch::decimal(9,2))`,
      { loadId, year: t.contractYear, measure: t.measure, contractual: t.contractual, stretch: t.stretch },
    );
  }
  for (const c of commitments) {
    await conn.run(
      `insert into partnership_commitments values ($loadId, $year, $category, $committed::decimal(18,2))`,
      { loadId, year: c.contractYear, category: c.category, committed: c.committed },
    );
  }
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD')
  .refine(
    (text) => !Number.isNaN(Date.parse(text)) && new Date(text).toISOString().startsWith(text),
    'not a real date',
  );
const required = z.string().trim().min(1, 'required');

/**
 * The investment register's CSV (`spend commitments load FILE`, kind `investment` of the savings
 * loads): one row per delivered investment, with its evidence and approver, like the savings
 * evidence register. `body_id` may be empty (an investment for the whole partnership).
 */
export const INVESTMENT_CSV = {
  table: 'partnership_investment',
  fields: {
    investment_id: required,
    category: z.enum(COMMITMENT_CATEGORIES, {
      error: `one of ${COMMITMENT_CATEGORIES.join(', ')}`,
    }),
    dated: isoDate,
    description: required,
    amount: z
      .string()
      .regex(/^-?\d+(\.\d{1,2})?$/, 'a decimal number with at most 2 decimal places, no £ or commas'),
    evidence_ref: required,
    approver: required,
    body_id: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), bodyId.optional()),
  },
  key: (r: Record<string, unknown>) => String(r.investment_id),
};

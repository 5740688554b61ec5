/**
 * The partnership agreement as a YAML file (docs/savings.md documents every field), validated
 * with zod. Errors name the file, line and field: zod's issue path is looked up in the YAML
 * document for the node's position. Numbers are read as the text the user wrote (1200.50 stays
 * "1200.50"): money never passes through a float.
 */
import { LineCounter, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { UserError } from '../../lib/errors.ts';
import { bodyId } from '../../lib/fields.ts';
import { commitmentsSchema, serviceLevelsSchema } from '../partnership/terms.ts';

export const STREAMS = [
  'procurement',
  'services_transferred',
  'consequential',
  'third_party_revenue_share',
] as const;
export type Stream = (typeof STREAMS)[number];

/**
 * Which month's index value a baseline is indexed to, against the index of the baseline's
 * mid-point month: the invoice's own month, or the first month of the record's contract year.
 */
export const INDEX_MONTHS = ['invoice-month', 'contract-year-start'] as const;
export type IndexMonth = (typeof INDEX_MONTHS)[number];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, 'not a real date');
const money = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d+(\.\d{1,2})?$/, 'an amount in pounds, at most 2 decimal places, not negative'));
const percent = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d{1,3}(\.\d{1,4})?$/, 'a percentage, at most 4 decimal places'))
  .refine((text) => Number(text) <= 100, 'a percentage of at most 100');

const rules = z
  .object({
    indexation: z.boolean(),
    cost_avoidance_counts: z.boolean(),
    net_price_increases: z.boolean(),
    split: z.literal('pro-rata-months'),
    partner_pays_shortfall: z.boolean(),
    partner_share_above_guarantee_pct: percent,
    // which month's index a baseline is indexed to (docs/savings.md): optional, so agreements
    // written before the rule existed compute as they did (the invoice month)
    index_month: z.enum(INDEX_MONTHS).optional(),
  })
  .strict();
const ruleOverrides = rules.partial();

const streamGuarantee = ruleOverrides
  .extend({ guaranteed: money, stretch: money.optional() })
  .strict()
  .refine((g) => g.stretch === undefined || Number(g.stretch) >= Number(g.guaranteed), {
    message: 'the stretch target is at least the guarantee',
    path: ['stretch'],
  });

export const agreementSchema = z
  .object({
    agreement: z.string().min(1).max(200),
    partner: z.string().min(1).max(500),
    start: isoDate.refine((d) => d.endsWith('-01'), 'the agreement starts on the first of a month'),
    term_years: z.number().int().min(1).max(50),
    contract_year_start_month: z.number().int().min(1).max(12),
    revenue_share_pct: percent.default('0'),
    rules,
    bodies: z
      .array(
        z
          .object({
            id: bodyId,
            joined: isoDate,
            left: isoDate.nullable().optional(),
            services: z.array(z.string().min(1)).default([]),
            baseline: z
              .object({ start: isoDate, end: isoDate })
              .strict()
              .refine((b) => b.start <= b.end, {
                message: 'the baseline ends after it starts',
                path: ['end'],
              })
              .optional(),
          })
          .strict()
          .refine((b) => !b.left || b.left >= b.joined, {
            message: 'a body leaves after it joins',
            path: ['left'],
          }),
      )
      .min(1, 'at least one body')
      .refine((bodies) => new Set(bodies.map((b) => b.id)).size === bodies.length, 'each body once'),
    guarantees: z
      .array(
        z
          .object({
            year: z.number().int().min(1990).max(2200),
            procurement: streamGuarantee.optional(),
            services_transferred: streamGuarantee.optional(),
            consequential: streamGuarantee.optional(),
            third_party_revenue_share: streamGuarantee.optional(),
          })
          .strict(),
      )
      .default([])
      .refine((years) => new Set(years.map((y) => y.year)).size === years.length, 'each contract year once'),
    // service levels and the partner's investment commitments (docs/partnership.md)
    service_levels: serviceLevelsSchema,
    commitments: commitmentsSchema,
  })
  .strict();
export type Agreement = z.output<typeof agreementSchema>;

/** One guarantee row per contract year × stream of the term, as stored (savings_guarantees). */
export type GuaranteeRow = {
  contractYear: number;
  stream: Stream;
  guaranteed: string;
  stretch: string;
  indexation: boolean;
  costAvoidanceCounts: boolean;
  netPriceIncreases: boolean;
  split: string;
  partnerPaysShortfall: boolean;
  partnerShareAboveGuaranteePct: string;
  indexMonth: IndexMonth;
};

/** The calendar year a contract year starts in, for a date (contract years start in `startMonth`). */
export function contractYearOf(date: string, startMonth: number): number {
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) < startMonth ? year - 1 : year;
}

const addMonths = (date: string, months: number): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};
const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The agreement's stored shape: its term, bodies (with baseline periods) and every guarantee row. */
export function normaliseAgreement(agreement: Agreement) {
  const endDate = addMonths(agreement.start, 12 * agreement.term_years);
  const firstYear = contractYearOf(agreement.start, agreement.contract_year_start_month);
  const lastYear = contractYearOf(addDays(endDate, -1), agreement.contract_year_start_month);
  const guarantees: GuaranteeRow[] = [];
  for (let year = firstYear; year <= lastYear; year++) {
    const entry = agreement.guarantees.find((g) => g.year === year);
    for (const stream of STREAMS) {
      const g = entry?.[stream];
      const r = {
        ...agreement.rules,
        ...Object.fromEntries(Object.entries(g ?? {}).filter(([, v]) => v !== undefined)),
      };
      guarantees.push({
        contractYear: year,
        stream,
        guaranteed: g?.guaranteed ?? '0',
        stretch: g?.stretch ?? g?.guaranteed ?? '0',
        indexation: r.indexation,
        costAvoidanceCounts: r.cost_avoidance_counts,
        netPriceIncreases: r.net_price_increases,
        split: r.split,
        partnerPaysShortfall: r.partner_pays_shortfall,
        partnerShareAboveGuaranteePct: r.partner_share_above_guarantee_pct,
        indexMonth: r.index_month ?? 'invoice-month',
      });
    }
  }
  const bodies = agreement.bodies.map((b) => {
    // by default, the 12 months before the body joined (from the first of its joining month)
    const joinedMonth = `${b.joined.slice(0, 7)}-01`;
    return {
      bodyId: b.id,
      joinedOn: b.joined,
      leftOn: b.left ?? null,
      services: b.services,
      baselineStart: b.baseline?.start ?? addMonths(joinedMonth, -12),
      baselineEnd: b.baseline ? addDays(b.baseline.end, 1) : joinedMonth,
    };
  });
  return { endDate, firstYear, lastYear, guarantees, bodies };
}

/**
 * Parses and validates an agreement file. Throws a UserError listing every problem as
 * `file:line: field: message`.
 */
export function parseAgreement(fileName: string, text: string): Agreement {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined) =>
    offset === undefined ? fileName : `${fileName}:${lineCounter.linePos(offset).line}`;
  if (doc.errors.length > 0) {
    throw new UserError(
      'invalid-input',
      `${fileName} is not valid YAML:\n${doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split('\n')[0]}`).join('\n')}`,
    );
  }
  // numbers as written: "1200.50" must not become the float 1200.5
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && !Number.isInteger(node.value) && node.source)
        node.value = node.source;
    },
  });
  const result = agreementSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    // the deepest node of the path that exists: a missing field is reported at its parent
    let path = issue.path as (string | number)[];
    let node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    while (!node?.range && path.length > 0) {
      path = path.slice(0, -1);
      node = (path.length ? doc.getIn(path, true) : doc.contents) as typeof node;
    }
    const field = issue.path.length ? issue.path.join('.') : '(document)';
    return `${at(node?.range?.[0])}: ${field}: ${issue.message}`;
  });
  throw new UserError('invalid-input', `${fileName} is not a valid agreement:\n${problems.join('\n')}`);
}

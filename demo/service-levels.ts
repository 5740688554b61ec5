/**
 * The demo partnership's performance terms (docs/partnership.md) and what they plant:
 * - service levels in the agreement, the same targets every contract year;
 * - an SLA breach year: one body (Riverton City Council, whose extracts carry both invoice and
 *   payment dates) pays every invoice of one contract year SLOW_EXTRA_DAYS later than usual, so
 *   that year its average days to pay and its share paid within 30 days miss their contractual
 *   targets, and no other body-year does (usual payments take 7–35 days: about 21 on average,
 *   83 % within 30 days; slowed, 32–60 days);
 * - the partner's investment commitments per contract year and category, and an investment
 *   register delivering them quarter by quarter, one category short in one year.
 * The generator calls `extraPaymentDays` (demo/body-month.ts); `spend demo` loads the terms with
 * the agreement (demo/savings.ts) and records `planted` in the manifest. Amounts are worked out
 * in whole pence with BigInt, independently of the product's money code.
 */
import type { DemoBody } from './bodies.ts';
import { addMonths, type Day, dayFromIso } from './calendar.ts';

export const SLOW_BODY = 'riverton-city-council';
export const SLOW_EXTRA_DAYS = 25;

/** The slowed invoices: those the slow body dated in the third contract year of the demo period. */
export interface SlowPayments {
  bodyId: string;
  fromDay: Day;
  /** The day after the last slowed invoice day. */
  toDay: Day;
  extraDays: number;
}

export function planSlowPayments(startDay: Day, endDay: Day): SlowPayments | null {
  const fromDay = addMonths(startDay, 24);
  if (fromDay > endDay) return null;
  return { bodyId: SLOW_BODY, fromDay, toDay: addMonths(startDay, 36), extraDays: SLOW_EXTRA_DAYS };
}

/** Days added to an invoice's usual time to pay (0 unless it is one of the slowed ones). */
export function extraPaymentDays(
  plan: SlowPayments | null | undefined,
  bodyId: string,
  invoiceDay: Day,
): number {
  if (!plan || bodyId !== plan.bodyId) return 0;
  return invoiceDay >= plan.fromDay && invoiceDay < plan.toDay ? plan.extraDays : 0;
}

/** The demo agreement's service levels, each contract year (none for e-invoices or uploads: the demo sends neither). */
export const DEMO_TARGETS = {
  days_to_pay: { contractual: '30', stretch: '20' },
  paid_within_30_days_pct: { contractual: '70', stretch: '90' },
  small_suppliers_paid_within_10_days_pct: { contractual: '50', stretch: '70' },
  po_spend_pct: { contractual: '30', stretch: '60' },
  contract_spend_pct: { contractual: '2', stretch: '15' },
} as const;

const COMMITTED: Record<string, bigint> = {
  maintaining_services: 40_000_000n,
  improving_services: 25_000_000n,
  community_development: 10_000_000n,
  savings_team: 15_000_000n,
};
/** The share of a year's commitment each quarter's entry delivers, by contract year (percent of a quarter). */
const DELIVERY_PCT: Record<string, bigint[]> = {
  maintaining_services: [100n, 100n, 100n],
  improving_services: [100n, 110n, 100n],
  community_development: [100n, 60n, 100n],
  savings_team: [105n, 100n, 100n],
};

export interface PlantedCommitment {
  contractYear: number;
  category: string;
  committed: string;
  delivered: string;
  entries: number;
  outcome: 'met' | 'short';
}

export interface PlantedPartnership {
  slowPayments: {
    bodyId: string;
    contractYear: number;
    invoicesFrom: string;
    invoicesTo: string;
    extraDays: number;
    /** The measures this body misses in that year, and only there among the payment measures. */
    breaches: string[];
  } | null;
  commitments: PlantedCommitment[];
}

const pounds = (pence: bigint): string => {
  const digits = pence.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
};
const isoMonth = (year: number, m: number) => {
  const y = year + Math.floor((m - 1) / 12);
  return `${y}-${String(((((m - 1) % 12) + 12) % 12) + 1).padStart(2, '0')}`;
};

/**
 * The YAML the demo agreement gains (service_levels, commitments), the investment register CSV, and
 * what they plant, for the contract years `years` (the calendar year each starts in).
 */
export function buildDemoPartnership(
  bodies: readonly DemoBody[],
  startDate: string,
  endDate: string,
  years: readonly number[],
) {
  const startMonth = Number(startDate.slice(5, 7));
  const yaml: string[] = ['service_levels:'];
  for (const year of years) {
    yaml.push(`  - year: ${year}`);
    for (const [measure, t] of Object.entries(DEMO_TARGETS))
      yaml.push(`    ${measure}: { contractual: ${t.contractual}, stretch: ${t.stretch} }`);
  }
  yaml.push('commitments:');
  for (const year of years) {
    yaml.push(`  - year: ${year}`);
    for (const [category, pence] of Object.entries(COMMITTED))
      yaml.push(`    ${category}: "${pounds(pence)}"`);
  }

  // one entry per category each quarter, on the 15th of the quarter's second month, within the period
  const register = ['investment_id,category,dated,description,amount,evidence_ref,approver,body_id'];
  const planted: PlantedCommitment[] = [];
  const lead = bodies[0]?.bodyId ?? '';
  years.forEach((year, y) => {
    for (const [category, committed] of Object.entries(COMMITTED)) {
      const pct = DELIVERY_PCT[category]?.[y % 3] ?? 100n;
      let delivered = 0n;
      let entries = 0;
      for (let q = 0; q < 4; q++) {
        const dated = `${isoMonth(year, startMonth + 3 * q + 1)}-15`;
        if (dated > endDate) continue;
        // a quarter of the commitment × the year's delivery %, half up to the penny
        const amount = (committed * pct * 2n + 400n) / 800n;
        delivered += amount;
        entries++;
        const body = category === 'community_development' ? lead : '';
        register.push(
          `INV-${year}-${category}-Q${q + 1},${category},${dated},"${category.replace(/_/g, ' ')}, contract year ${year} quarter ${q + 1}",${pounds(amount)},EV-${year}-${q + 1}-${category},Partnership Board,${body}`,
        );
      }
      planted.push({
        contractYear: year,
        category,
        committed: pounds(committed),
        delivered: pounds(delivered),
        entries,
        outcome: delivered >= committed ? 'met' : 'short',
      });
    }
  });

  const plan = planSlowPayments(dayFromIso(startDate), dayFromIso(endDate));
  const slowYear = years[2];
  return {
    agreementYaml: yaml,
    investmentFile: { name: 'demo-savings/investment.csv', text: `${register.join('\n')}\n` },
    planted: {
      slowPayments:
        plan && slowYear !== undefined
          ? {
              bodyId: plan.bodyId,
              contractYear: slowYear,
              invoicesFrom: `${isoMonth(slowYear, startMonth)}-01`,
              invoicesTo: `${isoMonth(slowYear + 1, startMonth)}-01`,
              extraDays: plan.extraDays,
              breaches: ['days_to_pay', 'paid_within_30_days_pct'],
            }
          : null,
      commitments: planted,
    } satisfies PlantedPartnership,
  };
}

/**
 * The demo partnership's savings inputs (docs/savings.md): the agreement with its guarantees, a
 * price index, the service-charge ledger, third-party sales and the evidence register, as the
 * files finance would load, and what they plant: per contract year and stream, the guarantee and
 * the savings delivered, some years short of the guarantee and some above. The figures are
 * worked out here in whole pence with BigInt, independently of the product's money code.
 *
 * Procurement savings come from demo/procurement-savings.ts (baselines sent for the year before
 * each body joined, measured against its lines after): given its results, the procurement
 * stream is guaranteed like the others, one year with price increases netted off.
 */
import type { DemoBody } from './bodies.ts';
import { demoPriceIndex, type PlantedProcurementSavings } from './procurement-savings.ts';
import { buildDemoPartnership, type PlantedPartnership } from './service-levels.ts';

export const DEMO_SAVINGS_STREAMS = [
  'procurement',
  'services_transferred',
  'consequential',
  'third_party_revenue_share',
] as const;
type DemoStream = (typeof DEMO_SAVINGS_STREAMS)[number];

export interface PlantedSavingsYear {
  contractYear: number;
  stream: DemoStream;
  /** The partnership's guarantee for the stream that year, £ with 2 places. */
  guaranteed: string;
  /** Savings delivered (realised), £ with 2 places. */
  delivered: string;
  outcome: 'short' | 'above';
  /** Whether the demo signs the year off (every year but the last is validated). */
  signedOff: boolean;
  /** Procurement: whether leakage is netted off that year (the agreement's rule for the year). */
  netPriceIncreases?: boolean;
}

export interface DemoSavings {
  files: Record<
    'agreement' | 'price-index' | 'service-charges' | 'sales' | 'evidence' | 'investment',
    { name: string; text: string }
  > & {
    /** The savings register: contracts let through the partnership (with the planted procurement savings). */
    register?: { name: string; text: string };
  };
  planted: PlantedSavingsYear[];
  /** The service levels, SLA breach year and commitments planted (demo/service-levels.ts). */
  partnership: PlantedPartnership;
}

const REVENUE_SHARE_PCT = 30n;
/** Each stream's guarantee as a % of what is delivered, by contract year: above, short, above, … */
const GUARANTEE_PCT: Record<DemoStream, bigint[]> = {
  procurement: [110n, 85n, 95n, 120n],
  services_transferred: [90n, 115n, 95n, 120n],
  consequential: [120n, 80n, 105n, 90n],
  third_party_revenue_share: [75n, 102n, 130n, 85n],
};

const pounds = (pence: bigint): string => {
  const negative = pence < 0n;
  const digits = (negative ? -pence : pence).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};
/** a ÷ b, half up, for a ≥ 0, b > 0. */
const divHalfUp = (a: bigint, b: bigint) => (2n * a + b) / (2n * b);
const month = (year: number, m: number) => {
  const y = year + Math.floor((m - 1) / 12);
  return `${y}-${String(((((m - 1) % 12) + 12) % 12) + 1).padStart(2, '0')}`;
};

/** The procurement guarantee of the second contract year nets price increases (leakage) off. */
const NETTING_YEAR_INDEX = 1;

export function buildDemoSavings(
  bodies: readonly DemoBody[],
  startDate: string,
  endDate: string,
  /** The planted unit-price savings (withDemoProcurementSavings); without them procurement guarantees nothing. */
  procurement?: PlantedProcurementSavings,
): DemoSavings {
  const startYear = Number(startDate.slice(0, 4));
  const startMonth = Number(startDate.slice(5, 7));
  const contractYearOf = (yyyyMm: string) =>
    Number(yyyyMm.slice(0, 4)) - (Number(yyyyMm.slice(5, 7)) < startMonth ? 1 : 0);
  const months: string[] = [];
  for (let m = startMonth; month(startYear, m) <= endDate.slice(0, 7); m++) months.push(month(startYear, m));
  const years = [...new Set(months.map(contractYearOf))];
  const firstYear = years[0] ?? startYear;
  const delivered = new Map<string, bigint>();
  const add = (year: number, stream: DemoStream, pence: bigint) =>
    delivered.set(`${year}|${stream}`, (delivered.get(`${year}|${stream}`) ?? 0n) + pence);

  // Service charges: each body's back office costs £10,000 + £500 per place in the register a month
  // before transfer; the charge falls by £400, £650, £900, … a month as the contract years go on.
  const charges = ['body_id,service,month,baseline_cost,charge'];
  bodies.forEach((body, index) => {
    const baseline = 1_000_000n + 50_000n * BigInt(index);
    for (const m of months) {
      if (m < body.joinedOn.slice(0, 7)) continue;
      const year = contractYearOf(m);
      const saving = 40_000n + 25_000n * BigInt(year - firstYear);
      charges.push(`${body.bodyId},back-office,${m},${pounds(baseline)},${pounds(baseline - saving)}`);
      add(year, 'services_transferred', saving);
    }
  });

  // Sales: the lead body sells payroll services to four customers a quarter; 30 % counts.
  const lead = bodies[0] as DemoBody;
  const sales = ['sale_id,body_id,sale_date,customer,amount'];
  const customers = ['Parish of Ashby', 'Holme Town Council', 'Ridgeway Academy', 'Vale Housing Trust'];
  months.forEach((m, i) => {
    if (i % 3 !== 1) return;
    customers.forEach((customer, c) => {
      const amount = 123_456n + 10_007n * BigInt(i) + 3_331n * BigInt(c);
      sales.push(`S-${m}-${c + 1},${lead.bodyId},${m}-20,${customer},${pounds(amount)}`);
      add(contractYearOf(m), 'third_party_revenue_share', divHalfUp(amount * REVENUE_SHARE_PCT, 100n));
    });
  });

  // Evidence: one approved consequential saving per body per contract year it is a member in.
  const evidence = ['evidence_id,body_id,dated,description,amount,evidence_ref,approver'];
  bodies.forEach((body, index) => {
    for (const year of years) {
      const dated = `${month(year, startMonth + 9)}-28`;
      if (dated < body.joinedOn || dated > endDate) continue;
      const amount = 250_000n * BigInt(year - firstYear + 1) + 12_345n * BigInt(index);
      evidence.push(
        `EV-${year}-${body.bodyId},${body.bodyId},${dated},"Agency and overtime no longer needed, ${year}",${pounds(amount)},HR-${year}-${index + 1},Director of Finance`,
      );
      add(year, 'consequential', amount);
    }
  });

  // Procurement: what the planted lines realise, reduction + avoidance, less leakage in the netting year.
  for (const result of procurement?.results ?? []) {
    const y = years.indexOf(result.contractYear);
    const toPence = (amount: string) => BigInt(amount.replace('.', ''));
    const leakage = y === NETTING_YEAR_INDEX ? toPence(result.leakage) : 0n;
    add(
      result.contractYear,
      'procurement',
      toPence(result.costReduction) + toPence(result.costAvoidance) - leakage,
    );
  }

  // The price index baselines are indexed by (from 12 months before the period starts).
  const index = ['month,index_value'];
  for (const [m, value] of demoPriceIndex(startDate, endDate)) index.push(`${m},${pounds(value)}`);

  const planted: PlantedSavingsYear[] = [];
  const guarantees: string[] = [];
  years.forEach((year, y) => {
    const entries: string[] = [];
    for (const stream of DEMO_SAVINGS_STREAMS) {
      if (stream === 'procurement' && !procurement) continue;
      const done = delivered.get(`${year}|${stream}`) ?? 0n;
      const pct = GUARANTEE_PCT[stream][y % 4] as bigint;
      // whole pounds
      const guaranteed = divHalfUp(done * pct, 10_000n) * 100n;
      const netted = stream === 'procurement' && y === NETTING_YEAR_INDEX;
      entries.push(
        `    ${stream}: { guaranteed: "${pounds(guaranteed)}"${netted ? ', net_price_increases: true' : ''} }`,
      );
      planted.push({
        ...(stream === 'procurement' ? { netPriceIncreases: netted } : {}),
        contractYear: year,
        stream,
        guaranteed: pounds(guaranteed),
        delivered: pounds(done),
        outcome: done < guaranteed ? 'short' : 'above',
        signedOff: y < years.length - 1,
      });
    }
    guarantees.push(`  - year: ${year}\n${entries.join('\n')}`);
  });

  const partnership = buildDemoPartnership(bodies, startDate, endDate, years);
  const agreement = [
    '# The North Shire shared-services partnership (demo)',
    'agreement: north-shire-partnership',
    'partner: Northgate Shared Services Ltd (demo)',
    `start: ${startDate.slice(0, 7)}-01`,
    'term_years: 10',
    `contract_year_start_month: ${startMonth}`,
    `revenue_share_pct: ${REVENUE_SHARE_PCT}`,
    'rules:',
    '  indexation: true',
    '  cost_avoidance_counts: true',
    '  net_price_increases: false',
    '  split: pro-rata-months',
    '  partner_pays_shortfall: true',
    '  partner_share_above_guarantee_pct: 50',
    'bodies:',
    ...bodies.map((b) => `  - { id: ${b.bodyId}, joined: ${b.joinedOn} }`),
    'guarantees:',
    ...guarantees,
    ...partnership.agreementYaml,
    '',
  ].join('\n');

  return {
    files: {
      agreement: { name: 'demo-savings/agreement.yaml', text: agreement },
      'price-index': { name: 'demo-savings/price-index.csv', text: `${index.join('\n')}\n` },
      'service-charges': { name: 'demo-savings/service-charges.csv', text: `${charges.join('\n')}\n` },
      sales: { name: 'demo-savings/sales.csv', text: `${sales.join('\n')}\n` },
      evidence: { name: 'demo-savings/evidence.csv', text: `${evidence.join('\n')}\n` },
      investment: partnership.investmentFile,
      ...(procurement
        ? { register: { name: 'demo-savings/register.csv', text: registerCsv(procurement) } }
        : {}),
    },
    planted,
    partnership: partnership.planted,
  };
}

/** The savings register of the planted contracts (demo/procurement-savings.ts). */
function registerCsv(procurement: PlantedProcurementSavings): string {
  const rows = procurement.contracts.map((c) =>
    [
      c.registerId,
      c.bodyId,
      c.supplierName,
      '',
      c.itemCode,
      c.previousUnitPrice ?? '',
      c.agreedSavingPct ?? '',
      c.agreedAnnualSaving,
      c.startsOn,
      '',
    ].join(','),
  );
  const header =
    'register_id,body_id,supplier_name,contract_ref,item_code,previous_unit_price,agreed_saving_pct,agreed_annual_saving,starts_on,ends_on';
  return `${[header, ...rows].join('\n')}\n`;
}

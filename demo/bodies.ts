/**
 * The partnership: eight fictional public bodies around "North Shire", and the conventions of each
 * one's finance system. The conventions copy quirks of real UK council spend files (upper-case names
 * with trailing spaces, `#` aliases, payment notes, Companies House numbers without their leading
 * zero, service areas cut to 20 characters, different redaction markers…).
 */
import { addMonths, type Day, isoFromDay, monthsBetween } from './calendar.ts';
import type { TradeId } from './catalogue.ts';

export type BodyKind = 'council' | 'fire' | 'police' | 'school' | 'health' | 'other';

/** What a purchase is for inside a body; each body names its own service areas for these. */
export const SERVICE_ROLES = [
  'corporate',
  'adult-care',
  'children',
  'highways',
  'waste',
  'estates',
  'fleet',
  'ict',
  'operations',
  'education',
  'clinical',
] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

/** An entry of the body register, as the pipeline sees it. */
export interface DemoBody {
  bodyId: string;
  name: string;
  kind: BodyKind;
  /** YYYY-MM-DD; the body sends no document dated before this. */
  joinedOn: string;
  servicesInScope: string[];
}

/** How a body's finance system writes documents. */
export interface BodyConventions {
  nameCase: 'upper' | 'title' | 'as-is';
  /** Share of supplier names sent with a trailing space, and with a trailing no-break space. */
  trailingSpaceRate: number;
  nbspRate: number;
  /** `Reed#Reed Specialist Recruitment Limited`: a site or alias, '#', then the organisation. */
  hashAliases: boolean;
  /** Writes `OUTDOORS GROUP LTD THE` for `The Outdoors Group Ltd`. */
  movesTheToEnd: boolean;
  /** Share of supplier names carrying a payment note such as `*1614*` or `_BACS`. */
  paymentNoteRate: number;
  /** Share of suppliers sent with their VAT number, and with their Companies House number. */
  vatNumberRate: number;
  companyNumberRate: number;
  /** Sends `2366852` for company `02366852` (a spreadsheet ate the zero). */
  dropsCompanyNumberZero: boolean;
  /** Prefix of the body's own creditor reference, or null when it sends none. */
  supplierRefPrefix: string | null;
  dates: 'both' | 'payment-only' | 'invoice-only';
  sendsVat: boolean;
  categoryScheme: 'proclass' | 'cpv' | null;
  redactionMarkers: readonly string[];
  /** The finance system cuts service area names to this many characters. */
  serviceAreaMaxLength: number | null;
  sendsSource: boolean;
  /** Share of service invoices sent as a header only (no lines), as transparency extracts are. */
  headerOnlyRate: number;
  /** How much of the buying that should be on a purchase order actually is. */
  poCompliance: number;
  /** Unit prices written with 2 or 4 decimal places ("12.50" or "12.5000"). */
  pricePlaces: 2 | 4;
  poNumber: (sequence: number) => string;
  costCentrePrefix: string;
}

export type BuyingProfile = 'county' | 'unitary' | 'district' | 'fire' | 'police' | 'school' | 'health';

export interface BodyProfile {
  bodyId: string;
  name: string;
  kind: BodyKind;
  buying: BuyingProfile;
  /** Months after the start of the demo period at which the body joins (for the default 36-month period). */
  joinsAfterMonths: number;
  /** Relative monthly volume of invoice lines. */
  size: number;
  serviceAreas: Partial<Record<ServiceRole, string>> & { corporate: string };
  sites: readonly string[];
  conventions: BodyConventions;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const COUNCIL_SITES = [
  'County Hall',
  'Carrow Depot',
  'Riverside Library',
  'Moorside Day Centre',
  'Fellview House',
  'Record Office',
];

export const BODY_PROFILES: readonly BodyProfile[] = [
  {
    bodyId: 'north-shire-cc',
    name: 'North Shire County Council',
    kind: 'council',
    buying: 'county',
    joinsAfterMonths: 0,
    size: 30,
    serviceAreas: {
      'adult-care': 'Adult Social Care',
      children: "Children's Services",
      highways: 'Highways & Transport',
      waste: 'Waste Disposal',
      estates: 'Property Services',
      fleet: 'Fleet Services',
      ict: 'Digital Services',
      operations: 'Community Services',
      education: 'Education & Skills',
      clinical: 'Public Health',
      corporate: 'Corporate Services',
    },
    sites: COUNCIL_SITES,
    conventions: {
      nameCase: 'upper',
      trailingSpaceRate: 0.15,
      nbspRate: 0.03,
      hashAliases: false,
      movesTheToEnd: true,
      paymentNoteRate: 0,
      vatNumberRate: 0,
      companyNumberRate: 0,
      dropsCompanyNumberZero: false,
      supplierRefPrefix: null,
      dates: 'payment-only',
      sendsVat: false,
      categoryScheme: 'proclass',
      redactionMarkers: ['REDACTED'],
      serviceAreaMaxLength: null,
      sendsSource: true,
      headerOnlyRate: 0.5,
      poCompliance: 0.85,
      pricePlaces: 2,
      poNumber: (n) => `PO${pad(n, 7)}`,
      costCentrePrefix: 'C',
    },
  },
  {
    bodyId: 'riverton-city-council',
    name: 'Riverton City Council',
    kind: 'council',
    buying: 'unitary',
    joinsAfterMonths: 3,
    size: 20,
    serviceAreas: {
      'adult-care': 'Adult Social Care',
      children: "Children's Services",
      highways: 'Highways & Transport',
      waste: 'Waste & Recycling',
      estates: 'Regeneration & Property',
      fleet: 'Fleet Management',
      ict: 'ICT',
      operations: 'Neighbourhood Services',
      education: 'Education & Learning',
      clinical: 'Public Health & Wellbeing',
      corporate: 'Corporate Resources',
    },
    sites: [
      'Civic Centre',
      'Riverton Central Library',
      'Dockside Depot',
      'Westgate Leisure Centre',
      'Larkfield Resource Centre',
    ],
    conventions: {
      nameCase: 'title',
      trailingSpaceRate: 0,
      nbspRate: 0,
      hashAliases: false,
      movesTheToEnd: false,
      paymentNoteRate: 0,
      vatNumberRate: 0.6,
      companyNumberRate: 0.3,
      dropsCompanyNumberZero: false,
      supplierRefPrefix: 'S',
      dates: 'both',
      sendsVat: true,
      categoryScheme: 'proclass',
      redactionMarkers: ['****REDACTED PERSONAL INFO****'],
      serviceAreaMaxLength: 20,
      sendsSource: true,
      headerOnlyRate: 0,
      poCompliance: 0.8,
      pricePlaces: 4,
      poNumber: (n) => `4500${pad(n, 6)}`,
      costCentrePrefix: 'RC',
    },
  },
  {
    bodyId: 'eastvale-dc',
    name: 'Eastvale District Council',
    kind: 'council',
    buying: 'district',
    joinsAfterMonths: 6,
    size: 5,
    serviceAreas: {
      'adult-care': 'Housing Support',
      waste: 'Waste & Recycling',
      estates: 'Housing & Property',
      fleet: 'Fleet',
      ict: 'ICT',
      operations: 'Environmental Services',
      highways: 'Environmental Services',
      corporate: 'Corporate Services',
    },
    sites: ['Eastvale Town Hall', 'Brook Street Depot', 'Eastvale Leisure Centre', 'Market Hall'],
    conventions: {
      nameCase: 'as-is',
      trailingSpaceRate: 0,
      nbspRate: 0,
      hashAliases: true,
      movesTheToEnd: false,
      paymentNoteRate: 0,
      vatNumberRate: 0,
      companyNumberRate: 0.7,
      dropsCompanyNumberZero: true,
      supplierRefPrefix: null,
      dates: 'both',
      sendsVat: true,
      categoryScheme: 'proclass',
      redactionMarkers: ['REDACTED DATA'],
      serviceAreaMaxLength: null,
      sendsSource: true,
      headerOnlyRate: 0,
      poCompliance: 0.55,
      pricePlaces: 2,
      poNumber: (n) => `ED/PO/${n}`,
      costCentrePrefix: 'ED',
    },
  },
  {
    bodyId: 'westmoor-dc',
    name: 'Westmoor District Council',
    kind: 'council',
    buying: 'district',
    joinsAfterMonths: 9,
    size: 5,
    serviceAreas: {
      'adult-care': 'Housing Options',
      waste: 'Street Scene',
      estates: 'Assets & Property',
      fleet: 'Street Scene',
      ict: 'Digital & ICT',
      operations: 'Street Scene',
      highways: 'Street Scene',
      corporate: 'Resources',
    },
    sites: ['Westmoor House', 'Thornby Depot', 'Westmoor Pool', 'Greystone Cemetery'],
    conventions: {
      nameCase: 'upper',
      trailingSpaceRate: 0.02,
      nbspRate: 0,
      hashAliases: false,
      movesTheToEnd: true,
      paymentNoteRate: 0.3,
      vatNumberRate: 0.5,
      companyNumberRate: 0,
      dropsCompanyNumberZero: false,
      supplierRefPrefix: null,
      dates: 'payment-only',
      sendsVat: false,
      categoryScheme: null,
      redactionMarkers: ['REDACTED UNDER DP ACT'],
      serviceAreaMaxLength: null,
      sendsSource: true,
      headerOnlyRate: 0.3,
      poCompliance: 0.5,
      pricePlaces: 2,
      poNumber: (n) => `WM${n}`,
      costCentrePrefix: 'WM',
    },
  },
  {
    bodyId: 'north-shire-fire',
    name: 'North Shire Fire and Rescue Service',
    kind: 'fire',
    buying: 'fire',
    joinsAfterMonths: 12,
    size: 6,
    serviceAreas: {
      operations: 'Response & Operations',
      fleet: 'Fleet & Equipment',
      estates: 'Estates',
      ict: 'ICT',
      clinical: 'Occupational Health',
      education: 'Training & Development',
      corporate: 'Corporate Services',
    },
    sites: ['Service Headquarters', 'Carrow Fire Station', 'Fellside Fire Station', 'Training Centre'],
    conventions: {
      nameCase: 'as-is',
      trailingSpaceRate: 0,
      nbspRate: 0,
      hashAliases: false,
      movesTheToEnd: false,
      paymentNoteRate: 0,
      vatNumberRate: 0.8,
      companyNumberRate: 0.8,
      dropsCompanyNumberZero: false,
      supplierRefPrefix: 'V',
      dates: 'both',
      sendsVat: true,
      categoryScheme: 'cpv',
      redactionMarkers: ['Redacted - Personal Data'],
      serviceAreaMaxLength: null,
      sendsSource: false,
      headerOnlyRate: 0,
      poCompliance: 0.85,
      pricePlaces: 2,
      poNumber: (n) => `FRS-PO-${pad(n, 6)}`,
      costCentrePrefix: 'FR',
    },
  },
  {
    bodyId: 'north-shire-police',
    name: 'North Shire Police',
    kind: 'police',
    buying: 'police',
    joinsAfterMonths: 18,
    size: 14,
    serviceAreas: {
      operations: 'Local Policing',
      fleet: 'Fleet',
      estates: 'Estates',
      ict: 'Digital Policing',
      clinical: 'Custody Healthcare',
      education: 'Learning & Development',
      corporate: 'Corporate Services',
    },
    sites: ['Force Headquarters', 'Riverton Custody Suite', 'Eastvale Police Station', 'Vehicle Workshop'],
    conventions: {
      nameCase: 'upper',
      trailingSpaceRate: 0,
      nbspRate: 0,
      hashAliases: false,
      movesTheToEnd: false,
      paymentNoteRate: 0,
      vatNumberRate: 0.7,
      companyNumberRate: 0.7,
      dropsCompanyNumberZero: false,
      supplierRefPrefix: null,
      dates: 'both',
      sendsVat: true,
      categoryScheme: 'cpv',
      redactionMarkers: ['REDACTED PERSONAL DATA', 'REDACTED COMMERCIALLY SENSITIVE'],
      serviceAreaMaxLength: null,
      sendsSource: false,
      headerOnlyRate: 0,
      poCompliance: 0.92,
      pricePlaces: 2,
      poNumber: (n) => `P${pad(n, 8)}`,
      costCentrePrefix: 'NP',
    },
  },
  {
    bodyId: 'oakfield-learning-trust',
    name: 'Oakfield Learning Trust',
    kind: 'school',
    buying: 'school',
    joinsAfterMonths: 24,
    size: 6,
    serviceAreas: {
      education: 'Teaching & Learning',
      estates: 'Premises',
      operations: 'Catering',
      children: 'Pupil Transport',
      ict: 'IT',
      corporate: 'Central Trust Services',
    },
    sites: ['Oakfield Academy', 'Millbrook Primary Academy', 'Stanmoor Primary Academy', 'Trust Office'],
    conventions: {
      nameCase: 'title',
      trailingSpaceRate: 0.05,
      nbspRate: 0,
      hashAliases: false,
      movesTheToEnd: false,
      paymentNoteRate: 0,
      vatNumberRate: 0,
      companyNumberRate: 0.2,
      dropsCompanyNumberZero: false,
      supplierRefPrefix: null,
      dates: 'invoice-only',
      sendsVat: true,
      categoryScheme: null,
      redactionMarkers: ['Redacted Data'],
      serviceAreaMaxLength: null,
      sendsSource: true,
      headerOnlyRate: 0,
      poCompliance: 0.4,
      pricePlaces: 2,
      poNumber: (n) => `OLT-${pad(n, 5)}`,
      costCentrePrefix: 'OLT',
    },
  },
  {
    bodyId: 'north-shire-hospitals',
    name: 'North Shire Hospitals NHS Foundation Trust',
    kind: 'health',
    buying: 'health',
    joinsAfterMonths: 33,
    size: 20,
    serviceAreas: {
      clinical: 'Clinical Services',
      operations: 'Facilities',
      estates: 'Estates & Facilities',
      ict: 'Digital',
      fleet: 'Patient Transport',
      education: 'Education & Training',
      corporate: 'Corporate Services',
    },
    sites: ['Riverton General Hospital', 'Eastvale Community Hospital', 'Fellside Birth Centre'],
    conventions: {
      nameCase: 'upper',
      trailingSpaceRate: 0,
      nbspRate: 0,
      hashAliases: false,
      movesTheToEnd: false,
      paymentNoteRate: 0,
      vatNumberRate: 0.9,
      companyNumberRate: 0.9,
      dropsCompanyNumberZero: false,
      supplierRefPrefix: 'SUP',
      dates: 'both',
      sendsVat: true,
      categoryScheme: 'cpv',
      redactionMarkers: ['REDACTED'],
      serviceAreaMaxLength: null,
      sendsSource: false,
      headerOnlyRate: 0,
      poCompliance: 0.95,
      pricePlaces: 4,
      poNumber: (n) => `NSH${pad(n, 7)}`,
      costCentrePrefix: 'NSH',
    },
  },
];

/**
 * How often each kind of body buys from each trade (relative weights per column; "-": never).
 * Personal payments are the redacted ones (direct payments, compensation).
 */
const TRADE_WEIGHT_TABLE = `
trade                county unitary district fire police school health
stationery                5       5        5    2      3      6      2
cleaning                  3       3        3    2      2      3      3
ppe                       2       2        3    5      3      -      4
ict-hardware              2       2        2    2      4      3      2
fuel                      3       3        4    4      4      -      -
food                      1       1        -    1      2      6      3
medical                 0.5     0.5        -    1      1      -     14
highways-materials        4       3        -    -      -      -      -
firefighting              -       -        -    7      -      -      -
police-equipment          -       -        -    -      7      -      -
education-resources       1       1        -    -      -      9      -
furniture                 1       1        1    1      1      3      1
electricity               4       4        4    2      2      2      1
gas                       2       2        2    1      1      1      1
water                     1       1        1    1      1      1      1
telecoms                  2       2        2    2      3      1      1
software                  2       2        3    2      3      2      2
agency-staff              6       6        4    1      2      5      7
social-care              10       9        -    -      -      -      -
fostering                 5       4        -    -      -      -      -
personal-payments        14      10        2  0.3    1.5      -    0.3
taxi                      4       4        1    -      1      2      1
waste                     3       5        6    -      1      -      2
building-works            4       5        7    3      3      3      2
highways-works            4       3        -    -      -      -      -
cleaning-services         1       1        2    -      -      2      -
legal                     2       2        2    1      3      -      1
consultancy               2       2        2    1      2      -      1
training                  2       2        2    4      2      1      1
vehicle-maintenance       2       3        4    4      4      -      -
insurance               0.2     0.2      0.2  0.2    0.2    0.2      -
postage                   1       1        2  0.5      -    0.5    0.5
security                  1       1        2    1      1      -      1
catering-services         1       1        -    -      -      3      1
overseas               0.15       -        -  0.2   0.15    0.3   0.15
`;

function parseTradeWeights(table: string): Record<BuyingProfile, [TradeId, number][]> {
  const [header = '', ...rows] = table.trim().split('\n');
  const profiles = header.split(/\s+/).slice(1) as BuyingProfile[];
  const weights = Object.fromEntries(profiles.map((p) => [p, [] as [TradeId, number][]]));
  for (const row of rows) {
    const [trade, ...cells] = row.split(/\s+/);
    cells.forEach((cell, i) => {
      const profile = profiles[i] as BuyingProfile;
      if (cell !== '-') weights[profile]?.push([trade as TradeId, Number(cell)]);
    });
  }
  return weights as Record<BuyingProfile, [TradeId, number][]>;
}

export const TRADE_WEIGHTS = parseTradeWeights(TRADE_WEIGHT_TABLE);

/** Joining dates for the default 36-month period; other periods are scaled to fit. */
const DEFAULT_PERIOD_MONTHS = 36;

export function joiningDay(profile: BodyProfile, start: Day, end: Day): Day {
  if (profile.joinsAfterMonths === 0) return start;
  const months = monthsBetween(start, end).length;
  const offset = Math.floor((profile.joinsAfterMonths * months) / DEFAULT_PERIOD_MONTHS);
  return offset === 0 ? start : addMonths(start, offset);
}

export function serviceAreaNames(profile: BodyProfile): string[] {
  return [...new Set(Object.values(profile.serviceAreas))];
}

export function buildRegister(start: Day, end: Day): DemoBody[] {
  return BODY_PROFILES.map((profile) => ({
    bodyId: profile.bodyId,
    name: profile.name,
    kind: profile.kind,
    joinedOn: isoFromDay(joiningDay(profile, start, end)),
    servicesInScope: serviceAreaNames(profile),
  }));
}

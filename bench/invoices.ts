/**
 * Realistic invoice.v1 messages for the ingest benchmark: deterministic (seeded), valid against
 * the contract, 500–900 bytes of JSON each, with 0–6 lines (about 2.5 on average), a few credit
 * notes, a spread of suppliers, dates, categories and service areas, and the key
 * `<bodyId>:<invoiceId>` the consumer expects. Totals are tracked so the benchmark can check that
 * every invoice, every line and every penny arrived.
 */
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import { fromScaled } from '../lib/money.ts';

export const MIN_BYTES = 500;
export const MAX_BYTES = 900;

/** Share of invoices with 0, 1, … 6 lines (mean ≈ 2.5). */
const LINE_COUNT_WEIGHTS = [0.15, 0.2, 0.2, 0.15, 0.12, 0.1, 0.08];
const CREDIT_NOTE_EVERY = 40;

const SUPPLIERS = [
  ['EDF ENERGY CUSTOMERS LTD', 'GB882478422', '02228297'],
  ['BRITISH GAS TRADING LIMITED', 'GB684942919', '03078711'],
  ['VIRGIN MEDIA BUSINESS LIMITED', 'GB591875819', '02591237'],
  ['KIER SERVICES LIMITED', 'GB278125831', '02099533'],
  ['BIFFA WASTE SERVICES LTD', 'GB486216931', '00946107'],
  ['OFFICE DEPOT INTERNATIONAL (UK) LTD', 'GB533480917', '02472621'],
  ['TARMAC TRADING LIMITED', 'GB152235114', '00453791'],
  ['CAPITA BUSINESS SERVICES LTD', 'GB618120528', '02299747'],
  ['CIVICA UK LIMITED', 'GB780349422', '01628868'],
  ['SERCO LIMITED', 'GB237283130', '00242246'],
  ['MORGAN SINDALL CONSTRUCTION', 'GB926237911', '00207956'],
  ['XEROX (UK) LIMITED', 'GB243021625', '00330754'],
  ['HAYS SPECIALIST RECRUITMENT LTD', 'GB242807128', '02888325'],
  ['TRAVIS PERKINS TRADING CO LTD', 'GB408556737', '00733503'],
  ['ARRIVA MIDLANDS LIMITED', 'GB486211832', '02957030'],
  ['BUNZL CLEANING & SAFETY SUPPLIES', 'GB340265132', '00358948'],
] as const;

const SERVICE_AREAS = [
  ['Adult Social Care', 'ASC'],
  ["Children's Services", 'CHS'],
  ['Highways & Transport', 'HWY'],
  ['Waste Management', 'WST'],
  ['Corporate Property', 'PRP'],
  ['ICT Services', 'ICT'],
  ['Libraries & Culture', 'LIB'],
  ['Planning & Regeneration', 'PLN'],
] as const;

const CATEGORIES = [
  ['E', 'Energy'],
  ['F', 'Facilities Management'],
  ['I', 'Information & Communication Technology'],
  ['C', 'Construction'],
  ['W', 'Environmental Services'],
  ['S', 'Social Care & Health'],
  ['T', 'Transport'],
  ['H', 'Human Resources'],
] as const;

const EXPENSE_TYPES = [
  'Electricity',
  'Gas',
  'Repairs & Maintenance',
  'Agency Staff',
  'Stationery',
  'Software Licences',
  'Contract Hire',
  'Waste Disposal',
  'Building Works',
];

const LINE_ITEMS = [
  'Standing charge',
  'Consumption',
  'Labour',
  'Materials',
  'Call-out fee',
  'Delivery',
  'Licence renewal',
  'Support hours',
  'Hire of plant',
  'Disposal fee',
];

const TEXT = (
  'quarterly service charge for council premises including maintenance visits reactive repairs ' +
  'energy supply period ending as per framework agreement call off order reference schedule ' +
  'of rates annual support renewal for corporate systems collection and disposal of waste '
).repeat(4);

/** Optional fields dropped, in this order, from invoices that would otherwise be too large. */
const OPTIONAL_FIELDS: ((doc: InvoiceV1) => void)[] = [
  (doc) => delete doc.source,
  (doc) => delete doc.supplier.ref,
  (doc) => delete doc.supplier.companyNumber,
  (doc) => delete doc.paymentDate,
  (doc) => delete doc.category?.label,
  (doc) => delete doc.expenseType,
  (doc) => {
    for (const line of doc.lines ?? []) delete line.description;
  },
];

export type GeneratedInvoice = { key: string; value: string; lines: number; netPence: bigint };

/** Small, fast, seeded PRNG (mulberry32): the same seed gives the same topic content. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class InvoiceGenerator {
  private readonly random: () => number;

  constructor(
    private readonly bodyId: string,
    seed = 20_240_301,
  ) {
    this.random = seededRandom(seed);
  }

  /** The i-th invoice of the run (call with i = 0, 1, 2, … in order). */
  next(i: number): GeneratedInvoice {
    const credit = i % CREDIT_NOTE_EVERY === CREDIT_NOTE_EVERY - 1;
    const lineCount = this.lineCount();
    const linePence = Array.from({ length: lineCount }, () => this.pence(credit, 20_000_00));
    const netPence = lineCount > 0 ? linePence.reduce((a, b) => a + b, 0n) : this.pence(credit, 50_000_00);
    const doc = this.document(i, credit, netPence, linePence);
    const value = this.fitToSize(doc);
    return { key: `${this.bodyId}:${doc.invoiceId}`, value, lines: lineCount, netPence };
  }

  private document(i: number, credit: boolean, netPence: bigint, linePence: bigint[]): InvoiceV1 {
    const [supplierName, vatNumber, companyNumber] = this.pick(SUPPLIERS);
    const [serviceArea, areaCode] = this.pick(SERVICE_AREAS);
    const [categoryCode, categoryLabel] = this.pick(CATEGORIES);
    const month = 1 + Math.floor(this.random() * 12);
    const day = 1 + Math.floor(this.random() * 28);
    const year = 2023 + Math.floor(this.random() * 3);
    const date = `${year}-${pad(month)}-${pad(day)}`;
    const doc: InvoiceV1 = {
      schema: 'invoice.v1',
      bodyId: this.bodyId,
      invoiceId: `${credit ? 'CN' : 'INV'}-${year}-${String(i).padStart(8, '0')}`,
      documentType: credit ? 'credit-note' : 'invoice',
      supplier: { name: supplierName, vatNumber },
      invoiceDate: date,
      currency: 'GBP',
      netAmount: fromScaled(netPence, 2),
      vatAmount: fromScaled((netPence * 20n) / 100n, 2),
      description: '',
      serviceArea,
      costCentre: `${areaCode}${String(100 + Math.floor(this.random() * 900))}`,
      category: { scheme: 'proclass', code: `${categoryCode}${10 + Math.floor(this.random() * 80)}` },
      lines: linePence.length > 0 ? linePence.map((pence, n) => this.line(n + 1, pence)) : undefined,
    };
    // Optional fields, present as often as in a typical AP extract.
    if (this.chance(0.5)) doc.supplier.ref = `SUP${companyNumber.slice(-5)}`;
    if (this.chance(0.5)) doc.supplier.companyNumber = companyNumber;
    if (this.chance(0.6)) doc.paymentDate = `${year}-${pad(month)}-${pad(Math.min(28, day + 14))}`;
    if (this.chance(0.6)) doc.poNumber = `PO${String(4_500_000 + Math.floor(this.random() * 400_000))}`;
    if (this.chance(0.7)) doc.expenseType = this.pick(EXPENSE_TYPES);
    if (doc.category && this.chance(0.5)) doc.category.label = categoryLabel;
    if (this.chance(0.3)) {
      doc.source = {
        uploadId: `upl-${year}${pad(month)}`,
        file: `ap-extract-${year}-${pad(month)}.csv`,
        row: i + 2,
      };
    }
    return doc;
  }

  private line(lineNo: number, pence: bigint): NonNullable<InvoiceV1['lines']>[number] {
    const line = { lineNo, description: this.pick(LINE_ITEMS), netAmount: fromScaled(pence, 2) };
    if (this.random() < 0.5) return line;
    const quantity = 1 + Math.floor(this.random() * 9);
    // unitPrice × quantity need not equal netAmount (discounts, rounding): the contract does not check it.
    const unitPrice = (Number(pence) / 100 / quantity).toFixed(4);
    return { ...line, quantity: String(quantity), unitPrice };
  }

  /**
   * Sets the free-text description so the JSON lands uniformly-ish in [MIN_BYTES, MAX_BYTES];
   * invoices with many lines first shed optional header fields, as sparse AP extracts do.
   */
  private fitToSize(doc: InvoiceV1): string {
    let bare = JSON.stringify(doc);
    for (const drop of OPTIONAL_FIELDS) {
      if (bare.length <= MAX_BYTES - 40) break;
      drop(doc);
      bare = JSON.stringify(doc);
    }
    const low = Math.max(MIN_BYTES + 2, bare.length + 10);
    const target = low + Math.floor(this.random() * Math.max(1, MAX_BYTES - low));
    const start = Math.floor(this.random() * 200);
    const description = TEXT.slice(start, start + (target - bare.length)).trim();
    // The text needs no JSON escaping, so it is spliced into the placeholder instead of re-stringifying.
    return bare.replace('"description":""', `"description":"${description}"`);
  }

  private lineCount(): number {
    let r = this.random();
    for (const [count, weight] of LINE_COUNT_WEIGHTS.entries()) {
      if (r < weight) return count;
      r -= weight;
    }
    return LINE_COUNT_WEIGHTS.length - 1;
  }

  /** A random amount in pence, 1p up to max, negative for credit notes. */
  private pence(credit: boolean, max: number): bigint {
    const pence = BigInt(1 + Math.floor(this.random() ** 2 * max));
    return credit ? -pence : pence;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

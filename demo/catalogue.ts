/**
 * What the partnership buys: trades (what an invoice is for) and the shared item catalogue, read
 * from the data files in demo/catalogue/ (validated here, so a typo stops the generator with the
 * file and row):
 * - categories.csv: real ProClass 17.1 and CPV 2008 codes, hand-picked and typed in;
 * - items.csv: the catalogue. `item_code` is the partnership's common catalogue code, the same for
 *   every body and supplier, so that unit prices can be compared across bodies; `vat_percent`
 *   overrides the trade's rate (food, books);
 * - trades.json: every trade, and for service trades the invoice lines they are billed in, whose
 *   `description` is a template: {month}, {site}, {date}, {number} and {pick:a|b|c}.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { BODY_KINDS } from '../lib/bodies.ts';
import { toScaled } from '../lib/money.ts';
import { type BodyKind, SERVICE_ROLES, type ServiceRole } from './bodies.ts';

export const TRADE_IDS = [
  'stationery',
  'cleaning',
  'ppe',
  'ict-hardware',
  'fuel',
  'food',
  'medical',
  'highways-materials',
  'firefighting',
  'police-equipment',
  'education-resources',
  'furniture',
  'electricity',
  'gas',
  'water',
  'telecoms',
  'software',
  'agency-staff',
  'social-care',
  'fostering',
  'personal-payments',
  'taxi',
  'waste',
  'building-works',
  'highways-works',
  'cleaning-services',
  'legal',
  'consultancy',
  'training',
  'vehicle-maintenance',
  'insurance',
  'postage',
  'security',
  'catering-services',
  'overseas',
] as const;

export type TradeId = (typeof TRADE_IDS)[number];

export interface Category {
  proclass: readonly [code: string, label: string];
  cpv: readonly [code: string, label: string];
}

export interface CatalogueItem {
  itemCode: string;
  description: string;
  unit: string;
  /** The list price in ten-thousandths of a pound; each body pays its own price around it. */
  listPrice: bigint;
  /** Fuel is priced to 4 places and bought in multiples of 100 litres, so lines stay whole pence. */
  quantityStep: 1 | 100;
  pricePlaces: 2 | 4;
  trade: TradeId;
  category: Category;
  vatPercent: bigint;
}

/** What a service invoice line looks like: quantity × unit price within a range, and its wording. */
export interface ServiceLine {
  unit: string;
  quantity: readonly [min: number, max: number];
  /** Unit price range as decimal strings; 4 places only together with a quantity step of 100. */
  price: readonly [min: string, max: string];
  quantityStep?: 100;
  onlyFor?: readonly BodyKind[];
  describe: (words: DescriptionWords) => string;
}

/** Words a description may use, drawn for the document being written. */
export interface DescriptionWords {
  month: string;
  site: string;
  date: string;
  pick: (options: readonly string[]) => string;
  number: () => number;
}

export interface Trade {
  id: TradeId;
  kind: 'catalogue' | 'service' | 'personal' | 'overseas';
  expenseType: string;
  role: ServiceRole;
  category: Category;
  vatPercent: bigint;
  /** How often a fully PO-compliant body raises a purchase order for this trade (utilities: never). */
  poShare: number;
  services?: readonly ServiceLine[];
}

const CATALOGUE_DIR = join(import.meta.dirname, 'catalogue');

const decimal = (places: number) =>
  z.string().regex(new RegExp(`^\\d+\\.\\d{2,${places}}$`), `a decimal with 2–${places} places`);
const percent = z.coerce.number().int().min(0).max(100).transform(BigInt);

function readCsv<T extends z.ZodType>(file: string, row: T): z.output<T>[] {
  const records: unknown[] = parse(readFileSync(join(CATALOGUE_DIR, file)), {
    columns: true,
    skip_empty_lines: true,
  });
  return records.map((record, index) => {
    const parsed = row.safeParse(record);
    if (!parsed.success) {
      // Row numbers as a spreadsheet shows them: the header is row 1.
      throw new Error(`demo/catalogue/${file} row ${index + 2}: ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
  });
}

const CATEGORIES: ReadonlyMap<string, Category> = new Map(
  readCsv(
    'categories.csv',
    z.object({
      category: z.string().min(1),
      proclass_code: z.string().regex(/^\d{6}$/),
      proclass_label: z.string().min(1),
      cpv_code: z.string().regex(/^\d{8}-\d$/),
      cpv_label: z.string().min(1),
    }),
  ).map((row) => [
    row.category,
    { proclass: [row.proclass_code, row.proclass_label], cpv: [row.cpv_code, row.cpv_label] } as const,
  ]),
);

const categoryName = z.string().refine((name) => CATEGORIES.has(name), 'a category of categories.csv');
const categoryOf = (name: string) => CATEGORIES.get(name) as Category;

/** The words a template may use besides {pick:…}: see DescriptionWords. */
const WORDS = new Set(['month', 'site', 'date', 'number']);
const PLACEHOLDER = /\{([a-z]+)(?::([^}]*))?\}/g;

/** A description template's placeholders are checked once, when the catalogue is read. */
const descriptionTemplate = z.string().superRefine((template, context) => {
  for (const [placeholder, name, options] of template.matchAll(PLACEHOLDER)) {
    const known =
      name === 'pick' ? options !== undefined : options === undefined && WORDS.has(name as string);
    if (!known) context.addIssue({ code: 'custom', message: `unknown placeholder ${placeholder}` });
  }
});

/** Fills a description template left to right, so picks and numbers are drawn in reading order. */
function describeWith(template: string): (words: DescriptionWords) => string {
  return (words) =>
    template.replace(PLACEHOLDER, (_placeholder, name: string, options: string | undefined) => {
      if (name === 'pick') return words.pick((options as string).split('|'));
      if (name === 'number') return String(words.number());
      return words[name as 'month' | 'site' | 'date'];
    });
}

const serviceLine = z.strictObject({
  unit: z.string().min(1),
  quantity: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  price: z.tuple([decimal(4), decimal(4)]),
  quantityStep: z.literal(100).optional(),
  onlyFor: z.array(z.enum(BODY_KINDS)).optional(),
  description: descriptionTemplate,
});

const tradeFile = z.record(
  z.enum(TRADE_IDS),
  z.strictObject({
    kind: z.enum(['catalogue', 'service', 'personal', 'overseas']),
    expenseType: z.string().min(1),
    role: z.enum(SERVICE_ROLES),
    category: categoryName,
    vatPercent: percent,
    poShare: z.number().min(0).max(1),
    services: z.array(serviceLine).optional(),
  }),
);

function readTrades(): Record<TradeId, Trade> {
  const parsed = tradeFile.safeParse(JSON.parse(readFileSync(join(CATALOGUE_DIR, 'trades.json'), 'utf8')));
  if (!parsed.success) throw new Error(`demo/catalogue/trades.json: ${z.prettifyError(parsed.error)}`);
  const trades = Object.entries(parsed.data).map(([id, trade]): [TradeId, Trade] => {
    const { services, ...rest } = trade;
    return [
      id as TradeId,
      {
        id: id as TradeId,
        ...rest,
        category: categoryOf(trade.category),
        ...(services && {
          services: services.map(
            ({ description, onlyFor, ...line }): ServiceLine => ({
              ...line,
              ...(onlyFor && { onlyFor: onlyFor as BodyKind[] }),
              describe: describeWith(description),
            }),
          ),
        }),
      },
    ];
  });
  const missing = TRADE_IDS.filter((id) => !trades.some(([tradeId]) => tradeId === id));
  if (missing.length > 0) throw new Error(`demo/catalogue/trades.json: no trade ${missing.join(', ')}`);
  return Object.fromEntries(trades) as Record<TradeId, Trade>;
}

export const TRADES: Readonly<Record<TradeId, Trade>> = readTrades();

export const CATALOGUE: readonly CatalogueItem[] = readCsv(
  'items.csv',
  z.object({
    item_code: z.string().min(1),
    description: z.string().min(1),
    unit: z.string().min(1),
    list_price: decimal(4),
    trade: z.enum(TRADE_IDS),
    category: categoryName,
    vat_percent: z.union([z.literal(''), percent]),
  }),
).map((row): CatalogueItem => {
  const fourPlaces = row.list_price.split('.')[1]?.length === 4;
  return {
    itemCode: row.item_code,
    description: row.description,
    unit: row.unit,
    listPrice: toScaled(row.list_price, 4),
    quantityStep: fourPlaces ? 100 : 1,
    pricePlaces: fourPlaces ? 4 : 2,
    trade: row.trade,
    category: categoryOf(row.category),
    vatPercent: row.vat_percent === '' ? TRADES[row.trade].vatPercent : row.vat_percent,
  };
});

export function itemsOfTrade(trade: TradeId): CatalogueItem[] {
  return CATALOGUE.filter((item) => item.trade === trade);
}

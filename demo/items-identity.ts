/**
 * Planted item identities (issue 17): what the price comparison must compare, and what it must
 * not. Every catalogue item carries a GTIN (scheme 0160), so bodies buying it from different
 * suppliers are compared. A few invoices from two suppliers of their own, sent to three bodies
 * near the end of the demo period, plant the hard cases, each written down in the manifest with
 * its expected prices worked out by hand (`itemIdentity`):
 * - a GTIN sold by both suppliers, written with 13 and with 14 digits, bought each and in boxes
 *   of 12: one comparison per C62;
 * - seller code "1234" at both suppliers, for different things: two comparisons, never one;
 * - pack sizes: napkins in packs of 500 and each; rice in 25 kg sacks and by the kilogram;
 * - units that cannot be normalised ("cartridge", "twin pack"): not compared with each other;
 * - the same buyer's code at two bodies: never compared (a body's own code);
 * - description-only lines: near-identical descriptions of one supplier and category suggested as
 *   one item (compared only once confirmed), and near misses (another size) that are not.
 */
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import { fromScaled, toScaled } from '../lib/money.ts';
import type { DemoBody } from './bodies.ts';
import { type Day, dayFromIso, isoFromDay } from './calendar.ts';
import { CATALOGUE } from './catalogue.ts';
import type { SupplierEntity, SupplierWorld } from './suppliers.ts';

/** A comparison the marts must make: one row of fct_price_dispersion, prices per normalised unit. */
export interface PlantedComparison {
  what: string;
  itemScheme: string;
  normalisedUnit: string;
  unitNormalised: boolean;
  bodyIds: string[];
  minUnitPrice: string;
  medianUnitPrice: string;
  maxUnitPrice: string;
}

export interface ItemIdentityFacts {
  invoiceDate: string;
  suppliers: { entityId: string; name: string; companyNumber: string }[];
  /** Catalogue items sent with a GTIN (standardItemId scheme 0160) on every line. */
  catalogueGtins: number;
  /** Exactly the comparisons (rows of two or more bodies) the planted lines must make. */
  comparisons: PlantedComparison[];
  /** Lines that look alike but must not be compared with one another: no row may hold two of them. */
  notCompared: { what: string; lines: LineRef[] }[];
  /** Description-only lines to be suggested as one item, and what confirming them compares. */
  descriptionMatches: { variants: string[]; bodyIds: string[]; onceConfirmed: PlantedComparison }[];
  /** Description-only lines that must not join that suggestion (another size or number). */
  descriptionNonMatches: { what: string; description: string; line: LineRef }[];
  /** Every planted line with the identity scheme it must get, for the coverage mart. */
  lines: (LineRef & { itemScheme: string; netAmount: string })[];
}

type LineRef = { bodyId: string; invoiceId: string; lineNo: number };

/** A GTIN-13 for the i-th catalogue item: an unassigned demo prefix, item number, check digit. */
export function demoGtin(index: number): string {
  return withCheckDigit(`5099999${String(index + 1).padStart(5, '0')}`);
}

const gtinByItem = new Map(CATALOGUE.map((item, i) => [item.itemCode, demoGtin(i)]));

/** The GTIN the demo sends with a catalogue item's lines. */
export function catalogueGtin(itemCode: string): string | undefined {
  return gtinByItem.get(itemCode);
}

function withCheckDigit(twelve: string): string {
  const sum = [...twelve].reduce((total, digit, i) => total + Number(digit) * (i % 2 === 0 ? 1 : 3), 0);
  return `${twelve}${(10 - (sum % 10)) % 10}`;
}

const KESTREL = {
  entityId: 'kestrel-catering',
  name: 'Kestrel Catering Supplies Ltd',
  companyNumber: '09876501',
};
const LARCHFIELD = {
  entityId: 'larchfield-office',
  name: 'Larchfield Office Products Ltd',
  companyNumber: '09876502',
};

/** The supplier world with the two planted suppliers, for the manifest's supplier groups. */
export function withPlantedSuppliers(world: SupplierWorld): SupplierWorld {
  const planted = [KESTREL, LARCHFIELD].map(
    (supplier): SupplierEntity => ({
      ...supplier,
      spellings: [supplier.name],
      trades: [],
      everyBuyer: false,
      localTo: null,
      currency: 'GBP',
      invoiceStyle: { invoice: 'ITEMS-', credit: 'ITEMSC-', width: 1 },
    }),
  );
  return { ...world, entities: [...world.entities, ...planted] };
}
const SHARED_GTIN = withCheckDigit('506000000001');
// ProClass 111120 Catering / Equipment & Utensils / Disposables
const DISPOSABLES = { scheme: 'proclass', code: '111120' } as const;

type Supplier = typeof KESTREL;
type Draft = {
  body: 0 | 1 | 2;
  supplier: Supplier;
  scheme: string;
  line: Omit<InvoiceV1['lines'] extends (infer L)[] | undefined ? L : never, 'lineNo' | 'netAmount'> & {
    quantity: string;
    unitPrice: string;
  };
};

/** The planted lines, by body (0, 1, 2: the first three bodies to join) and supplier. */
const DRAFTS: Draft[] = [
  // one GTIN, two suppliers, 13 and 14 digits, each and boxes of 12: 2.40, 2.10, 27.00 / 12 = 2.25
  {
    body: 0,
    supplier: KESTREL,
    scheme: 'gtin',
    line: {
      description: 'Hand soap 500ml',
      standardItemId: { scheme: '0160', id: SHARED_GTIN },
      unit: 'EA',
      quantity: '10',
      unitPrice: '2.40',
    },
  },
  {
    body: 1,
    supplier: LARCHFIELD,
    scheme: 'gtin',
    line: {
      description: 'HAND SOAP 500ML',
      standardItemId: { scheme: '0160', id: `0${SHARED_GTIN}` },
      unit: 'C62',
      quantity: '20',
      unitPrice: '2.10',
    },
  },
  {
    body: 2,
    supplier: KESTREL,
    scheme: 'gtin',
    line: {
      description: 'Hand soap 500ml x12',
      standardItemId: { scheme: 'GTIN', id: SHARED_GTIN },
      unit: 'box of 12',
      quantity: '2',
      unitPrice: '27.00',
    },
  },
  // seller code 1234 means foil at Kestrel and ring binders at Larchfield
  {
    body: 0,
    supplier: KESTREL,
    scheme: 'seller',
    line: {
      description: 'Catering foil 450mm',
      sellersItemCode: '1234',
      unit: 'roll',
      quantity: '4',
      unitPrice: '18.00',
    },
  },
  {
    body: 1,
    supplier: KESTREL,
    scheme: 'seller',
    line: {
      description: 'Catering foil 450mm',
      sellersItemCode: '1234',
      unit: 'roll',
      quantity: '6',
      unitPrice: '16.50',
    },
  },
  {
    body: 0,
    supplier: LARCHFIELD,
    scheme: 'seller',
    line: {
      description: 'A4 ring binder',
      sellersItemCode: '1234',
      unit: 'each',
      quantity: '30',
      unitPrice: '1.20',
    },
  },
  {
    body: 2,
    supplier: LARCHFIELD,
    scheme: 'seller',
    line: {
      description: 'Ring binder A4',
      sellersItemCode: '1234',
      unit: 'EA',
      quantity: '40',
      unitPrice: '1.35',
    },
  },
  // pack sizes: napkins 6.00 a pack of 500 (0.012 each) and 0.013 each; rice 42.50 a 25 kg sack (1.70 a kg) and 1.80 a kg
  {
    body: 0,
    supplier: KESTREL,
    scheme: 'seller',
    line: {
      description: 'Paper napkins white',
      sellersItemCode: 'KC-NAP',
      unit: 'PK',
      packQuantity: '500',
      packUnit: 'EA',
      quantity: '3',
      unitPrice: '6.00',
    },
  },
  {
    body: 2,
    supplier: KESTREL,
    scheme: 'seller',
    line: {
      description: 'Paper napkins white',
      sellersItemCode: 'KC-NAP',
      unit: 'each',
      quantity: '1000',
      unitPrice: '0.0130',
    },
  },
  {
    body: 1,
    supplier: KESTREL,
    scheme: 'seller',
    line: {
      description: 'Long grain rice',
      sellersItemCode: 'KC-RICE',
      unit: 'kg',
      quantity: '20',
      unitPrice: '1.80',
    },
  },
  {
    body: 2,
    supplier: KESTREL,
    scheme: 'seller',
    line: {
      description: 'Long grain rice 25kg',
      sellersItemCode: 'KC-RICE',
      unit: 'sack',
      packQuantity: '25',
      packUnit: 'kg',
      quantity: '2',
      unitPrice: '42.50',
    },
  },
  // units that cannot be normalised: a cartridge and a twin pack of the same toner code
  {
    body: 0,
    supplier: LARCHFIELD,
    scheme: 'seller',
    line: {
      description: 'Toner LF-9 black',
      sellersItemCode: 'LF-TONER',
      unit: 'cartridge',
      quantity: '2',
      unitPrice: '45.00',
    },
  },
  {
    body: 1,
    supplier: LARCHFIELD,
    scheme: 'seller',
    line: {
      description: 'Toner LF-9 black twin',
      sellersItemCode: 'LF-TONER',
      unit: 'twin pack',
      quantity: '1',
      unitPrice: '85.00',
    },
  },
  // the same buyer's code at two bodies: each body's own
  {
    body: 0,
    supplier: LARCHFIELD,
    scheme: 'buyer',
    line: {
      description: 'Stationery bundle',
      buyersItemCode: 'STORE-77',
      unit: 'each',
      quantity: '5',
      unitPrice: '3.00',
    },
  },
  {
    body: 1,
    supplier: LARCHFIELD,
    scheme: 'buyer',
    line: {
      description: 'Cleaning bundle',
      buyersItemCode: 'STORE-77',
      unit: 'each',
      quantity: '5',
      unitPrice: '2.50',
    },
  },
  // description only: the same tokens (suggested), another size and another count (not)
  {
    body: 0,
    supplier: KESTREL,
    scheme: 'none',
    line: {
      description: 'Nitrile gloves, medium, box of 100',
      unit: 'box',
      quantity: '10',
      unitPrice: '4.50',
      category: DISPOSABLES,
    },
  },
  {
    body: 1,
    supplier: KESTREL,
    scheme: 'none',
    line: {
      description: 'GLOVES NITRILE MEDIUM - BOX OF 100',
      unit: 'box',
      quantity: '10',
      unitPrice: '4.20',
      category: DISPOSABLES,
    },
  },
  {
    body: 2,
    supplier: KESTREL,
    scheme: 'none',
    line: {
      description: 'Nitrile gloves, large, box of 100',
      unit: 'box',
      quantity: '10',
      unitPrice: '4.60',
      category: DISPOSABLES,
    },
  },
  {
    body: 2,
    supplier: KESTREL,
    scheme: 'none',
    line: {
      description: 'Nitrile gloves, medium, box of 200',
      unit: 'box',
      quantity: '5',
      unitPrice: '8.40',
      category: DISPOSABLES,
    },
  },
];

/** How many invoice lines the planting adds (the generator leaves room for them). */
export const PLANTED_ITEM_LINES = DRAFTS.length;

export type PlantedInvoice = { key: string; doc: InvoiceV1; entityId: string; day: Day };

/**
 * The planted invoices (one per body and supplier, dated two weeks before the end of the demo),
 * and the facts for the manifest. Needs three bodies that have joined by then.
 */
export function plantItemIdentity(
  bodies: readonly DemoBody[],
  endDate: string,
): { invoices: PlantedInvoice[]; facts: ItemIdentityFacts } | null {
  const day = dayFromIso(endDate) - 14;
  const invoiceDate = isoFromDay(day);
  const buyers = [...bodies]
    .filter((body) => body.joinedOn <= invoiceDate)
    .sort((a, b) => a.joinedOn.localeCompare(b.joinedOn) || a.bodyId.localeCompare(b.bodyId))
    .slice(0, 3)
    .map((body) => body.bodyId);
  if (buyers.length < 3) return null;
  const bodyOf = (draft: Draft) => buyers[draft.body] as string;

  const invoices: PlantedInvoice[] = [];
  const refs = new Map<Draft, LineRef & { netAmount: string }>();
  for (const supplier of [KESTREL, LARCHFIELD]) {
    for (const bodyId of buyers) {
      const drafts = DRAFTS.filter((d) => d.supplier === supplier && bodyOf(d) === bodyId);
      if (drafts.length === 0) continue;
      const invoiceId = `ITEMS-${supplier.entityId.toUpperCase()}-1`;
      const lines = drafts.map((draft, i) => {
        const net = (toScaled(draft.line.quantity, 4) * toScaled(draft.line.unitPrice, 4)) / 1_000_000n;
        const netAmount = fromScaled(net, 2);
        refs.set(draft, { bodyId, invoiceId, lineNo: i + 1, netAmount });
        return { lineNo: i + 1, ...draft.line, netAmount };
      });
      const total = lines.reduce((sum, line) => sum + toScaled(line.netAmount, 2), 0n);
      invoices.push({
        key: `${bodyId}:${invoiceId}`,
        entityId: supplier.entityId,
        day,
        doc: {
          schema: 'invoice.v1',
          bodyId,
          invoiceId,
          documentType: 'invoice',
          supplier: { name: supplier.name, companyNumber: supplier.companyNumber },
          invoiceDate,
          currency: 'GBP',
          netAmount: fromScaled(total, 2),
          vatAmount: fromScaled((total * 20n) / 100n, 2),
          description: 'Supplies',
          lines,
        },
      });
    }
  }

  const ref = (index: number): LineRef => {
    const { bodyId, invoiceId, lineNo } = refs.get(DRAFTS[index] as Draft) as LineRef;
    return { bodyId, invoiceId, lineNo };
  };
  const descriptionOf = (index: number) => (DRAFTS[index] as Draft).line.description as string;
  const [b0, b1, b2] = buyers as [string, string, string];
  const facts: ItemIdentityFacts = {
    invoiceDate,
    suppliers: [KESTREL, LARCHFIELD],
    catalogueGtins: gtinByItem.size,
    // worked out by hand from DRAFTS above
    comparisons: [
      {
        what: 'hand soap by GTIN, two suppliers, each and boxes of 12',
        itemScheme: 'gtin',
        normalisedUnit: 'C62',
        unitNormalised: true,
        bodyIds: [b0, b1, b2],
        minUnitPrice: '2.10',
        medianUnitPrice: '2.25',
        maxUnitPrice: '2.40',
      },
      {
        what: "Kestrel's code 1234 (foil), by the roll",
        itemScheme: 'seller',
        normalisedUnit: 'ROLL',
        unitNormalised: false,
        bodyIds: [b0, b1],
        minUnitPrice: '16.50',
        medianUnitPrice: '17.25',
        maxUnitPrice: '18.00',
      },
      {
        what: "Larchfield's code 1234 (ring binders)",
        itemScheme: 'seller',
        normalisedUnit: 'C62',
        unitNormalised: true,
        bodyIds: [b0, b2],
        minUnitPrice: '1.20',
        medianUnitPrice: '1.275',
        maxUnitPrice: '1.35',
      },
      {
        what: 'napkins: packs of 500 at 6.00 and 0.013 each',
        itemScheme: 'seller',
        normalisedUnit: 'C62',
        unitNormalised: true,
        bodyIds: [b0, b2],
        minUnitPrice: '0.012',
        medianUnitPrice: '0.0125',
        maxUnitPrice: '0.013',
      },
      {
        what: 'rice: 25 kg sacks at 42.50 and 1.80 a kg',
        itemScheme: 'seller',
        normalisedUnit: 'KGM',
        unitNormalised: true,
        bodyIds: [b1, b2],
        minUnitPrice: '1.70',
        medianUnitPrice: '1.75',
        maxUnitPrice: '1.80',
      },
    ],
    notCompared: [
      { what: 'code 1234 at two suppliers', lines: [ref(3), ref(5)] },
      { what: 'toner: a cartridge and a twin pack (units not normalisable)', lines: [ref(11), ref(12)] },
      { what: "buyer's code STORE-77 at two bodies", lines: [ref(13), ref(14)] },
    ],
    descriptionMatches: [
      {
        variants: ['GLOVES NITRILE MEDIUM BOX OF 100', 'NITRILE GLOVES MEDIUM BOX OF 100'],
        bodyIds: [b0, b1],
        onceConfirmed: {
          what: 'nitrile gloves, medium, box of 100',
          itemScheme: 'description',
          normalisedUnit: 'BOX',
          unitNormalised: false,
          bodyIds: [b0, b1],
          minUnitPrice: '4.20',
          medianUnitPrice: '4.35',
          maxUnitPrice: '4.50',
        },
      },
    ],
    descriptionNonMatches: [
      { what: 'another size (large)', description: descriptionOf(17), line: ref(17) },
      { what: 'another count (box of 200)', description: descriptionOf(18), line: ref(18) },
    ],
    lines: DRAFTS.map((draft) => {
      const { bodyId, invoiceId, lineNo, netAmount } = refs.get(draft) as LineRef & { netAmount: string };
      return { bodyId, invoiceId, lineNo, itemScheme: draft.scheme, netAmount };
    }),
  };
  return { invoices, facts };
}

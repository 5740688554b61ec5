/**
 * Planted procurement savings from unit prices (docs/savings.md#demo). Every body of the demo
 * partnership sends, beside its generated buying, the year before it joined for three items it
 * buys often (one invoice a month, months 12 … 2 before joining, at one baseline price), so
 * each has a baseline (the 12 months before it joined) and its lines after joining, at its
 * contract price, are measured against it:
 * - the first item's baseline is 8 % above the contract price: **cost reduction**, and the
 *   index rising on top of it, **cost avoidance**;
 * - the second's is 1 % below: the price rose, by less than the index (**cost avoidance**);
 * - the third's is 7 % below: the price rose by more than the index (**leakage**), until the
 *   index catches up years later. Lines charged above a purchase order's price add leakage.
 * A fourth item is bought under a contract let through the partnership (a row of the savings
 * register): from its supplier, against the previous price (6 % above the contract price); for
 * a couple of bodies the contract gives no previous price but an agreed saving rate instead
 * (RATE_CONTRACTS), realised as that share of every line's spend, priced or not.
 * The generated messages are watched as they go by (the latest version of each document with
 * those items, retractions and bad records left out), and what they realise is worked out in
 * whole units with BigInt, independently of the product's money code, into the manifest
 * (`procurementSavings`). The baseline invoices come after the generated messages.
 */
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import { BODY_PROFILES, TRADE_WEIGHTS } from './bodies.ts';
import { addMonths, dayFromIso, isoFromDay, monthOf } from './calendar.ts';
import { itemsOfTrade, TRADES } from './catalogue.ts';
import type { Demo } from './generate.ts';
import { type DemoManifest, totalsWithInvoices } from './manifest.ts';
import type { DemoMessage } from './messages.ts';

export type PlantedKind =
  | 'cost reduction'
  | 'cost avoidance'
  | 'leakage'
  | 'contract saving'
  | 'contract rate';

/** Baseline price = contract price × (100 + this) ÷ 100, to the penny, by the kind planted. */
const BASELINE_PREMIUM_PCT: Record<PlantedKind, bigint> = {
  'cost reduction': 8n,
  'cost avoidance': -1n,
  leakage: -7n,
  // the contract's previous price (the savings register's), not a baseline
  'contract saving': 6n,
  // no price at all: the register's agreed saving rate (RATE_CONTRACTS) on the lines' spend
  'contract rate': 0n,
};
const KINDS: PlantedKind[] = ['cost reduction', 'cost avoidance', 'leakage', 'contract saving'];

/**
 * The bodies whose partnership contract is at an agreed saving rate (% of spend, to 4 places)
 * instead of a previous price: register rows without a previous price, as contracts for
 * services or mixed baskets are let in practice.
 */
export const RATE_CONTRACTS: ReadonlyMap<string, string> = new Map([
  ['riverton-city-council', '4.5'],
  ['westmoor-dc', '3.125'],
]);

export interface PlantedBaseline {
  bodyId: string;
  itemCode: string;
  unit: string;
  /** What the item was planted to show (its lines may show more: the index moves on). */
  planted: PlantedKind;
  /** The body's usual price after joining (its contract price), £ to 4 places. */
  contractUnitPrice: string;
  /** The baseline: every baseline invoice is at this price, so it is also their average. */
  baselineUnitPrice: string;
  /** The baseline period, [start, end): the 12 months before the month the body joined. */
  baselineStart: string;
  baselineEnd: string;
  /** The month the baseline is indexed from (the 7th of the 12). */
  baselineMidMonth: string;
  /** Keys of the baseline invoices sent. */
  baselineInvoices: string[];
}

/**
 * A contract let through the partnership (a row of the savings register): from the day the body
 * joined, its supplier sells it the item at the body's contract price instead of the previous
 * price, 6 % dearer. Lines from that supplier (any spelling the body uses) are measured against
 * the previous price, not indexed; lines of the item from other suppliers realise nothing.
 */
export interface PlantedContract {
  registerId: string;
  bodyId: string;
  /** As the body's spend names the supplier. */
  supplierName: string;
  /** Every name the body sends for that supplier (the generator's truth: manifest `supplierGroups`). */
  supplierNamesSent: string[];
  itemCode: string;
  /** The price the contract replaces; null for a contract at an agreed saving rate. */
  previousUnitPrice: string | null;
  /** The agreed saving rate, % of spend (a contract without a previous price); else null. */
  agreedSavingPct: string | null;
  /** The body's usual price under the contract; null for a contract at a rate (not needed). */
  contractUnitPrice: string | null;
  startsOn: string;
  /**
   * The contracted stage's estimate: (previous − contract price) × a year of the first order's
   * quantity, monthly; at a rate, the rate on a year of the first order's amount, monthly.
   */
  agreedAnnualSaving: string;
}

/** What one body's lines of one item realise in one contract year, £ with 2 places. */
export interface PlantedProcurementResult {
  /** Measured against the body's baseline, or the savings register's previous price. */
  basis: 'baseline' | 'register';
  contractYear: number;
  bodyId: string;
  itemCode: string;
  unit: string;
  /** Current GBP lines measured (credit notes included, with negative quantity). */
  lines: number;
  costReduction: string;
  costAvoidance: string;
  leakage: string;
}

export interface PlantedProcurementSavings {
  /** The agreement's price index the results use: month (YYYY-MM) → index value. */
  priceIndex: Record<string, string>;
  baselines: PlantedBaseline[];
  contracts: PlantedContract[];
  results: PlantedProcurementResult[];
}

/** One line of interest of a current document. */
interface SeenLine {
  itemCode: string;
  unit: string | undefined;
  quantity: string;
  unitPrice: string;
  netAmount: string;
  template: NonNullable<InvoiceV1['lines']>[number];
}
interface SeenDocument {
  doc: InvoiceV1;
  lines: SeenLine[];
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const monthLabel = (year: number, month: number) => {
  const y = year + Math.floor((month - 1) / 12);
  return `${y}-${pad2(((((month - 1) % 12) + 12) % 12) + 1)}`;
};

/**
 * The demo's price index, month → value in hundredths: 100.00 twelve months before the period
 * starts (so every baseline is covered), rising by 0.25 a month. `demo/savings.ts` loads it.
 */
export function demoPriceIndex(startDate: string, endDate: string): Map<string, bigint> {
  const year = Number(startDate.slice(0, 4));
  const first = Number(startDate.slice(5, 7)) - 12;
  const index = new Map<string, bigint>();
  for (let m = first, i = 0n; monthLabel(year, m) <= endDate.slice(0, 7); m++, i++)
    index.set(monthLabel(year, m), 10_000n + 25n * i);
  return index;
}

/**
 * The three items of a body that the plant measures: from the three catalogue trades whose items
 * it buys most often (its trade weight ÷ the trade's items), the first item of each.
 */
export function plantedItems(bodyId: string): { itemCode: string; planted: PlantedKind }[] {
  const profile = BODY_PROFILES.find((p) => p.bodyId === bodyId);
  if (!profile) return [];
  const scored = TRADE_WEIGHTS[profile.buying].flatMap(([trade, weight]) => {
    const items = TRADES[trade].kind === 'catalogue' ? itemsOfTrade(trade) : [];
    const first = items.map((item) => item.itemCode).sort()[0];
    return first ? [{ itemCode: first, score: weight / items.length }] : [];
  });
  scored.sort((a, b) => b.score - a.score || (a.itemCode < b.itemCode ? -1 : 1));
  return scored.slice(0, KINDS.length).map((s, i) => {
    const kind = KINDS[i] as PlantedKind;
    return {
      itemCode: s.itemCode,
      planted: kind === 'contract saving' && RATE_CONTRACTS.has(bodyId) ? 'contract rate' : kind,
    };
  });
}

/** "12.5" / "-3.0000" → units of 10^-places (exact; the demo's own arithmetic). */
function units(value: string, places: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match || (match[3]?.length ?? 0) > places)
    throw new RangeError(`not a decimal of ≤ ${places} places: ${value}`);
  const digits = BigInt((match[2] as string) + (match[3] ?? '').padEnd(places, '0'));
  return match[1] ? -digits : digits;
}
function text(value: bigint, places: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(places + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
/** Units of 10^-4 to pence, half away from zero. */
const toPence = (x: bigint) => (x < 0n ? -((-x + 50n) / 100n) : (x + 50n) / 100n);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * The demo with the baseline invoices after its messages, and what they plant in the manifest
 * (`procurementSavings`, and their counts in `totals`, `expectedStats` and `offPoInvoices`).
 */
export function withDemoProcurementSavings(
  demo: Demo,
): Demo & { readonly procurementSavings: PlantedProcurementSavings } {
  const joined = new Map(demo.bodies.map((b) => [b.bodyId, b.joinedOn]));
  const wanted = new Map(
    demo.bodies.map((b) => [b.bodyId, new Map(plantedItems(b.bodyId).map((i) => [i.itemCode, i.planted]))]),
  );
  let finished:
    | { planted: PlantedProcurementSavings; extra: DemoMessage[]; manifest: DemoManifest }
    | undefined;

  function* messages(): Generator<DemoMessage> {
    const seen = new Map<string, SeenDocument>();
    for (const message of demo.messages()) {
      if (message.topic === 'invoices') watch(seen, message, wanted);
      yield message;
    }
    // the generated pass is complete: its manifest is ready, and tells the bad records apart
    const base = demo.manifest;
    for (const bad of base.badRecords) if (bad.topic === 'invoices') seen.delete(bad.key);
    finished ??= plant(base, seen, joined, wanted);
    yield* finished.extra;
  }
  const done = () => {
    if (!finished) for (const _message of messages());
    return finished as NonNullable<typeof finished>;
  };
  return {
    bodies: demo.bodies,
    messages,
    get manifest() {
      return done().manifest;
    },
    get procurementSavings() {
      return done().planted;
    },
  };
}

/** Per body, a test for a document naming one of its planted items (one scan of the text: cheap at any volume). */
const itemPatterns = new WeakMap<Map<string, PlantedKind>, RegExp>();
function itemPattern(items: Map<string, PlantedKind>): RegExp {
  let pattern = itemPatterns.get(items);
  if (!pattern) {
    const codes = [...items.keys()].map((code) => code.replace(/[^A-Za-z0-9]/g, (c) => `\\${c}`));
    pattern = new RegExp(`"itemCode":"(?:${codes.join('|')})"`);
    itemPatterns.set(items, pattern);
  }
  return pattern;
}

function watch(
  seen: Map<string, SeenDocument>,
  message: DemoMessage,
  wanted: Map<string, Map<string, PlantedKind>>,
): void {
  const items = wanted.get(message.key.slice(0, message.key.indexOf(':')));
  if (!items) return;
  if (message.value === null || !itemPattern(items).test(message.value)) {
    seen.delete(message.key); // retracted, or its latest version has none of the items
    return;
  }
  let doc: InvoiceV1;
  try {
    doc = JSON.parse(message.value) as InvoiceV1;
  } catch {
    return; // a bad record (fresh key): never current
  }
  const lines: SeenLine[] = [];
  for (const line of doc.lines ?? []) {
    const kind = line.itemCode ? items.get(line.itemCode) : undefined;
    if (!line.itemCode || !kind) continue;
    // a contract at a saving rate counts every line of its item, priced or not (it reads only
    // the amount); every other measure needs the quantity and unit price
    const priced = line.quantity !== undefined && line.unitPrice !== undefined;
    if (!priced && kind !== 'contract rate') continue;
    lines.push({
      itemCode: line.itemCode,
      unit: line.unit,
      quantity: line.quantity ?? '0',
      unitPrice: line.unitPrice ?? '0',
      netAmount: line.netAmount,
      template: line,
    });
  }
  seen.set(message.key, { doc, lines });
}

function plant(
  base: DemoManifest,
  seen: Map<string, SeenDocument>,
  joined: Map<string, string>,
  wanted: Map<string, Map<string, PlantedKind>>,
): { planted: PlantedProcurementSavings; extra: DemoMessage[]; manifest: DemoManifest } {
  const { startDate, endDate } = base.generator;
  const index = demoPriceIndex(startDate, endDate);
  const startMonth = Number(startDate.slice(5, 7));
  const contractYear = (date: string) =>
    Number(date.slice(0, 4)) - (Number(date.slice(5, 7)) < startMonth ? 1 : 0);
  const dateOf = (doc: InvoiceV1) => (doc.invoiceDate ?? doc.paymentDate) as string;

  // the current GBP lines of each body × item × unit, dated from the body's joining
  const byPair = new Map<string, { doc: InvoiceV1; key: string; line: SeenLine }[]>();
  for (const [key, { doc, lines }] of seen) {
    if (doc.currency !== 'GBP' || dateOf(doc) < (joined.get(doc.bodyId) as string)) continue;
    for (const line of lines) {
      const pair = `${doc.bodyId}|${line.itemCode}|${line.unit ?? ''}`;
      const list = byPair.get(pair) ?? [];
      list.push({ doc, key, line });
      byPair.set(pair, list);
    }
  }

  const baselines: PlantedBaseline[] = [];
  const contracts: PlantedContract[] = [];
  const results = new Map<string, PlantedProcurementResult & { r: bigint; a: bigint; l: bigint }>();
  /** The running result of one contract year × body × item × unit, kept in `results`. */
  const resultFor = (
    basis: PlantedProcurementResult['basis'],
    year: number,
    bodyId: string,
    itemCode: string,
    unit: string,
  ) => {
    const slot = `${year}|${bodyId}|${itemCode}|${unit}`;
    const result = results.get(slot) ?? {
      basis,
      contractYear: year,
      bodyId,
      itemCode,
      unit,
      lines: 0,
      costReduction: '',
      costAvoidance: '',
      leakage: '',
      r: 0n,
      a: 0n,
      l: 0n,
    };
    results.set(slot, result);
    return result;
  };
  const extra: DemoMessage[] = [];
  const added = new Map<string, { invoices: number; pence: bigint; first: string }>();
  const byDate = (a: { doc: InvoiceV1; key: string }, b: { doc: InvoiceV1; key: string }) =>
    dateOf(a.doc) < dateOf(b.doc) ? -1 : dateOf(a.doc) > dateOf(b.doc) ? 1 : a.key < b.key ? -1 : 1;
  /** One line measured against a reference price (indexed or not), to the penny per measure. */
  const measure = (
    basis: PlantedProcurementResult['basis'],
    bodyId: string,
    itemCode: string,
    unit: string,
    reference: bigint,
    indexed: bigint,
    doc: InvoiceV1,
    line: SeenLine,
  ) => {
    const paid = units(line.unitPrice, 4);
    // a credit note's quantity takes its amount's sign, however the supplier wrote it
    const q = units(line.quantity, 0) < 0n ? -units(line.quantity, 0) : units(line.quantity, 0);
    const quantity = units(line.netAmount, 2) < 0n ? -q : q;
    const year = contractYear(dateOf(doc));
    const result = resultFor(basis, year, bodyId, itemCode, unit);
    result.lines++;
    result.r += toPence(max(reference - paid, 0n) * quantity);
    result.a += toPence(max(indexed - max(paid, reference), 0n) * quantity);
    result.l += toPence(max(paid - indexed, 0n) * quantity);
  };

  /** The register's supplier as the body spells it, and every name the body sends for it. */
  const contractSupplier = <T extends { doc: InvoiceV1 }>(bodyId: string, invoices: T[]) => {
    // its earliest invoice's name, written plainly
    const model = invoices.find(
      (b) => b.doc.supplier.name.trim() === b.doc.supplier.name && !/[",]/.test(b.doc.supplier.name),
    );
    if (!model) return undefined;
    const supplierName = model.doc.supplier.name;
    const group = base.supplierGroups.find((g) =>
      g.bodies.some((b) => b.bodyId === bodyId && b.names.includes(supplierName)),
    );
    const names = new Set(group?.bodies.find((b) => b.bodyId === bodyId)?.names ?? [supplierName]);
    return { model, supplierName, names };
  };

  /**
   * A contract at an agreed saving rate: each line of the item from its supplier (any name the
   * body sends for it), from the day the body joined, saves the rate on its amount, to the penny
   * (half away from zero, so a credit note reverses its invoice exactly); no price is compared.
   */
  const plantRateContract = (
    bodyId: string,
    itemCode: string,
    joinedOn: string,
    bought: { doc: InvoiceV1; line: SeenLine }[],
    invoices: { doc: InvoiceV1; line: SeenLine }[],
  ) => {
    const supplier = contractSupplier(bodyId, invoices);
    if (!supplier) return;
    const pct = RATE_CONTRACTS.get(bodyId) as string;
    const rate = units(pct, 4); // % in 10^-4: a line saves net (pence) × rate ÷ 10^6
    const ofRate = (pence: bigint) =>
      pence < 0n ? -((-pence * rate + 500_000n) / 1_000_000n) : (pence * rate + 500_000n) / 1_000_000n;
    contracts.push({
      registerId: `NSP-${bodyId}-${itemCode}`,
      bodyId,
      supplierName: supplier.supplierName,
      supplierNamesSent: [...supplier.names].sort(),
      itemCode,
      previousUnitPrice: null,
      agreedSavingPct: pct,
      contractUnitPrice: null,
      startsOn: joinedOn,
      agreedAnnualSaving: text(ofRate(units(supplier.model.line.netAmount, 2) * 12n), 2),
    });
    for (const { doc, line } of bought) {
      if (!supplier.names.has(doc.supplier.name) || dateOf(doc) < joinedOn) continue;
      const unit = line.unit ?? '';
      const result = resultFor('register', contractYear(dateOf(doc)), bodyId, itemCode, unit);
      result.lines++;
      // the rate's saving is a cost reduction, as the product files it; nothing is indexed
      result.r += ofRate(units(line.netAmount, 2));
    }
  };

  for (const [bodyId, items] of wanted) {
    const joinedOn = joined.get(bodyId) as string;
    const joinMonth = dayFromIso(`${joinedOn.slice(0, 7)}-01`);
    const amountsSent = new Set<string>();
    [...items].forEach(([itemCode, kind], itemIndex) => {
      const pairs = [...byPair.keys()].filter((p) => p.startsWith(`${bodyId}|${itemCode}|`)).sort();
      const bought = pairs.flatMap((pair) => byPair.get(pair) ?? []);
      const invoices = bought.filter((b) => b.doc.documentType === 'invoice').sort(byDate);
      if (invoices.length === 0) return;
      if (kind === 'contract rate') {
        plantRateContract(bodyId, itemCode, joinedOn, bought, invoices);
        return;
      }
      // its contract price: the price of most of its invoice lines (lowest on a tie)
      const counts = new Map<bigint, number>();
      for (const b of invoices) {
        const p = units(b.line.unitPrice, 4);
        counts.set(p, (counts.get(p) ?? 0) + 1);
      }
      const contract = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] as bigint;
      const referencePence = (contract * (100n + BASELINE_PREMIUM_PCT[kind]) + 5_000n) / 10_000n;
      const reference = referencePence * 100n;

      if (kind === 'contract saving') {
        // the register names the supplier as the body spells it
        const supplier = contractSupplier(bodyId, invoices);
        if (!supplier) return;
        const { model, supplierName, names } = supplier;
        const yearly = units(model.line.quantity, 0) * 12n;
        contracts.push({
          registerId: `NSP-${bodyId}-${itemCode}`,
          bodyId,
          supplierName,
          supplierNamesSent: [...names].sort(),
          itemCode,
          previousUnitPrice: text(reference, 4),
          agreedSavingPct: null,
          contractUnitPrice: text(contract, 4),
          startsOn: joinedOn,
          agreedAnnualSaving: text(toPence((reference - contract) * yearly), 2),
        });
        for (const { doc, line } of bought) {
          if (!names.has(doc.supplier.name) || dateOf(doc) < joinedOn) continue;
          measure('register', bodyId, itemCode, line.unit ?? '', reference, reference, doc, line);
        }
        return;
      }

      // a baseline: the items of one unit (the first), bought a year before joining
      const unit = (pairs[0] as string).split('|')[2] as string;
      const ofUnit = invoices.filter((b) => (b.line.unit ?? '') === unit);
      const model = ofUnit[0] as (typeof ofUnit)[number];
      const step = units(model.line.quantity, 0) > 0n ? units(model.line.quantity, 0) : 1n;
      const keys: string[] = [];
      for (let m = -12; m <= -2; m++) {
        const month = monthOf(addMonths(joinMonth, m));
        const date = isoFromDay(month.firstDay + 4 + 7 * itemIndex);
        let quantity = step * BigInt(2 + ((m + 12) % 4));
        // never the same supplier and amount twice (no duplicate-payment look-alikes)
        while (amountsSent.has(String(quantity * referencePence))) quantity += step;
        amountsSent.add(String(quantity * referencePence));
        const net = text(quantity * referencePence, 2);
        const invoiceId = `BL-${itemCode}-${month.label.replace('-', '')}`;
        const { lineNo: _n, quantity: _q, unitPrice: _p, netAmount: _a, ...lineRest } = model.line.template;
        const doc: InvoiceV1 = {
          schema: 'invoice.v1',
          bodyId,
          invoiceId,
          documentType: 'invoice',
          supplier: model.doc.supplier,
          ...(model.doc.invoiceDate ? { invoiceDate: date } : {}),
          ...(model.doc.paymentDate ? { paymentDate: date } : {}),
          currency: 'GBP',
          netAmount: net,
          description: `${model.line.template.description ?? itemCode} (before joining)`,
          ...(model.doc.expenseType ? { expenseType: model.doc.expenseType } : {}),
          lines: [
            {
              ...lineRest,
              lineNo: 1,
              quantity: String(quantity),
              unitPrice: text(reference, 4),
              netAmount: net,
            },
          ],
        };
        const key = `${bodyId}:${invoiceId}`;
        keys.push(key);
        extra.push({ topic: 'invoices', key, value: JSON.stringify(doc) });
        const tally = added.get(bodyId) ?? { invoices: 0, pence: 0n, first: date };
        tally.invoices++;
        tally.pence += quantity * referencePence;
        if (date < tally.first) tally.first = date;
        added.set(bodyId, tally);
      }
      const midMonth = monthOf(addMonths(joinMonth, -6)).label;
      baselines.push({
        bodyId,
        itemCode,
        unit,
        planted: kind,
        contractUnitPrice: text(contract, 4),
        baselineUnitPrice: text(reference, 4),
        baselineStart: isoFromDay(addMonths(joinMonth, -12)),
        baselineEnd: isoFromDay(joinMonth),
        baselineMidMonth: midMonth,
        baselineInvoices: keys,
      });
      // what each current line after joining realises, against the baseline indexed to its month
      const indexBase = index.get(midMonth) as bigint;
      for (const { doc, line } of bought) {
        if ((line.unit ?? '') !== unit) continue;
        const indexNow = index.get(dateOf(doc).slice(0, 7)) as bigint;
        const indexed = (2n * reference * indexNow + indexBase) / (2n * indexBase);
        measure('baseline', bodyId, itemCode, unit, reference, indexed, doc, line);
      }
    });
  }

  const planted: PlantedProcurementSavings = {
    priceIndex: Object.fromEntries([...index].map(([m, v]) => [m, text(v, 2)])),
    baselines,
    contracts,
    results: [...results.values()]
      .sort(
        (x, y) =>
          x.contractYear - y.contractYear ||
          (x.bodyId < y.bodyId ? -1 : x.bodyId > y.bodyId ? 1 : 0) ||
          (x.itemCode < y.itemCode ? -1 : 1),
      )
      .map(({ r, a, l, ...result }) => ({
        ...result,
        costReduction: text(r, 2),
        costAvoidance: text(a, 2),
        leakage: text(l, 2),
      })),
  };
  const manifest: DemoManifest = {
    ...base,
    // one line to each baseline invoice
    totals: totalsWithInvoices(base.totals, extra.length, extra.length),
    expectedStats: {
      ...base.expectedStats,
      bodies: base.expectedStats.bodies.map((stats) => {
        const more = added.get(stats.bodyId);
        if (!more) return stats;
        return {
          ...stats,
          invoices: stats.invoices + more.invoices,
          invoiceLines: stats.invoiceLines + more.invoices,
          netTotal: text(units(stats.netTotal, 2) + more.pence, 2),
          firstInvoiceDate:
            stats.firstInvoiceDate === null || more.first < stats.firstInvoiceDate
              ? more.first
              : stats.firstInvoiceDate,
        };
      }),
    },
    // the baseline invoices cite no purchase order
    offPoInvoices: base.offPoInvoices.map((offPo) => {
      const more = added.get(offPo.bodyId);
      if (!more) return offPo;
      return {
        ...offPo,
        invoices: offPo.invoices + more.invoices,
        netTotal: text(units(offPo.netTotal, 2) + more.pence, 2),
      };
    }),
    procurementSavings: planted,
  };
  return { planted, extra, manifest };
}

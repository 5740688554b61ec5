/**
 * Builds the manifest while the messages stream out, with bounded memory: running totals per body,
 * per supplier spelling and per (item, body) price, plus the current version of the documents of
 * the part of a month being sent (the only ones a later message may correct or retract).
 */
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import type { PurchaseOrderV1 } from '../ingest/topics/purchase-orders/schema.ts';
import { fromScaled, toScaled } from '../lib/money.ts';
import { lineNet, moneyText, PRICE_SCALE, priceText } from './amounts.ts';
import type { DemoBody } from './bodies.ts';
import type { Planned, PlantedFact } from './body-month.ts';
import { CATALOGUE } from './catalogue.ts';
import type {
  AboveContractLine,
  BadRecordFact,
  BodyPrice,
  BodyStats,
  CorrectionFact,
  CurrencyTotal,
  DemoManifest,
  DuplicatePayment,
  ManifestTotals,
  PriceGap,
  SupplierGroup,
  TombstoneFact,
} from './manifest.ts';
import { countInvoiceLines, type DemoMessage } from './messages.ts';
import type { PriceBook } from './prices.ts';
import { HARD_NEGATIVES, HARD_POSITIVES, type SupplierWorld } from './suppliers.ts';

type CurrentDocument = Extract<Planned, { kind: 'invoice' | 'purchase-order' }>;

class CurrencyTotals {
  private readonly totals = new Map<string, { documents: number; net: bigint }>();

  add(currency: string, amount: string, sign: 1 | -1): void {
    const total = this.totals.get(currency) ?? { documents: 0, net: 0n };
    total.documents += sign;
    total.net += BigInt(sign) * toScaled(amount, 2);
    this.totals.set(currency, total);
  }

  gbp(): string {
    return moneyText(this.totals.get('GBP')?.net ?? 0n);
  }

  others(): CurrencyTotal[] {
    return [...this.totals]
      .filter(([currency, total]) => currency !== 'GBP' && total.documents > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, total]) => ({ currency, netTotal: moneyText(total.net) }));
  }
}

class BodyTally {
  invoices = 0;
  invoiceLines = 0;
  purchaseOrders = 0;
  rejected = 0;
  readonly net = new CurrencyTotals();
  /** How many current invoices carry each document date, so that retractions can move first/last. */
  readonly documentDates = new Map<string, number>();
  offPoInvoices = 0;
  readonly offPoNet = new CurrencyTotals();
  redactedInvoices = 0;
  redactedNet = 0n;
  readonly redactionMarkers = new Map<string, number>();
}

interface SpellingUse {
  entityId: string;
  bodyId: string;
  name: string;
  documents: number;
  vatNumber?: string;
  companyNumber?: string;
  ref?: string;
}

interface PriceTally {
  quantity: bigint;
  net: bigint;
  lines: number;
}

function bump(counts: Map<string, number>, key: string, sign: 1 | -1): void {
  const count = (counts.get(key) ?? 0) + sign;
  if (count === 0) counts.delete(key);
  else counts.set(key, count);
}

export class ManifestBuilder {
  readonly totals: ManifestTotals = {
    messages: 0,
    byTopic: { invoices: 0, purchaseOrders: 0 },
    good: 0,
    bad: 0,
    tombstones: 0,
    invoiceLines: 0,
  };
  private readonly tallies: Map<string, BodyTally>;
  private unattributedRejected = 0;
  private readonly spellings = new Map<string, SpellingUse>();
  private readonly priceTallies = new Map<string, PriceTally>();
  private readonly currentInPart = new Map<string, CurrentDocument>();
  private readonly badRecords: BadRecordFact[] = [];
  private readonly duplicates: DuplicatePayment[] = [];
  private readonly corrections: CorrectionFact[] = [];
  private readonly tombstones: TombstoneFact[] = [];
  private readonly aboveContract: AboveContractLine[] = [];

  constructor(
    private readonly generator: DemoManifest['generator'],
    private readonly bodies: readonly DemoBody[],
    private readonly prices: PriceBook,
    private readonly suppliers: SupplierWorld,
  ) {
    this.tallies = new Map(bodies.map((body) => [body.bodyId, new BodyTally()]));
  }

  record(entry: Planned, message: DemoMessage): void {
    this.totals.messages++;
    this.totals.byTopic[message.topic]++;
    this.totals.invoiceLines += countInvoiceLines(message);
    const slot = `${message.topic}|${message.key}`;
    if (entry.kind === 'bad') {
      this.totals.bad++;
      this.badRecords.push(entry.fact);
      if (entry.fact.bodyId) this.tally(entry.fact.bodyId).rejected++;
      else this.unattributedRejected++;
      return;
    }
    const previous = this.currentInPart.get(slot);
    if (previous) this.apply(previous, -1);
    if (entry.kind === 'tombstone') {
      if (!previous) throw new Error(`tombstone for ${slot}, which was not sent in this part`);
      this.totals.tombstones++;
      this.currentInPart.delete(slot);
      return;
    }
    this.totals.good++;
    this.apply(entry, 1);
    this.currentInPart.set(slot, entry);
  }

  plant(facts: readonly PlantedFact[]): void {
    for (const planted of facts) {
      if (planted.kind === 'duplicate') this.duplicates.push(planted.fact);
      else if (planted.kind === 'correction') this.corrections.push(planted.fact);
      else if (planted.kind === 'tombstone') this.tombstones.push(planted.fact);
      else this.aboveContract.push(planted.fact);
    }
  }

  /** Documents of a finished part of a month can no longer change. */
  endPart(): void {
    this.currentInPart.clear();
  }

  private tally(bodyId: string): BodyTally {
    const tally = this.tallies.get(bodyId);
    if (!tally) throw new Error(`document for unregistered body ${bodyId}`);
    return tally;
  }

  private apply(entry: CurrentDocument, sign: 1 | -1): void {
    if (entry.kind === 'purchase-order') this.applyPurchaseOrder(entry.doc, entry.entityId, sign);
    else this.applyInvoice(entry.doc, entry.entityId, sign);
  }

  private applyPurchaseOrder(order: PurchaseOrderV1, entityId: string | null, sign: 1 | -1): void {
    this.tally(order.bodyId).purchaseOrders += sign;
    this.applySupplier(order.bodyId, order.supplier, entityId, sign);
  }

  private applyInvoice(invoice: InvoiceV1, entityId: string | null, sign: 1 | -1): void {
    const tally = this.tally(invoice.bodyId);
    tally.invoices += sign;
    tally.invoiceLines += sign * (invoice.lines?.length ?? 0);
    tally.net.add(invoice.currency, invoice.netAmount, sign);
    bump(tally.documentDates, (invoice.invoiceDate ?? invoice.paymentDate) as string, sign);
    if (invoice.documentType === 'invoice' && !invoice.poNumber) {
      tally.offPoInvoices += sign;
      tally.offPoNet.add(invoice.currency, invoice.netAmount, sign);
    }
    if (invoice.supplier.redacted) {
      tally.redactedInvoices += sign;
      if (invoice.currency === 'GBP') tally.redactedNet += BigInt(sign) * toScaled(invoice.netAmount, 2);
      bump(tally.redactionMarkers, invoice.supplier.name, sign);
    } else {
      this.applySupplier(invoice.bodyId, invoice.supplier, entityId, sign);
    }
    if (invoice.currency === 'GBP') this.applyPrices(invoice, sign);
  }

  private applySupplier(
    bodyId: string,
    supplier: InvoiceV1['supplier'],
    entityId: string | null,
    sign: 1 | -1,
  ) {
    if (!entityId) return;
    const slot = `${entityId}|${bodyId}|${supplier.name}`;
    const use = this.spellings.get(slot) ?? { entityId, bodyId, name: supplier.name, documents: 0 };
    use.documents += sign;
    if (supplier.vatNumber) use.vatNumber = supplier.vatNumber;
    if (supplier.companyNumber) use.companyNumber = supplier.companyNumber;
    if (supplier.ref) use.ref = supplier.ref;
    this.spellings.set(slot, use);
  }

  /** Lines at the body's contract price count towards price comparison; above-contract lines do not. */
  private applyPrices(invoice: InvoiceV1, sign: 1 | -1): void {
    for (const line of invoice.lines ?? []) {
      if (!line.itemCode || line.unitPrice === undefined || line.quantity === undefined) continue;
      if (toScaled(line.unitPrice, PRICE_SCALE) !== this.prices.price(invoice.bodyId, line.itemCode))
        continue;
      const slot = `${line.itemCode}|${invoice.bodyId}`;
      const tally = this.priceTallies.get(slot) ?? { quantity: 0n, net: 0n, lines: 0 };
      tally.quantity += BigInt(sign) * toScaled(line.quantity, 0);
      tally.net += BigInt(sign) * toScaled(line.netAmount, 2);
      tally.lines += sign;
      this.priceTallies.set(slot, tally);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The finished manifest

  finish(): DemoManifest {
    const supplierGroups = this.supplierGroups();
    const namesOf = (entityId: string) =>
      supplierGroups.find((group) => group.entityId === entityId)?.bodies.flatMap((body) => body.names) ?? [];
    return {
      generator: this.generator,
      bodies: [...this.bodies],
      totals: this.totals,
      expectedStats: {
        bodies: [...this.tallies.keys()].sort().map((bodyId) => this.stats(bodyId)),
        unattributedRejected: this.unattributedRejected,
      },
      supplierGroups,
      hardNegatives: HARD_NEGATIVES.map((negative) => ({
        kind: negative.kind,
        entityIds: [...negative.entityIds],
        namesSent: negative.entityIds.flatMap(namesOf),
        note: negative.note,
      })),
      hardPositives: HARD_POSITIVES.map((positive) => ({
        ...positive,
        namesSent: namesOf(positive.entityId),
      })),
      duplicatePayments: this.duplicates,
      priceGaps: this.priceGaps(),
      offPoInvoices: this.bodies.map(({ bodyId }) => {
        const tally = this.tally(bodyId);
        return {
          bodyId,
          invoices: tally.offPoInvoices,
          netTotal: tally.offPoNet.gbp(),
          otherCurrencies: tally.offPoNet.others(),
        };
      }),
      aboveContractPrice: this.aboveContract,
      redactedPayments: this.bodies.map(({ bodyId }) => {
        const tally = this.tally(bodyId);
        return {
          bodyId,
          markers: [...tally.redactionMarkers.keys()].sort(),
          invoices: tally.redactedInvoices,
          netTotal: moneyText(tally.redactedNet),
        };
      }),
      badRecords: this.badRecords,
      corrections: this.corrections,
      tombstones: this.tombstones,
    };
  }

  private stats(bodyId: string): BodyStats {
    const tally = this.tally(bodyId);
    const dates = [...tally.documentDates.keys()].sort();
    return {
      bodyId,
      invoices: tally.invoices,
      invoiceLines: tally.invoiceLines,
      purchaseOrders: tally.purchaseOrders,
      rejected: tally.rejected,
      netTotal: tally.net.gbp(),
      firstInvoiceDate: dates[0] ?? null,
      lastInvoiceDate: dates[dates.length - 1] ?? null,
      otherCurrencies: tally.net.others(),
    };
  }

  private supplierGroups(): SupplierGroup[] {
    const order = new Map(this.bodies.map((body, i) => [body.bodyId, i]));
    const groups = new Map<string, SupplierGroup>();
    const uses = [...this.spellings.values()].filter((use) => use.documents > 0);
    uses.sort(
      (a, b) =>
        (order.get(a.bodyId) ?? 0) - (order.get(b.bodyId) ?? 0) ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    for (const entity of this.suppliers.entities) {
      const mine = uses.filter((use) => use.entityId === entity.entityId);
      if (mine.length === 0) continue;
      const bodies = new Map<string, SupplierGroup['bodies'][number]>();
      for (const use of mine) {
        const spelling = bodies.get(use.bodyId) ?? { bodyId: use.bodyId, names: [] };
        spelling.names.push(use.name);
        if (use.vatNumber) spelling.vatNumber = use.vatNumber;
        if (use.companyNumber) spelling.companyNumber = use.companyNumber;
        if (use.ref) spelling.ref = use.ref;
        bodies.set(use.bodyId, spelling);
      }
      groups.set(entity.entityId, {
        entityId: entity.entityId,
        canonicalName: entity.name,
        ...(entity.companyNumber ? { companyNumber: entity.companyNumber } : {}),
        ...(entity.vatNumber ? { vatNumber: entity.vatNumber } : {}),
        ...(entity.charityNumber ? { charityNumber: entity.charityNumber } : {}),
        bodies: [...bodies.values()],
      });
    }
    return [...groups.values()].sort((a, b) => a.entityId.localeCompare(b.entityId));
  }

  private priceGaps(): PriceGap[] {
    const planted = new Map(this.prices.planted.map((gap) => [gap.itemCode, gap]));
    const gaps: PriceGap[] = [];
    for (const item of CATALOGUE) {
      const bodies = this.bodies.flatMap(({ bodyId }): (BodyPrice & { price: bigint })[] => {
        const tally = this.priceTallies.get(`${item.itemCode}|${bodyId}`);
        const price = this.prices.price(bodyId, item.itemCode);
        if (!tally || tally.lines <= 0 || price === undefined) return [];
        const quantity = String(tally.quantity);
        return [
          {
            bodyId,
            unitPrice: priceText(price, 4),
            quantity,
            netAmount: moneyText(tally.net),
            lines: tally.lines,
            price,
          },
        ];
      });
      if (bodies.length === 0) continue;
      const sorted = bodies.map((body) => body.price).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const best = sorted[0] as bigint;
      // What each body spent on the item, less what the same quantity would cost at the best price.
      const saving = bodies.reduce(
        (total, body) => total + toScaled(body.netAmount, 2) - lineNet(BigInt(body.quantity), best),
        0n,
      );
      const gap = planted.get(item.itemCode);
      gaps.push({
        itemCode: item.itemCode,
        description: item.description,
        unit: item.unit,
        bodies: bodies.map(({ price: _price, ...body }) => body),
        minUnitPrice: priceText(best, 4),
        medianUnitPrice: median(sorted),
        maxUnitPrice: priceText(sorted[sorted.length - 1] as bigint, 4),
        expectedSaving: moneyText(saving),
        planted: gap ? { bodyId: gap.bodyId, premiumPercent: gap.premiumPercent } : null,
      });
    }
    return gaps;
  }
}

/** The exact median of prices in ten-thousandths: 4 places, or 5 when the middle two differ by an odd amount. */
function median(sorted: readonly bigint[]): string {
  const middle = sorted.length >> 1;
  if (sorted.length % 2 === 1) return priceText(sorted[middle] as bigint, 4);
  const twice = (sorted[middle - 1] as bigint) + (sorted[middle] as bigint);
  return twice % 2n === 0n ? priceText(twice / 2n, 4) : fromScaled(twice * 5n, 5);
}

/**
 * One body's buying in one month (or in part of a busy month): purchase orders, invoices and
 * credit notes, plus the planted cases (duplicates, corrections, tombstones, above-contract lines,
 * bad records). A later message for a key (a correction, a retraction) is always made together
 * with the document it changes, so the manifest can be kept with bounded memory.
 */
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import type { PurchaseOrderV1 } from '../ingest/topics/purchase-orders/schema.ts';
import { toScaled } from '../lib/money.ts';
import { adjustByPercent, lineNet, moneyText, priceText } from './amounts.ts';
import { attributeBadRecord, type BadRecordRota } from './bad-records.ts';
import { type BodyProfile, SERVICE_ROLES, type ServiceRole } from './bodies.ts';
import { type Day, isoFromDay, type Month, monthName } from './calendar.ts';
import { itemsOfTrade, type ServiceLine, TRADES, type Trade, type TradeId } from './catalogue.ts';
import {
  documentDates,
  documentNumber,
  draftNet,
  type InvoiceDraft,
  invoiceDocument,
  type LineDraft,
  type Payee,
  type PurchaseOrderDraft,
  purchaseOrderDocument,
  sentDays,
  similarDocumentNumber,
} from './documents.ts';
import { DuplicateGuard, type Payment } from './duplicate-guard.ts';
import type {
  AboveContractLine,
  BadRecordFact,
  CorrectionFact,
  DuplicatePayment,
  TombstoneFact,
} from './manifest.ts';
import type { DemoTopic } from './messages.ts';
import type { PriceBook } from './prices.ts';
import type { Random } from './random.ts';
import { extraPaymentDays, type SlowPayments } from './service-levels.ts';
import type { SupplierWorld } from './suppliers.ts';

/** A message to send, with what the manifest needs to know about it. */
export type Planned =
  | { kind: 'invoice'; key: string; day: Day; doc: InvoiceV1; entityId: string | null }
  | { kind: 'purchase-order'; key: string; day: Day; doc: PurchaseOrderV1; entityId: string | null }
  | { kind: 'tombstone'; topic: DemoTopic; key: string }
  | { kind: 'bad'; topic: DemoTopic; key: string; value: string; fact: BadRecordFact };

export type PlantedFact =
  | { kind: 'duplicate'; fact: DuplicatePayment }
  | { kind: 'correction'; fact: CorrectionFact }
  | { kind: 'tombstone'; fact: TombstoneFact }
  | { kind: 'above-contract'; fact: AboveContractLine };

/** How often each case is planted (per invoice unless said otherwise). */
export interface PlantingRates {
  duplicate: number;
  /** Share of planted duplicates reversed by a credit note. */
  duplicateReversed: number;
  correction: number;
  /** Share of corrections corrected once more (three versions). */
  secondCorrection: number;
  tombstone: number;
  badRecord: number;
  /** Per PO-backed catalogue purchase. */
  aboveContract: number;
  splitInvoice: number;
  cancelledPo: number;
  cancelledPoRetracted: number;
  goodsReturned: number;
  serviceCredit: number;
}

/** The shared, run-wide parts: suppliers, prices, rates, the register, the bad-record rota. */
export interface RunContext {
  suppliers: SupplierWorld;
  prices: PriceBook;
  rates: PlantingRates;
  registered: ReadonlySet<string>;
  endDay: Day;
  badRecords: BadRecordRota;
  /** The planted SLA breach year (demo/service-levels.ts), if the period has one. */
  slowPayments?: SlowPayments | null;
}

/** What carries over from one month to the next for a body. */
export interface BodyState {
  profile: BodyProfile;
  tradeWeights: readonly (readonly [TradeId, number])[];
  nextNumber: number;
  nextPoNumber: number;
  guard: DuplicateGuard;
}

interface IssuedInvoice {
  draft: InvoiceDraft;
  doc: InvoiceV1;
  key: string;
  /** Its id in the duplicate guard; later versions are filed under the same one. */
  guardOwner: number;
  /** May receive a planted duplicate, correction or tombstone (not when already part of another case). */
  eligible: boolean;
}

/** A purchase before numbers are given: the PO (if any) and the invoices and credit notes against it. */
interface PurchasePlan {
  purchaseOrder: PurchaseOrderDraft | null;
  invoices: { draft: InvoiceDraft; overchargedLine: number | null; hasReturn: boolean }[];
}

type Dated = Extract<Planned, { day: Day }>;

export class BodyMonth {
  private readonly primary: Dated[] = [];
  private readonly followUps: Planned[] = [];
  private readonly facts: PlantedFact[] = [];
  private readonly ordersThisMonth = new Map<string, PurchaseOrderV1>();
  private lines = 0;

  constructor(
    private readonly run: RunContext,
    private readonly body: BodyState,
    private readonly month: Month,
    private readonly firstDay: Day,
    private readonly lastDay: Day,
    private readonly random: Random,
  ) {}

  private get profile(): BodyProfile {
    return this.body.profile;
  }

  /** Buys until about `lineBudget` invoice lines exist; returns the messages in sending order. */
  plan(lineBudget: number): { entries: Planned[]; facts: PlantedFact[] } {
    this.body.guard.forgetBefore(this.firstDay);
    for (let purchases = 0; this.lines < lineBudget; purchases++) {
      if (purchases > 1_000 + lineBudget * 20) {
        throw new Error(`${this.profile.bodyId}: no invoice lines being made`);
      }
      this.buy(TRADES[this.random.weighted(this.body.tradeWeights)]);
    }
    // Documents go out in date order (the sort is stable: a PO precedes its invoices);
    // corrections, retractions and the like follow, as later messages for their keys.
    const inDateOrder = [...this.primary].sort((a, b) => a.day - b.day);
    return { entries: [...inDateOrder, ...this.followUps], facts: this.facts };
  }

  // -------------------------------------------------------------------------------------------
  // Purchases

  private buy(trade: Trade): void {
    if (trade.kind === 'catalogue') this.buyFromCatalogue(trade);
    else if (trade.kind === 'personal') this.payPerson(trade);
    else this.buyService(trade);
  }

  private buyFromCatalogue(trade: Trade): void {
    const payee = this.pickPayee(trade);
    const items = itemsOfTrade(trade.id).filter((item) => this.contractPrice(item.itemCode) !== undefined);
    if (!payee || items.length === 0) return;
    const onPo = this.random.chance(trade.poShare * this.profile.conventions.poCompliance);
    this.commitFirstThatFits(() => {
      const lines = this.random.sample(items, this.catalogueLineCount()).map((item): LineDraft => {
        const quantity = BigInt(this.catalogueQuantity(item.listPrice) * item.quantityStep);
        return {
          description: item.description,
          itemCode: item.itemCode,
          unit: item.unit,
          quantity,
          unitPrice: this.contractPrice(item.itemCode) as bigint,
          pricePlaces: item.pricePlaces,
          category: item.category,
          vatPercent: item.vatPercent,
        };
      });
      const description = `${trade.expenseType} order`;
      return onPo
        ? this.orderedPurchase(trade, payee, lines, description)
        : this.directPurchase(trade, payee, lines, description);
    });
  }

  private buyService(trade: Trade): void {
    const payee = this.pickPayee(trade);
    const templates = this.servicesFor(trade);
    if (!payee || templates.length === 0) return;
    const onPo = this.random.chance(trade.poShare * this.profile.conventions.poCompliance);
    const currency = trade.kind === 'overseas' ? 'EUR' : 'GBP';
    this.commitFirstThatFits(() => {
      const count = this.random.weighted([
        [1, 70],
        [2, 20],
        [3, 10],
      ] as const);
      const lines = Array.from({ length: count }, () => this.serviceLine(trade, this.random.pick(templates)));
      const description =
        count === 1 ? (lines[0] as LineDraft).description : `${trade.expenseType} ${monthName(this.month)}`;
      if (currency === 'GBP' && onPo) return this.orderedPurchase(trade, payee, lines, description);
      const plan = this.directPurchase(trade, payee, lines, description, currency);
      if (currency === 'GBP' && this.random.chance(this.run.rates.serviceCredit)) this.addServiceCredit(plan);
      return plan;
    });
  }

  /** Care and other personal payments: the payee's name is replaced by the body's redaction marker. */
  private payPerson(trade: Trade): void {
    const templates = this.servicesFor(trade);
    if (templates.length === 0) return;
    const payee: Payee = { entity: null, name: this.random.pick(this.profile.conventions.redactionMarkers) };
    this.commitFirstThatFits(() => {
      const line = this.serviceLine(trade, this.random.pick(templates));
      return this.directPurchase(trade, payee, [line], line.description);
    });
  }

  /** A purchase order, then one invoice (sometimes two, for part deliveries) citing it. */
  private orderedPurchase(trade: Trade, payee: Payee, lines: LineDraft[], description: string): PurchasePlan {
    const rates = this.run.rates;
    const orderDay = this.randomDay();
    const cancelled = this.random.chance(rates.cancelledPo);
    const purchaseOrder: PurchaseOrderDraft = {
      payee,
      trade,
      orderDay,
      currency: 'GBP',
      cancelled,
      lines,
      ...(trade.kind === 'catalogue' ? { contractRef: frameworkRef(trade.id) } : {}),
      description,
    };
    if (cancelled) return { purchaseOrder, invoices: [] };

    const split = lines.length >= 2 && this.random.chance(rates.splitInvoice);
    const deliveries = split ? [lines.slice(0, lines.length >> 1), lines.slice(lines.length >> 1)] : [lines];
    let day = orderDay;
    const invoices = deliveries.map((delivered) => {
      day = this.later(day, 3, 25);
      const draft = this.invoiceDraft(trade, payee, delivered, day, description);
      draft.contractRef = purchaseOrder.contractRef;
      return { draft, overchargedLine: null as number | null, hasReturn: false };
    });
    const first = invoices[0];
    if (first && trade.kind === 'catalogue' && this.random.chance(rates.aboveContract)) {
      first.overchargedLine = this.overcharge(first.draft);
    }
    const plan: PurchasePlan = { purchaseOrder, invoices };
    if (trade.kind === 'catalogue' && this.random.chance(rates.goodsReturned)) this.addReturn(plan);
    return plan;
  }

  private directPurchase(
    trade: Trade,
    payee: Payee,
    lines: LineDraft[],
    description: string,
    currency: 'GBP' | 'EUR' = 'GBP',
  ): PurchasePlan {
    const draft = this.invoiceDraft(trade, payee, lines, this.randomDay(), description, currency);
    const plan: PurchasePlan = {
      purchaseOrder: null,
      invoices: [{ draft, overchargedLine: null, hasReturn: false }],
    };
    if (trade.kind === 'catalogue' && this.random.chance(this.run.rates.goodsReturned)) this.addReturn(plan);
    return plan;
  }

  private invoiceDraft(
    trade: Trade,
    payee: Payee,
    lines: LineDraft[],
    invoiceDay: Day,
    description: string,
    currency: 'GBP' | 'EUR' = 'GBP',
  ): InvoiceDraft {
    const service = trade.kind !== 'catalogue';
    return {
      documentType: 'invoice',
      payee,
      trade,
      invoiceDay,
      paymentDay: this.paymentDayFor(invoiceDay),
      currency,
      lines,
      headerOnly: service && this.random.chance(this.profile.conventions.headerOnlyRate),
      description,
      serviceArea: this.profile.serviceAreas[trade.role] ?? this.profile.serviceAreas.corporate,
      costCentre: this.costCentre(trade.role),
    };
  }

  /** Raises one catalogue line 3–15 % above the contract (PO) price; returns its index. */
  private overcharge(draft: InvoiceDraft): number {
    const index = this.random.int(0, draft.lines.length - 1);
    const line = draft.lines[index] as LineDraft;
    const step = line.pricePlaces === 4 ? 1n : 100n;
    let raised = adjustByPercent(line.unitPrice, this.random.int(3, 15), step);
    if (raised <= line.unitPrice) raised = line.unitPrice + step;
    // A new array: the purchase order keeps its own lines at the contract price.
    draft.lines = draft.lines.map((existing, i) => (i === index ? { ...line, unitPrice: raised } : existing));
    return index;
  }

  /** Some goods go back: a credit note for part of one line, at the price invoiced. */
  private addReturn(plan: PurchasePlan): void {
    const invoice = plan.invoices[0];
    if (!invoice) return;
    const candidates = invoice.draft.lines.filter((_, i) => i !== invoice.overchargedLine);
    if (candidates.length === 0) return;
    const line = this.random.pick(candidates);
    const step = line.quantity >= 100n && line.quantity % 100n === 0n && line.pricePlaces === 4 ? 100n : 1n;
    const units = BigInt(this.random.int(1, Number(line.quantity / step))) * step;
    const day = this.later(invoice.draft.invoiceDay, 5, 30);
    invoice.hasReturn = true;
    plan.invoices.push({
      draft: {
        ...invoice.draft,
        documentType: 'credit-note',
        invoiceDay: day,
        paymentDay: this.paymentDayFor(day),
        lines: [{ ...line, quantity: -units }],
        headerOnly: false,
        description: `Credit – returned goods: ${line.description}`,
      },
      overchargedLine: null,
      hasReturn: false,
    });
  }

  /** A service credit: part of the first line's value given back. */
  private addServiceCredit(plan: PurchasePlan): void {
    const invoice = plan.invoices[0];
    const line = invoice?.draft.lines[0];
    if (!invoice || !line) return;
    const value = lineNet(line.quantity, line.unitPrice);
    const credit = (value * BigInt(this.random.int(5, 100))) / 100n;
    if (credit <= 0n) return;
    const day = this.later(invoice.draft.invoiceDay, 7, 40);
    invoice.hasReturn = true;
    plan.invoices.push({
      draft: {
        ...invoice.draft,
        documentType: 'credit-note',
        invoiceDay: day,
        paymentDay: this.paymentDayFor(day),
        lines: [
          {
            ...line,
            description: `Service credit – ${line.description}`,
            unit: 'credit',
            quantity: -1n,
            unitPrice: credit * 100n,
            pricePlaces: 2,
          },
        ],
        headerOnly: false,
        description: `Service credit – ${line.description}`,
      },
      overchargedLine: null,
      hasReturn: false,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Giving numbers and sending

  /** Draws purchases until one does not create an accidental duplicate payment (or gives up). */
  private commitFirstThatFits(draw: () => PurchasePlan): void {
    for (let attempt = 0; attempt < 8; attempt++) {
      const plan = draw();
      if (this.fitsGuard(plan)) {
        this.commit(plan);
        return;
      }
    }
  }

  private fitsGuard(plan: PurchasePlan): boolean {
    const checked: { payment: Payment; days: Day[] }[] = [];
    for (const { draft } of plan.invoices) {
      const payment = this.payment(draft);
      const days = this.sentDays(draft);
      if (this.body.guard.conflicts(payment, days)) return false;
      const clash = (other: (typeof checked)[number]) =>
        DuplicateGuard.samePayment(other.payment, payment) && DuplicateGuard.close(other.days, days);
      if (checked.some(clash)) return false;
      checked.push({ payment, days });
    }
    return true;
  }

  private commit(plan: PurchasePlan): void {
    let orderKey: string | undefined;
    let poNumber: string | undefined;
    if (plan.purchaseOrder) {
      poNumber = this.profile.conventions.poNumber(this.body.nextPoNumber++);
      orderKey = this.sendPurchaseOrder(plan.purchaseOrder, poNumber);
    }
    for (const { draft, overchargedLine, hasReturn } of plan.invoices) {
      if (poNumber) draft.poNumber = poNumber;
      const issued = this.sendInvoice(draft, this.newDocumentNumber(draft), false);
      if (overchargedLine !== null && orderKey) this.recordOvercharge(issued, overchargedLine, orderKey);
      issued.eligible =
        overchargedLine === null &&
        !hasReturn &&
        draft.documentType === 'invoice' &&
        draft.currency === 'GBP';
      if (issued.eligible) this.plantCases(issued);
    }
  }

  private sendPurchaseOrder(draft: PurchaseOrderDraft, poNumber: string): string {
    const doc = purchaseOrderDocument(this.profile, draft, poNumber);
    const key = `${this.profile.bodyId}:${poNumber}`;
    const entry: Dated = {
      kind: 'purchase-order',
      key,
      day: draft.orderDay,
      doc,
      entityId: draft.payee.entity?.entityId ?? null,
    };
    this.primary.push(entry);
    this.ordersThisMonth.set(poNumber, doc);
    if (draft.cancelled && this.random.chance(this.run.rates.cancelledPoRetracted)) {
      this.followUps.push({ kind: 'tombstone', topic: 'purchaseOrders', key });
      this.facts.push({
        kind: 'tombstone',
        fact: { topic: 'purchaseOrders', key, bodyId: this.profile.bodyId, retractedNetAmount: doc.totalNet },
      });
    }
    return key;
  }

  private sendInvoice(
    draft: InvoiceDraft,
    invoiceId: string,
    followUp: boolean,
    sameOwnerAs?: number,
  ): IssuedInvoice {
    const doc = invoiceDocument(this.profile, draft, invoiceId);
    const key = `${this.profile.bodyId}:${invoiceId}`;
    const day = this.sentDays(draft)[0] ?? draft.invoiceDay;
    (followUp ? this.followUps : this.primary).push({
      kind: 'invoice',
      key,
      day,
      doc,
      entityId: draft.payee.entity?.entityId ?? null,
    });
    this.lines += doc.lines?.length ?? 0;
    const guardOwner = this.body.guard.remember(this.payment(draft), this.sentDays(draft), sameOwnerAs);
    return { draft, doc, key, guardOwner, eligible: false };
  }

  private recordOvercharge(issued: IssuedInvoice, lineIndex: number, orderKey: string): void {
    const line = issued.draft.lines[lineIndex] as LineDraft;
    const contract = this.contractPrice(line.itemCode as string) as bigint;
    this.facts.push({
      kind: 'above-contract',
      fact: {
        bodyId: this.profile.bodyId,
        invoiceKey: issued.key,
        purchaseOrderKey: orderKey,
        lineNo: lineIndex + 1,
        itemCode: line.itemCode as string,
        contractUnitPrice: priceText(contract, 4),
        invoicedUnitPrice: priceText(line.unitPrice, 4),
        quantity: String(line.quantity),
        overcharge: moneyText(lineNet(line.quantity, line.unitPrice - contract)),
      },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Planted cases

  private plantCases(issued: IssuedInvoice): void {
    const rates = this.run.rates;
    const roll = this.random.next();
    if (roll < rates.duplicate) this.plantDuplicate(issued);
    else if (roll < rates.duplicate + rates.correction) this.plantCorrection(issued);
    else if (roll < rates.duplicate + rates.correction + rates.tombstone) this.plantTombstone(issued);
    if (this.random.chance(rates.badRecord)) this.plantBadRecord(issued);
  }

  /** The same invoice paid twice: keyed again under a look-alike number, paid a few days later. */
  private plantDuplicate(original: IssuedInvoice): void {
    const entity = original.draft.payee.entity;
    if (!entity) return;
    const shift = this.random.int(1, 10);
    const copy: InvoiceDraft = { ...original.draft };
    if (this.profile.conventions.dates === 'invoice-only') {
      copy.invoiceDay = Math.min(this.run.endDay, copy.invoiceDay + shift);
    } else if (copy.paymentDay !== null) {
      copy.paymentDay = Math.min(this.run.endDay, copy.paymentDay + shift);
    }
    // Planted only if the copy clashes with nothing but its original.
    if (this.body.guard.conflicts(this.payment(copy), this.sentDays(copy), original.guardOwner)) return;

    const duplicate = this.sendInvoice(copy, similarDocumentNumber(original.doc.invoiceId), true);
    let reversedBy: string | null = null;
    if (this.random.chance(this.run.rates.duplicateReversed)) reversedBy = this.reverse(duplicate);
    this.facts.push({
      kind: 'duplicate',
      fact: {
        bodyId: this.profile.bodyId,
        supplierEntityId: entity.entityId,
        supplierName: original.doc.supplier.name,
        currency: original.doc.currency,
        netAmount: original.doc.netAmount,
        original: { key: original.key, ...documentDates(this.profile, original.draft) },
        duplicate: { key: duplicate.key, ...documentDates(this.profile, copy) },
        reversedBy,
      },
    });
  }

  private reverse(duplicate: IssuedInvoice): string | null {
    const from = duplicate.draft.paymentDay ?? duplicate.draft.invoiceDay;
    const day = this.later(from, 5, 30);
    const credit: InvoiceDraft = {
      ...duplicate.draft,
      documentType: 'credit-note',
      invoiceDay: day,
      paymentDay: this.paymentDayFor(day),
      lines: duplicate.draft.lines.map((line) => ({ ...line, quantity: -line.quantity })),
      description: `Reversal of duplicate payment ${duplicate.doc.invoiceId}`,
    };
    if (this.body.guard.conflicts(this.payment(credit), this.sentDays(credit))) return null;
    return this.sendInvoice(credit, this.newDocumentNumber(credit), true).key;
  }

  /** The same key sent again with a changed amount (sometimes twice); the last version is current. */
  private plantCorrection(issued: IssuedInvoice): void {
    const versions = this.random.chance(this.run.rates.secondCorrection) ? 3 : 2;
    let current = issued.draft;
    const amountsSent = new Set([draftNet(current.lines)]);
    let sent = 1;
    while (sent < versions) {
      const amended = this.amendFirstThatFits(current, issued.guardOwner, amountsSent);
      if (!amended) break;
      amountsSent.add(draftNet(amended.lines));
      this.sendInvoice(amended, issued.doc.invoiceId, true, issued.guardOwner);
      current = amended;
      sent++;
    }
    if (sent === 1) return;
    this.facts.push({
      kind: 'correction',
      fact: {
        topic: 'invoices',
        key: issued.key,
        bodyId: this.profile.bodyId,
        versions: sent,
        firstNetAmount: issued.doc.netAmount,
        currentNetAmount: moneyText(draftNet(current.lines)),
      },
    });
  }

  /** An amended version with an amount not sent before for this key and not clashing with another payment. */
  private amendFirstThatFits(
    draft: InvoiceDraft,
    guardOwner: number,
    amountsSent: ReadonlySet<bigint>,
  ): InvoiceDraft | null {
    for (let attempt = 0; attempt < 6; attempt++) {
      const amended = this.amend(draft);
      const payment = this.payment(amended);
      if (amountsSent.has(payment.net)) continue;
      if (!this.body.guard.conflicts(payment, this.sentDays(amended), guardOwner)) return amended;
    }
    return null;
  }

  /** Changes one line: the quantity of an item, or the price of a service (never above a PO). */
  private amend(draft: InvoiceDraft): InvoiceDraft {
    const index = this.random.int(0, draft.lines.length - 1);
    const line = draft.lines[index] as LineDraft;
    let changed: LineDraft;
    if (line.itemCode) {
      const step = line.quantity % 100n === 0n && line.pricePlaces === 4 ? 100n : 1n;
      const units = line.quantity / step;
      const delta =
        units > 1n && this.random.chance(0.5)
          ? -this.random.bigint(1n, units - 1n)
          : this.random.bigint(1n, 3n);
      changed = { ...line, quantity: (units + delta) * step };
    } else {
      const step = line.pricePlaces === 4 ? 1n : 100n;
      const percent = draft.poNumber ? -this.random.int(1, 10) : this.random.pick([-10, -5, -3, 2, 5, 8, 10]);
      let price = adjustByPercent(line.unitPrice, percent, step);
      if (price === line.unitPrice)
        price = line.unitPrice > step ? line.unitPrice - step : line.unitPrice + step;
      changed = { ...line, unitPrice: price };
    }
    const lines = draft.lines.map((existing, i) => (i === index ? changed : existing));
    return { ...draft, lines };
  }

  private plantTombstone(issued: IssuedInvoice): void {
    this.followUps.push({ kind: 'tombstone', topic: 'invoices', key: issued.key });
    this.facts.push({
      kind: 'tombstone',
      fact: {
        topic: 'invoices',
        key: issued.key,
        bodyId: this.profile.bodyId,
        retractedNetAmount: issued.doc.netAmount,
      },
    });
  }

  /** A broken copy of `issued` under a fresh number (and a fresh PO number when it breaks a PO). */
  private plantBadRecord(issued: IssuedInvoice): void {
    const invoice: InvoiceV1 = { ...issued.doc, invoiceId: this.newDocumentNumber(issued.draft) };
    const order = issued.doc.poNumber ? this.ordersThisMonth.get(issued.doc.poNumber) : undefined;
    const purchaseOrder = order && {
      ...order,
      poNumber: this.profile.conventions.poNumber(this.body.nextPoNumber++),
    };
    const record = this.run.badRecords.next({
      invoice,
      ...(purchaseOrder ? { purchaseOrder } : {}),
    });
    const bodyId = attributeBadRecord(record, this.run.registered);
    const { topic, key, value, reason, detail } = record;
    this.followUps.push({ kind: 'bad', topic, key, value, fact: { topic, key, reason, detail, bodyId } });
  }

  // -------------------------------------------------------------------------------------------
  // Small helpers

  private pickPayee(trade: Trade): Payee | null {
    const panel = this.run.suppliers.panel(this.profile.bodyId, trade.id);
    if (panel.length === 0) return null;
    const entity = this.random.skewed(panel);
    const identity = this.run.suppliers.identity(this.profile.bodyId, entity);
    const name = identity.names.length > 1 && this.random.chance(0.3) ? identity.names[1] : identity.names[0];
    return { ...identity, entity, name: name as string };
  }

  private servicesFor(trade: Trade): readonly ServiceLine[] {
    return (trade.services ?? []).filter((line) => !line.onlyFor || line.onlyFor.includes(this.profile.kind));
  }

  private serviceLine(trade: Trade, template: ServiceLine): LineDraft {
    const [minPrice, maxPrice] = template.price;
    const pricePlaces = minPrice.split('.')[1]?.length === 4 ? 4 : 2;
    const step = pricePlaces === 4 ? 1n : 100n;
    const low = toScaled(minPrice, 4);
    const unitPrice = low + this.random.bigint(0n, (toScaled(maxPrice, 4) - low) / step) * step;
    const [min, max] = template.quantity;
    const quantityStep = template.quantityStep ?? 1;
    const quantity =
      this.random.int(Math.ceil(min / quantityStep), Math.floor(max / quantityStep)) * quantityStep;
    const day = this.randomDay();
    const description = template.describe({
      month: monthName(this.month),
      site: this.random.pick(this.profile.sites),
      date: isoFromDay(day).split('-').reverse().join('/'),
      pick: (options) => this.random.pick(options),
      number: () => this.random.int(1, 400),
    });
    return {
      description,
      unit: template.unit,
      quantity: BigInt(quantity),
      unitPrice,
      pricePlaces,
      vatPercent: trade.vatPercent,
    };
  }

  private catalogueLineCount(): number {
    const roll = this.random.next();
    if (roll < 0.3) return 1;
    if (roll < 0.75) return this.random.int(2, 5);
    if (roll < 0.95) return this.random.int(6, 12);
    return this.random.int(13, 40);
  }

  /** Dear things are bought one or two at a time, cheap ones by the dozen. */
  private catalogueQuantity(listPrice: bigint): number {
    if (listPrice >= 3_000_000n) return this.random.int(1, 4);
    if (listPrice >= 200_000n) return this.random.int(1, 20);
    if (listPrice >= 20_000n) return this.random.int(1, 40);
    return this.random.int(5, 60);
  }

  private contractPrice(itemCode: string): bigint | undefined {
    return this.run.prices.price(this.profile.bodyId, itemCode);
  }

  private newDocumentNumber(draft: InvoiceDraft): string {
    this.body.nextNumber += this.random.int(1, 3);
    return documentNumber(
      draft.payee.entity,
      this.body.nextNumber,
      draft.documentType === 'invoice' ? 'invoice' : 'credit',
    );
  }

  private payment(draft: InvoiceDraft): Payment {
    const supplier = draft.payee.entity?.entityId ?? `redacted:${draft.payee.name}`;
    return { supplier, currency: draft.currency, net: draftNet(draft.lines) };
  }

  /** The days the body's extract carries for this document. */
  private sentDays(draft: InvoiceDraft): Day[] {
    const { invoiceDay, paymentDay } = sentDays(this.profile, draft);
    return [invoiceDay, paymentDay].filter((day): day is Day => day !== undefined);
  }

  private randomDay(): Day {
    return this.random.int(this.firstDay, this.lastDay);
  }

  private later(day: Day, minDays: number, maxDays: number): Day {
    return Math.min(this.run.endDay, day + this.random.int(minDays, maxDays));
  }

  /** Paid 7–35 days after the invoice; not yet paid if that is after the period (payment-only extracts say "paid today"). */
  private paymentDayFor(invoiceDay: Day): Day | null {
    // the demo's SLA breach year: one body pays later (demo/service-levels.ts)
    const day =
      invoiceDay +
      this.random.int(7, 35) +
      extraPaymentDays(this.run.slowPayments, this.profile.bodyId, invoiceDay);
    if (day <= this.run.endDay) return day;
    return this.profile.conventions.dates === 'payment-only' ? this.run.endDay : null;
  }

  private costCentre(role: ServiceRole): string {
    const code = (SERVICE_ROLES.indexOf(role) + 1) * 100 + this.random.int(1, 30);
    return `${this.profile.conventions.costCentrePrefix}${String(code).padStart(4, '0')}`;
  }
}

/** The partnership's shared framework agreement for a catalogue trade. */
function frameworkRef(trade: TradeId): string {
  return `NSP-FW-${trade.toUpperCase()}`;
}

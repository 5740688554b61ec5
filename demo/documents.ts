/**
 * Turns drafts (what was bought, from whom, when, in exact amounts) into invoice.v1 and
 * purchase-order.v1 documents written the way a given body writes them.
 */
import type { InvoiceLineV1, InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import type { PurchaseOrderLineV1, PurchaseOrderV1 } from '../ingest/topics/purchase-orders/schema.ts';
import { lineNet, moneyText, percentOf, priceText, sum } from './amounts.ts';
import type { BodyProfile } from './bodies.ts';
import { type Day, isoFromDay } from './calendar.ts';
import type { Category, Trade } from './catalogue.ts';
import { catalogueGtin } from './items-identity.ts';
import type { SupplierEntity } from './suppliers.ts';

export interface LineDraft {
  description: string;
  itemCode?: string;
  unit: string;
  /** Whole units; negative on credit notes. */
  quantity: bigint;
  /** Ten-thousandths of a pound (or euro). */
  unitPrice: bigint;
  pricePlaces: 2 | 4;
  category?: Category;
  vatPercent: bigint;
}

/** Who is paid, as the body writes it. `entity` is null for redacted (personal) payments. */
export interface Payee {
  entity: SupplierEntity | null;
  name: string;
  vatNumber?: string;
  companyNumber?: string;
  ref?: string;
}

export interface InvoiceDraft {
  documentType: 'invoice' | 'credit-note';
  payee: Payee;
  trade: Trade;
  invoiceDay: Day;
  /** Null when not paid by the end of the demo period. */
  paymentDay: Day | null;
  currency: 'GBP' | 'EUR';
  lines: LineDraft[];
  /** Sent as a header only (no lines), as transparency extracts are. */
  headerOnly: boolean;
  poNumber?: string;
  contractRef?: string;
  description: string;
  serviceArea: string;
  costCentre: string;
}

export interface PurchaseOrderDraft {
  payee: Payee;
  trade: Trade;
  orderDay: Day;
  currency: 'GBP';
  cancelled: boolean;
  lines: LineDraft[];
  contractRef?: string;
  description: string;
}

export function draftNet(lines: readonly LineDraft[]): bigint {
  return sum(lines.map((line) => lineNet(line.quantity, line.unitPrice)));
}

function draftVat(lines: readonly LineDraft[]): bigint {
  return sum(lines.map((line) => percentOf(lineNet(line.quantity, line.unitPrice), line.vatPercent)));
}

/** The days a body's extract carries for a document (either may be absent, not both). */
export function sentDays(profile: BodyProfile, draft: InvoiceDraft): { invoiceDay?: Day; paymentDay?: Day } {
  switch (profile.conventions.dates) {
    case 'payment-only':
      return { paymentDay: draft.paymentDay ?? draft.invoiceDay };
    case 'invoice-only':
      return { invoiceDay: draft.invoiceDay };
    default:
      return draft.paymentDay === null
        ? { invoiceDay: draft.invoiceDay }
        : { invoiceDay: draft.invoiceDay, paymentDay: draft.paymentDay };
  }
}

/** The dates a body's extract carries: coalesce(invoiceDate, paymentDate) is the document date. */
export function documentDates(profile: BodyProfile, draft: InvoiceDraft) {
  const { invoiceDay, paymentDay } = sentDays(profile, draft);
  const dates: { invoiceDate?: string; paymentDate?: string } = {};
  if (invoiceDay !== undefined) dates.invoiceDate = isoFromDay(invoiceDay);
  if (paymentDay !== undefined) dates.paymentDate = isoFromDay(paymentDay);
  return dates;
}

function supplierBlock(payee: Payee): InvoiceV1['supplier'] {
  if (!payee.entity) return { name: payee.name, redacted: true };
  return {
    name: payee.name,
    ...(payee.ref ? { ref: payee.ref } : {}),
    ...(payee.vatNumber ? { vatNumber: payee.vatNumber } : {}),
    ...(payee.companyNumber ? { companyNumber: payee.companyNumber } : {}),
  };
}

function categoryFor(profile: BodyProfile, category: Category | undefined): InvoiceV1['category'] {
  const scheme = profile.conventions.categoryScheme;
  if (!scheme || !category) return undefined;
  const [code, label] = category[scheme];
  return { scheme, code, label };
}

function lineFields(profile: BodyProfile, line: LineDraft, lineNo: number) {
  const places = line.pricePlaces === 4 ? 4 : profile.conventions.pricePlaces;
  return {
    lineNo,
    ...(line.itemCode ? { itemCode: line.itemCode } : {}),
    ...standardItemIdOf(line.itemCode),
    description: line.description,
    quantity: String(line.quantity),
    unit: line.unit,
    unitPrice: priceText(line.unitPrice, places),
    netAmount: moneyText(lineNet(line.quantity, line.unitPrice)),
    ...optional('category', line.itemCode ? categoryFor(profile, line.category) : undefined),
  };
}

/** A catalogue item's GTIN (demo/items-identity.ts), so that its price compares across suppliers. */
function standardItemIdOf(itemCode: string | undefined): { standardItemId?: { scheme: string; id: string } } {
  const gtin = itemCode === undefined ? undefined : catalogueGtin(itemCode);
  return gtin ? { standardItemId: { scheme: '0160', id: gtin } } : {};
}

/** `{ [name]: value }` when there is a value, `{}` otherwise: keeps absent fields out of the JSON. */
function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

function truncate(text: string, max: number | null): string {
  return max === null ? text : text.slice(0, max);
}

export function invoiceDocument(profile: BodyProfile, draft: InvoiceDraft, invoiceId: string): InvoiceV1 {
  const lines: InvoiceLineV1[] = draft.lines.map((line, i) => lineFields(profile, line, i + 1));
  return {
    schema: 'invoice.v1',
    bodyId: profile.bodyId,
    invoiceId,
    documentType: draft.documentType,
    supplier: supplierBlock(draft.payee),
    ...documentDates(profile, draft),
    currency: draft.currency,
    netAmount: moneyText(draftNet(draft.lines)),
    ...(profile.conventions.sendsVat ? { vatAmount: moneyText(draftVat(draft.lines)) } : {}),
    ...(draft.poNumber ? { poNumber: draft.poNumber } : {}),
    ...(draft.contractRef ? { contractRef: draft.contractRef } : {}),
    description: draft.description,
    expenseType: draft.trade.expenseType,
    serviceArea: truncate(draft.serviceArea, profile.conventions.serviceAreaMaxLength),
    costCentre: draft.costCentre,
    ...optional('category', categoryFor(profile, draft.trade.category)),
    ...(draft.headerOnly ? {} : { lines }),
  };
}

export function purchaseOrderDocument(
  profile: BodyProfile,
  draft: PurchaseOrderDraft,
  poNumber: string,
): PurchaseOrderV1 {
  const lines: PurchaseOrderLineV1[] = draft.lines.map((line, i) => lineFields(profile, line, i + 1));
  return {
    schema: 'purchase-order.v1',
    bodyId: profile.bodyId,
    poNumber,
    supplier: supplierBlock(draft.payee),
    orderDate: isoFromDay(draft.orderDay),
    currency: draft.currency,
    ...(draft.cancelled ? { status: 'cancelled' as const } : {}),
    ...(draft.contractRef ? { contractRef: draft.contractRef } : {}),
    description: draft.description,
    lines,
    totalNet: moneyText(draftNet(draft.lines)),
  };
}

/** Invoice numbers: the supplier's prefix and the body-wide unique sequence number. */
export function documentNumber(
  entity: SupplierEntity | null,
  sequence: number,
  kind: 'invoice' | 'credit',
): string {
  if (!entity) return kind === 'invoice' ? `PAY${sequence}` : `PAYCR${sequence}`;
  const style = entity.invoiceStyle;
  const digits = style.width ? String(sequence).padStart(style.width, '0') : String(sequence);
  return `${kind === 'invoice' ? style.invoice : style.credit}${digits}`;
}

/**
 * The number a duplicate is keyed under: the same invoice typed again slightly differently
 * (`INV-104562` → `INV104562`, `00104562` → `104562`, `IN104562` → `IN104562A`). The sequence
 * number is unique in the body, so the result cannot clash with another document.
 */
export function similarDocumentNumber(invoiceId: string): string {
  if (/[-/]/.test(invoiceId)) return invoiceId.replace(/[-/]/g, '');
  if (/^0+\d+$/.test(invoiceId)) return invoiceId.replace(/^0+/, '');
  return `${invoiceId}A`;
}

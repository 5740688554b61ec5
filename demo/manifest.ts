/**
 * The manifest: everything the generator planted, so that tests can check that ingest and the SQL
 * transforms find exactly that. Amounts are decimal strings ("12345.67"), never JS numbers.
 *
 * "Current" documents: for each key the latest message wins; a tombstone retracts the document;
 * bad records are rejected and never current. Credit notes are invoice documents (negative amounts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BodyStats } from '../lib/stats.ts';
import type { DemoBody } from './bodies.ts';
import type { ItemIdentityFacts } from './items-identity.ts';
import type { PlantedMembership } from './membership.ts';
import type { DemoTopic } from './messages.ts';
import type { PlantedProcurementSavings } from './procurement-savings.ts';
import type { PlantedSavingsYear } from './savings.ts';
import type { PlantedPartnership } from './service-levels.ts';

export type BadRecordReason =
  | 'malformed-json'
  | 'schema-violation'
  | 'unregistered-body'
  | 'key-mismatch'
  | 'lines-do-not-sum';

/** What `spend stats --json` must report for a body after ingesting every message: the same type. */
export type { BodyStats } from '../lib/stats.ts';
export type CurrencyTotal = BodyStats['otherCurrencies'][number];

export interface ManifestTotals {
  /** Every message produced, tombstones and bad records included. */
  messages: number;
  byTopic: Record<DemoTopic, number>;
  /** Valid documents (every version counts). */
  good: number;
  bad: number;
  tombstones: number;
  /** Lines in every invoice-topic message, all versions and bad records included (what publishDemo reports). */
  invoiceLines: number;
}

export interface SupplierSpelling {
  bodyId: string;
  /** Raw names exactly as sent (trailing spaces and NBSP kept), on current documents of either topic. */
  names: string[];
  vatNumber?: string;
  companyNumber?: string;
  ref?: string;
}

export interface SupplierGroup {
  entityId: string;
  canonicalName: string;
  /** The true identifiers; bodies may send them differently (Eastvale drops a leading zero) or not at all. */
  companyNumber?: string;
  vatNumber?: string;
  charityNumber?: string;
  bodies: SupplierSpelling[];
}

export interface HardNegative {
  kind: 'distinct-suppliers' | 'not-a-redaction';
  entityIds: string[];
  namesSent: string[];
  note: string;
}

export interface HardPositive {
  entityId: string;
  namesSent: string[];
  note: string;
}

export interface DocumentDates {
  key: string;
  invoiceDate?: string;
  paymentDate?: string;
}

/**
 * A planted duplicate payment: same body, supplier entity, currency and netAmount, dates at most
 * 10 days apart. No other pair of current documents in a body has the same supplier, currency and
 * amount with any dates within 21 days.
 */
export interface DuplicatePayment {
  bodyId: string;
  supplierEntityId: string;
  supplierName: string;
  currency: string;
  netAmount: string;
  original: DocumentDates;
  duplicate: DocumentDates;
  /** Key of the credit note that reverses the duplicate, or null when it was never reversed. */
  reversedBy: string | null;
}

export interface BodyPrice {
  bodyId: string;
  /** The body's contract price (4 places). */
  unitPrice: string;
  /** Over current GBP invoice lines at that price (credit notes subtract; above-contract lines are left out). */
  quantity: string;
  netAmount: string;
  lines: number;
}

export interface PriceGap {
  itemCode: string;
  description: string;
  unit: string;
  bodies: BodyPrice[];
  minUnitPrice: string;
  /** Median of the bodies' prices; the mean of the middle two when even (then up to 5 places). */
  medianUnitPrice: string;
  maxUnitPrice: string;
  /** Σ quantity × (unitPrice − minUnitPrice) over bodies: the saving if every body paid the best price. */
  expectedSaving: string;
  /** Set when the generator deliberately over-priced one body. */
  planted: { bodyId: string; premiumPercent: number } | null;
}

/** Current documentType "invoice" documents without a poNumber. */
export interface OffPoSummary {
  bodyId: string;
  invoices: number;
  netTotal: string;
  otherCurrencies: CurrencyTotal[];
}

/** An invoice line priced above the line for the same itemCode on the purchase order it cites. */
export interface AboveContractLine {
  bodyId: string;
  invoiceKey: string;
  purchaseOrderKey: string;
  lineNo: number;
  itemCode: string;
  contractUnitPrice: string;
  invoicedUnitPrice: string;
  quantity: string;
  /** quantity × (invoiced − contract), 2 places. */
  overcharge: string;
}

export interface RedactedSummary {
  bodyId: string;
  markers: string[];
  invoices: number;
  /** GBP net of current redacted invoices. */
  netTotal: string;
}

export interface BadRecordFact {
  topic: DemoTopic;
  key: string;
  reason: BadRecordReason;
  /** Which variant: e.g. "missing-field:currency", "impossible-date", "truncated". */
  detail: string;
  /** The registered body the rejection is counted under, or null (unattributed). */
  bodyId: string | null;
}

export interface CorrectionFact {
  topic: DemoTopic;
  key: string;
  bodyId: string;
  /** Messages sent for the key (2 or 3); the last one is current. */
  versions: number;
  firstNetAmount: string;
  currentNetAmount: string;
}

export interface TombstoneFact {
  topic: DemoTopic;
  key: string;
  bodyId: string;
  /** Net amount of the version the tombstone retracted. */
  retractedNetAmount: string;
}

export interface DemoManifest {
  generator: { seed: number; targetInvoiceLines: number; startDate: string; endDate: string };
  bodies: DemoBody[];
  totals: ManifestTotals;
  expectedStats: { bodies: BodyStats[]; unattributedRejected: number };
  supplierGroups: SupplierGroup[];
  hardNegatives: HardNegative[];
  hardPositives: HardPositive[];
  duplicatePayments: DuplicatePayment[];
  priceGaps: PriceGap[];
  offPoInvoices: OffPoSummary[];
  aboveContractPrice: AboveContractLine[];
  redactedPayments: RedactedSummary[];
  badRecords: BadRecordFact[];
  corrections: CorrectionFact[];
  tombstones: TombstoneFact[];
  /** Planted item identities, units and description matches (demo/items-identity.ts). */
  itemIdentity?: ItemIdentityFacts;
  /** The savings ledger's planted guarantees and deliveries (demo/savings.ts), added by `spend demo`. */
  savings?: PlantedSavingsYear[];
  /** The prospective body and the body that leaves (demo/membership.ts), added by `spend demo`. */
  membership?: PlantedMembership;
  /** The SLA breach year and the partner's commitments planted (demo/service-levels.ts), added by `spend demo`. */
  partnership?: PlantedPartnership;
  /** Baselines before each body joined and the unit-price savings its lines realise (demo/procurement-savings.ts). */
  procurementSavings?: PlantedProcurementSavings;
}

/** The totals once `messages` more good invoice messages, carrying `lines` invoice lines, are sent. */
export function totalsWithInvoices(
  totals: DemoManifest['totals'],
  messages: number,
  lines: number,
): DemoManifest['totals'] {
  return {
    ...totals,
    messages: totals.messages + messages,
    byTopic: { ...totals.byTopic, invoices: totals.byTopic.invoices + messages },
    good: totals.good + messages,
    invoiceLines: totals.invoiceLines + lines,
  };
}

export async function writeManifest(path: string, manifest: DemoManifest): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}

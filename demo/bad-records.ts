/**
 * Bad records: what broken producers really send. Each variant breaks exactly one rule, so that a
 * test can check the record fails for its stated reason and no other. Every bad record has a fresh
 * key, never used by a good document.
 */
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import type { PurchaseOrderV1 } from '../ingest/topics/purchase-orders/schema.ts';
import { toScaled } from '../lib/money.ts';
import { moneyText } from './amounts.ts';
import type { BadRecordReason } from './manifest.ts';
import type { DemoTopic } from './messages.ts';

/** Valid documents, already given fresh ids, to break. */
export interface BadRecordSource {
  invoice: InvoiceV1;
  purchaseOrder?: PurchaseOrderV1;
}

export interface BadRecord {
  topic: DemoTopic;
  key: string;
  value: string;
  reason: BadRecordReason;
  detail: string;
}

/** Bodies that are not (yet) in the partnership's register. */
export const UNREGISTERED_BODY_IDS = ['north-shire-pcc', 'riverton-leisure-trust'] as const;

type Variant = (source: BadRecordSource) => BadRecord | null;

const invoiceKey = (invoice: InvoiceV1) => `${invoice.bodyId}:${invoice.invoiceId}`;

function brokenInvoice(
  invoice: InvoiceV1,
  reason: BadRecordReason,
  detail: string,
  value: unknown,
  key = invoiceKey(invoice),
): BadRecord {
  return {
    topic: 'invoices',
    key,
    value: typeof value === 'string' ? value : JSON.stringify(value),
    reason,
    detail,
  };
}

function withoutField(document: object, field: string): object {
  return Object.fromEntries(Object.entries(document).filter(([name]) => name !== field));
}

/** A header-only copy: a bad header amount then cannot also upset the line check. */
function headerOnly(invoice: InvoiceV1): InvoiceV1 {
  return withoutField(invoice, 'lines') as InvoiceV1;
}

function impossibleDate(iso: string): string {
  const year = iso.slice(0, 4);
  return `${year}-${['02-30', '04-31', '06-31', '09-31', '11-31'][Number(iso.slice(8, 10)) % 5]}`;
}

const VARIANTS: readonly Variant[] = [
  ({ invoice }) => {
    const text = JSON.stringify(invoice);
    return brokenInvoice(
      invoice,
      'malformed-json',
      'truncated',
      text.slice(0, Math.floor(text.length * 0.6)),
    );
  },
  ({ invoice }) =>
    brokenInvoice(invoice, 'schema-violation', 'missing-field:currency', withoutField(invoice, 'currency')),
  ({ invoice }) => {
    const bodyId = UNREGISTERED_BODY_IDS[0];
    return brokenInvoice(
      invoice,
      'unregistered-body',
      bodyId,
      { ...invoice, bodyId },
      `${bodyId}:${invoice.invoiceId}`,
    );
  },
  // Keys that are well formed (`<bodyId>:<id>`) but disagree with the value; a key without ':'
  // would be a different rejection ("bad-key").
  ({ invoice }) =>
    brokenInvoice(invoice, 'key-mismatch', 'trailing-space', invoice, `${invoiceKey(invoice)} `),
  ({ invoice }) => {
    if (!invoice.lines?.length) return null;
    const net = moneyText(toScaled(invoice.netAmount, 2) + 1n);
    return brokenInvoice(invoice, 'lines-do-not-sum', 'off-by-a-penny', { ...invoice, netAmount: net });
  },
  ({ invoice }) => {
    const field = invoice.invoiceDate ? 'invoiceDate' : 'paymentDate';
    const date = impossibleDate(invoice[field] ?? '2024-01-01');
    return brokenInvoice(invoice, 'schema-violation', 'impossible-date', { ...invoice, [field]: date });
  },
  ({ invoice }) =>
    brokenInvoice(invoice, 'schema-violation', 'credit-note-positive', {
      ...invoice,
      documentType: 'credit-note',
    }),
  ({ invoice }) => {
    const date = invoice.invoiceDate ?? invoice.paymentDate;
    const row = `${invoice.bodyId},${invoice.invoiceId},"${invoice.supplier.name}",${invoice.netAmount},${date}`;
    return brokenInvoice(invoice, 'malformed-json', 'csv-row', row);
  },
  ({ invoice }) => {
    const netAmount = `${invoice.netAmount}5`;
    return brokenInvoice(invoice, 'schema-violation', 'three-decimals', {
      ...headerOnly(invoice),
      netAmount,
    });
  },
  ({ invoice }) => {
    if (!invoice.lines?.length || !invoice.vatAmount || toScaled(invoice.vatAmount, 2) === 0n) return null;
    const gross = moneyText(toScaled(invoice.netAmount, 2) + toScaled(invoice.vatAmount, 2));
    return brokenInvoice(invoice, 'lines-do-not-sum', 'gross-as-net', { ...invoice, netAmount: gross });
  },
  ({ invoice }) => {
    // A producer that serialised money as a JSON number.
    const text = JSON.stringify(headerOnly(invoice)).replace(/"netAmount":"([^"]+)"/, '"netAmount":$1');
    return brokenInvoice(invoice, 'schema-violation', 'amount-as-number', text);
  },
  ({ invoice }) => {
    const lowerCase = invoice.invoiceId.toLowerCase();
    if (lowerCase === invoice.invoiceId) return null;
    return brokenInvoice(invoice, 'key-mismatch', 'lower-case-id', invoice, `${invoice.bodyId}:${lowerCase}`);
  },
  ({ invoice }) =>
    brokenInvoice(invoice, 'malformed-json', 'single-quotes', JSON.stringify(invoice).replace(/"/g, "'")),
  ({ invoice }) =>
    brokenInvoice(invoice, 'schema-violation', 'unknown-field', { ...invoice, Amount: invoice.netAmount }),
  ({ invoice }) => {
    const bodyId = UNREGISTERED_BODY_IDS[1];
    return brokenInvoice(
      invoice,
      'unregistered-body',
      bodyId,
      { ...invoice, bodyId },
      `${bodyId}:${invoice.invoiceId}`,
    );
  },
  ({ purchaseOrder }) => {
    if (!purchaseOrder) return null;
    const totalNet = moneyText(toScaled(purchaseOrder.totalNet, 2) - 1n);
    return {
      topic: 'purchaseOrders',
      key: `${purchaseOrder.bodyId}:${purchaseOrder.poNumber}`,
      value: JSON.stringify({ ...purchaseOrder, totalNet }),
      reason: 'lines-do-not-sum',
      detail: 'po-total-off-by-a-penny',
    };
  },
  ({ purchaseOrder }) => {
    if (!purchaseOrder) return null;
    return {
      topic: 'purchaseOrders',
      key: `${purchaseOrder.bodyId}:${purchaseOrder.poNumber}`,
      value: JSON.stringify(withoutField(purchaseOrder, 'orderDate')),
      reason: 'schema-violation',
      detail: 'missing-field:orderDate',
    };
  },
  ({ invoice }) =>
    brokenInvoice(invoice, 'malformed-json', 'trailing-comma', JSON.stringify(invoice).replace(/}$/, ',}')),
  ({ invoice }) =>
    brokenInvoice(
      invoice,
      'schema-violation',
      'missing-field:documentType',
      withoutField(invoice, 'documentType'),
    ),
  ({ invoice }) => {
    const text = JSON.stringify(invoice).replace(/"netAmount":"[^"]+"/, '"netAmount":NaN');
    return brokenInvoice(invoice, 'malformed-json', 'nan-amount', text);
  },
];

/**
 * Hands out bad records so that every variant appears, in turn, even in a small run. A variant
 * that does not fit the source (no lines, no purchase order) stays owed until one comes that does.
 */
export class BadRecordRota {
  private owed: Variant[] = [];

  next(source: BadRecordSource): BadRecord {
    if (this.owed.length === 0) this.owed = [...VARIANTS];
    for (const [position, variant] of this.owed.entries()) {
      const record = variant(source);
      if (record) {
        this.owed.splice(position, 1);
        return record;
      }
    }
    // None of the owed ones fits: use any that does, and keep owing the rest.
    for (const variant of VARIANTS) {
      const record = variant(source);
      if (record) return record;
    }
    throw new Error('no bad-record variant fits this document');
  }
}

/**
 * The registered body a rejection is counted under: the value's bodyId when it can be read, else
 * the part of the key before ':'; null when that is not a registered body.
 */
export function attributeBadRecord(record: BadRecord, registered: ReadonlySet<string>): string | null {
  let bodyId: unknown;
  try {
    bodyId = (JSON.parse(record.value) as { bodyId?: unknown } | null)?.bodyId;
  } catch {
    bodyId = undefined;
  }
  if (typeof bodyId !== 'string') bodyId = record.key.split(':')[0];
  return typeof bodyId === 'string' && registered.has(bodyId) ? bodyId : null;
}

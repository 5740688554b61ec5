/** Hand-made contract messages for tests: a valid invoice or purchase order, with overrides. */
import type { Producer } from '../../ingest/kafka/client.ts';
import type { InvoiceV1 } from '../../ingest/topics/invoices/schema.ts';
import type { PurchaseOrderV1 } from '../../ingest/topics/purchase-orders/schema.ts';

export function invoice(overrides: Partial<InvoiceV1> = {}): InvoiceV1 {
  return {
    schema: 'invoice.v1',
    bodyId: 'test-council',
    invoiceId: 'INV-1',
    documentType: 'invoice',
    supplier: { name: 'EDF ENERGY PLC', vatNumber: 'GB123456789' },
    invoiceDate: '2024-03-01',
    currency: 'GBP',
    netAmount: '150.50',
    vatAmount: '30.10',
    lines: [
      { lineNo: 1, description: 'Electricity', quantity: '10', unitPrice: '10.05', netAmount: '100.50' },
      { lineNo: 2, description: 'Standing charge', netAmount: '50.00' },
    ],
    ...overrides,
  };
}

export function purchaseOrder(overrides: Partial<PurchaseOrderV1> = {}): PurchaseOrderV1 {
  return {
    schema: 'purchase-order.v1',
    bodyId: 'test-council',
    poNumber: 'PO-1',
    supplier: { name: 'Office Supplies Ltd' },
    orderDate: '2024-02-01',
    currency: 'GBP',
    lines: [{ lineNo: 1, description: 'A4 paper', quantity: '20', unitPrice: '3.2500', netAmount: '65.00' }],
    totalNet: '65.00',
    ...overrides,
  };
}

/** A message as the consumer sees it: key and JSON value as bytes. */
export function asMessage(key: string, value: unknown, offset: number | string) {
  return {
    offset: String(offset),
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    timestamp: String(Date.UTC(2024, 2, 1)),
  };
}

/** n varied, valid invoices for one body (deterministic), some with lines, some credit notes. */
export function manyInvoices(bodyId: string, n: number, prefix = 'INV'): InvoiceV1[] {
  const invoices: InvoiceV1[] = [];
  for (let i = 0; i < n; i++) {
    const pence = ((i * 7919) % 500_000) + 1;
    const credit = i % 50 === 49;
    const amount = credit ? -pence : pence; // integer pence
    const net = penceToString(BigInt(amount));
    const withLines = i % 3 === 0;
    const first = BigInt(Math.trunc(amount / 3));
    invoices.push(
      invoice({
        bodyId,
        invoiceId: `${prefix}-${i}`,
        documentType: credit ? 'credit-note' : 'invoice',
        invoiceDate: `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
        netAmount: net,
        vatAmount: credit ? '0.00' : '1.00',
        lines: withLines
          ? [
              { lineNo: 1, netAmount: penceToString(first), quantity: '1', unitPrice: penceToString(first) },
              { lineNo: 2, netAmount: penceToString(BigInt(amount) - first) },
            ]
          : undefined,
      }),
    );
  }
  return invoices;
}

/** Pence as a decimal string, written here rather than taken from the code under test. */
export function penceToString(pence: bigint): string {
  const negative = pence < 0n;
  const abs = negative ? -pence : pence;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/**
 * A decimal string ("-12.5") as a whole number of 10^-scale units (-1250n at scale 2), by
 * arithmetic on its two parts: written here, independently of lib/money, so tests that use it
 * check the product's money code instead of repeating it.
 */
export function decimalToUnits(value: string, scale: number): bigint {
  const negative = value.startsWith('-');
  const [whole = '', fraction = '', ...rest] = (negative ? value.slice(1) : value).split('.');
  if (rest.length > 0 || !/^\d+$/.test(whole) || !/^\d*$/.test(fraction) || fraction.length > scale) {
    throw new Error(`not a decimal with at most ${scale} places: ${value}`);
  }
  const units =
    BigInt(whole) * 10n ** BigInt(scale) +
    (fraction ? BigInt(fraction) * 10n ** BigInt(scale - fraction.length) : 0n);
  return negative ? -units : units;
}

/** Whole units of 10^-scale back to a decimal string with exactly `scale` places. */
export function unitsToDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const one = 10n ** BigInt(scale);
  const fraction = scale > 0 ? `.${(abs % one).toString().padStart(scale, '0')}` : '';
  return `${negative ? '-' : ''}${abs / one}${fraction}`;
}

/** Sends invoices[from, to) to a topic in chunks, keyed `<bodyId>:<invoiceId>` as the contract wants. */
export async function sendInvoices(
  producer: Producer,
  topic: string,
  invoices: readonly InvoiceV1[],
  range: { from: number; to: number; chunk: number },
): Promise<void> {
  for (let i = range.from; i < range.to; i += range.chunk) {
    await producer.send({
      topic,
      acks: -1,
      messages: invoices
        .slice(i, Math.min(i + range.chunk, range.to))
        .map((inv) => ({ key: `${inv.bodyId}:${inv.invoiceId}`, value: JSON.stringify(inv) })),
    });
  }
}

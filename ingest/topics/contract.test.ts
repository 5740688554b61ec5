/** Contract tests: every rule of invoice.v1 and purchase-order.v1, and the reason a breach gets. */
import { describe, expect, it } from 'vitest';
import { invoice, purchaseOrder } from '../../tests/helpers/messages.ts';
import { type Decoded, decodeMessage } from '../decode.ts';
import { invoicesHandler } from './invoices/handler.ts';
import { purchaseOrdersHandler } from './purchase-orders/handler.ts';

const bodies = new Set(['test-council']);
const key = (k: string | null) => (k === null ? null : Buffer.from(k));
const value = (v: unknown) => (v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));
const decodeInvoice = (v: unknown, k: string | null = 'test-council:INV-1') =>
  decodeMessage(invoicesHandler, key(k), value(v), bodies);
const decodeOrder = (v: unknown, k: string | null = 'test-council:PO-1') =>
  decodeMessage(purchaseOrdersHandler, key(k), value(v), bodies);

function rejection(decoded: Decoded<unknown>) {
  if (decoded.outcome !== 'rejected') throw new Error(`expected a rejection, got ${decoded.outcome}`);
  return decoded;
}

describe('invoice.v1', () => {
  it('accepts a valid invoice, a credit note and a payment-date-only invoice', () => {
    expect(decodeInvoice(invoice()).outcome).toBe('document');
    const credit = invoice({
      documentType: 'credit-note',
      netAmount: '-150.50',
      vatAmount: '-30.10',
      lines: [{ lineNo: 1, netAmount: '-150.50' }],
    });
    expect(decodeInvoice(credit).outcome).toBe('document');
    expect(decodeInvoice(invoice({ invoiceDate: undefined, paymentDate: '2024-03-05' })).outcome).toBe(
      'document',
    );
  });

  it.each([
    [
      'more than 2 decimals',
      invoice({ netAmount: '150.505' }),
      'netAmount: a decimal string with at most 2 decimal places',
      '"150.505"',
    ],
    ['an amount as a number', { ...invoice(), netAmount: 150.5 }, 'netAmount', 'expected string'],
    [
      'a thousands separator',
      invoice({ vatAmount: '1,030.10' }),
      'vatAmount: a decimal string',
      '"1,030.10"',
    ],
    [
      'an impossible date',
      invoice({ invoiceDate: '2023-02-29' }),
      'invoiceDate: not a real calendar date',
      '"2023-02-29"',
    ],
    ['a non-ISO date', invoice({ invoiceDate: '01/03/2024' }), 'invoiceDate: a date as YYYY-MM-DD', ''],
    [
      'no date at all',
      invoice({ invoiceDate: undefined }),
      'at least one of invoiceDate and paymentDate is required',
      '',
    ],
    ['an unknown currency', invoice({ currency: 'GBX' }), 'currency: an ISO 4217 currency code', '"GBX"'],
    ['a missing supplier name', { ...invoice(), supplier: {} }, 'supplier.name', '(missing)'],
    ['an unknown field', { ...invoice(), netAmmount: '1.00' }, 'netAmmount', ''],
    ['the wrong schema name', { ...invoice(), schema: 'invoice.v2' }, 'schema', '"invoice.v2"'],
    [
      'a unit price with 5 decimals',
      invoice({ lines: [{ lineNo: 1, unitPrice: '1.23456', netAmount: '150.50' }] }),
      'lines[0].unitPrice: a decimal string with at most 4 decimal places',
      '',
    ],
    [
      'a positive credit note',
      invoice({ documentType: 'credit-note', lines: undefined }),
      'netAmount: a credit note carries amounts ≤ 0',
      '',
    ],
    [
      'a duplicate line number',
      invoice({
        lines: [
          { lineNo: 1, netAmount: '100.50' },
          { lineNo: 1, netAmount: '50.00' },
        ],
      }),
      'lines[1].lineNo: duplicate lineNo 1',
      '',
    ],
    [
      'a category in an unknown scheme',
      invoice({ category: { scheme: 'unspsc' as 'cpv', code: '1' } }),
      'category.scheme',
      '',
    ],
  ])('rejects %s as a schema violation naming the field', (_, doc, message, got) => {
    const decoded = rejection(decodeInvoice(doc));
    expect(decoded.code).toBe('schema-violation');
    expect(decoded.reason).toContain(message);
    expect(decoded.reason).toContain(got);
    expect(decoded.reason.startsWith('invoice.v1: ')).toBe(true);
    expect(decoded.bodyId).toBe('test-council');
  });

  it('rejects lines that do not sum to netAmount, with both figures', () => {
    const decoded = rejection(decodeInvoice(invoice({ netAmount: '150.51' })));
    expect(decoded).toMatchObject({
      code: 'lines-do-not-sum',
      reason: 'lines sum to 150.50 but netAmount is 150.51',
    });
  });

  it('rejects malformed JSON, with the parser’s message', () => {
    expect(rejection(decodeInvoice('{"schema": "invoice.v1",'))).toMatchObject({
      code: 'malformed-json',
      bodyId: 'test-council',
    });
  });

  it('rejects keys that are missing, malformed or do not match the value', () => {
    expect(rejection(decodeInvoice(invoice(), null)).code).toBe('missing-key');
    expect(rejection(decodeInvoice(invoice(), 'INV-1')).code).toBe('bad-key');
    expect(rejection(decodeInvoice(invoice(), 'Test-Council:INV-1')).code).toBe('bad-key');
    expect(rejection(decodeInvoice(invoice(), 'test-council:INV-2'))).toMatchObject({
      code: 'key-mismatch',
      reason: 'key "test-council:INV-2" does not match the value (expected "test-council:INV-1")',
    });
  });

  it('rejects bodies that are not in the opt-in register, attributing them to no body', () => {
    const doc = invoice({ bodyId: 'unknown-body' });
    expect(rejection(decodeInvoice(doc, 'unknown-body:INV-1'))).toMatchObject({
      code: 'unregistered-body',
      bodyId: null,
    });
  });

  it('reads a tombstone as a retraction of the keyed document', () => {
    expect(decodeInvoice(null)).toEqual({
      outcome: 'retraction',
      bodyId: 'test-council',
      documentId: 'INV-1',
    });
    expect(rejection(decodeInvoice(null, 'unknown-body:INV-1')).code).toBe('unregistered-body');
  });

  it('sets aside records of a batch that could not be decompressed', () => {
    const decoded = decodeMessage(
      invoicesHandler,
      key('test-council:INV-1'),
      null,
      bodies,
      'zstd: corrupt frame',
    );
    expect(rejection(decoded)).toMatchObject({ code: 'undecodable-batch', reason: 'zstd: corrupt frame' });
  });
});

describe('a per-body topic (SPEND_TOPIC_LAYOUT=per-body)', () => {
  const registered = new Set(['test-council', 'other-council']);
  const onTopicOf = (topicBody: string, v: unknown, k: string | null) =>
    decodeMessage(invoicesHandler, key(k), value(v), registered, undefined, topicBody);

  it("accepts the topic's own body's documents and tombstones", () => {
    expect(onTopicOf('test-council', invoice(), 'test-council:INV-1').outcome).toBe('document');
    expect(onTopicOf('test-council', null, 'test-council:INV-1').outcome).toBe('retraction');
  });

  it("refuses another body's document or tombstone, and attributes the refusal to the topic's body", () => {
    const forged = invoice({ bodyId: 'other-council' });
    expect(rejection(onTopicOf('test-council', forged, 'other-council:INV-1'))).toEqual({
      outcome: 'rejected',
      code: 'body-topic-mismatch',
      reason:
        'body "other-council" on the topic of body "test-council": a body may write only its own documents',
      bodyId: 'test-council',
    });
    expect(rejection(onTopicOf('test-council', null, 'other-council:INV-1'))).toMatchObject({
      code: 'body-topic-mismatch',
      bodyId: 'test-council',
    });
    // A bad message on the topic is the topic's body's, whatever body its key names.
    expect(rejection(onTopicOf('test-council', '{not json', 'other-council:INV-1'))).toMatchObject({
      code: 'malformed-json',
      bodyId: 'test-council',
    });
  });

  it('on a shared topic (no topic body), the same forged document is an ordinary document of the body it names', () => {
    const decoded = decodeMessage(
      invoicesHandler,
      key('other-council:INV-1'),
      value(invoice({ bodyId: 'other-council' })),
      registered,
    );
    expect(decoded).toMatchObject({ outcome: 'document', bodyId: 'other-council' });
  });
});

describe('purchase-order.v1', () => {
  it('accepts a valid purchase order', () => {
    expect(decodeOrder(purchaseOrder()).outcome).toBe('document');
  });

  it('requires quantity and unit price on every line, and at least one line', () => {
    const noQuantity = purchaseOrder({
      lines: [{ lineNo: 1, unitPrice: '3.25', netAmount: '65.00' } as never],
    });
    expect(rejection(decodeOrder(noQuantity)).reason).toContain('lines[0].quantity');
    expect(rejection(decodeOrder(purchaseOrder({ lines: [], totalNet: '0.00' }))).reason).toContain('lines');
  });

  it('rejects lines that do not sum to totalNet', () => {
    expect(rejection(decodeOrder(purchaseOrder({ totalNet: '65.01' })))).toMatchObject({
      code: 'lines-do-not-sum',
      reason: 'lines sum to 65.00 but totalNet is 65.01',
    });
  });

  it('requires an order date', () => {
    expect(rejection(decodeOrder({ ...purchaseOrder(), orderDate: undefined })).reason).toContain(
      'orderDate',
    );
  });
});

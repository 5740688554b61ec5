/**
 * The fast path must never accept what zod refuses, nor refuse what zod accepts (that would
 * only cost speed, but would mean the two have drifted). Checked on the whole demo data set,
 * valid and planted-bad records, and on many mutations of valid documents.
 */
import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/generate.ts';
import { fromScaled, toScaled } from '../../lib/money.ts';
import type { TopicHandler } from './handler.ts';
import { invoicesHandler } from './invoices/handler.ts';
import { purchaseOrdersHandler } from './purchase-orders/handler.ts';

type Json = Record<string, unknown>;

/** The document's total and its main date, whichever kind of document it is. */
const totalField = (d: Json) => (d.netAmount !== undefined ? 'netAmount' : 'totalNet');
const dateField = (d: Json) => (d.orderDate !== undefined ? 'orderDate' : 'invoiceDate');
const firstLine = (d: Json) => (d.lines as Json[] | undefined)?.[0];

/** Ways to break (or not) a document, each a plausible producer mistake. */
const MUTATIONS: [string, (doc: Json) => void][] = [
  [
    '3 decimals',
    (d) => {
      d[totalField(d)] = '10.005';
    },
  ],
  [
    'amount as number',
    (d) => {
      d[totalField(d)] = 10.5;
    },
  ],
  [
    'impossible date',
    (d) => {
      d[dateField(d)] = '2023-02-29';
    },
  ],
  [
    'slash date',
    (d) => {
      d[dateField(d)] = '01/02/2024';
    },
  ],
  [
    'no dates',
    (d) => {
      delete d.invoiceDate;
      delete d.paymentDate;
    },
  ],
  [
    'unknown currency',
    (d) => {
      d.currency = 'XXY';
    },
  ],
  [
    'lower-case currency',
    (d) => {
      d.currency = 'gbp';
    },
  ],
  [
    'unknown field',
    (d) => {
      d.netAmmount = '1.00';
    },
  ],
  [
    'unknown supplier field',
    (d) => {
      (d.supplier as Json).vat = 'GB1';
    },
  ],
  [
    'missing supplier name',
    (d) => {
      delete (d.supplier as Json).name;
    },
  ],
  [
    'empty supplier name',
    (d) => {
      (d.supplier as Json).name = '';
    },
  ],
  [
    'wrong schema',
    (d) => {
      d.schema = 'invoice.v2';
    },
  ],
  [
    'bad body id',
    (d) => {
      d.bodyId = 'North Shire';
    },
  ],
  [
    'credit note',
    (d) => {
      d.documentType = 'credit-note';
    },
  ],
  [
    'lines off by a penny',
    (d) => {
      const line = firstLine(d);
      if (line) line.netAmount = fromScaled(toScaled(String(line.netAmount), 2) + 1n, 2);
    },
  ],
  [
    'duplicate line numbers',
    (d) => {
      const lines = d.lines as Json[] | undefined;
      if (lines?.[0] && lines[1]) lines[1].lineNo = lines[0].lineNo;
    },
  ],
  [
    'line unit price 5 dp',
    (d) => {
      const line = firstLine(d);
      if (line) line.unitPrice = '1.23456';
    },
  ],
  [
    'no lines',
    (d) => {
      delete d.lines;
    },
  ],
  [
    'empty lines',
    (d) => {
      d.lines = [];
    },
  ],
  [
    'category scheme unknown',
    (d) => {
      d.category = { scheme: 'unspsc', code: '1' };
    },
  ],
  [
    'source row 0',
    (d) => {
      d.source = { uploadId: 'u', file: 'f.csv', row: 0 };
    },
  ],
  [
    'very long description',
    (d) => {
      d.description = 'x'.repeat(2001);
    },
  ],
  [
    'null field',
    (d) => {
      d.poNumber = null;
    },
  ],
];

function agree(handler: TopicHandler<unknown>, value: unknown): { quick: boolean; zod: boolean } {
  return { quick: handler.quickCheck(value), zod: handler.schema.safeParse(value).success };
}

describe('quickCheck agrees with the zod contract', () => {
  const demo = generateDemo({ targetInvoiceLines: 6000, seed: 7 });
  const documents: { handler: TopicHandler<unknown>; json: Json }[] = [];
  for (const message of demo.messages()) {
    if (message.value === null) continue;
    let json: Json;
    try {
      json = JSON.parse(message.value);
    } catch {
      continue;
    }
    const handler = (
      message.topic === 'invoices' ? invoicesHandler : purchaseOrdersHandler
    ) as TopicHandler<unknown>;
    documents.push({ handler, json });
  }

  it('on every demo document, good and bad', () => {
    expect(documents.length).toBeGreaterThan(3000);
    let accepted = 0;
    for (const { handler, json } of documents) {
      const verdict = agree(handler, json);
      expect(verdict.quick, JSON.stringify(json)).toBe(verdict.zod);
      if (verdict.zod) accepted++;
    }
    expect(accepted).toBeGreaterThan(documents.length * 0.9);
    expect(accepted).toBeLessThan(documents.length); // the planted bad records are in there
  });

  it.each(MUTATIONS)('on every document with "%s"', (_, mutate) => {
    for (const { handler, json } of documents.slice(0, 400)) {
      const mutated = structuredClone(json);
      mutate(mutated);
      const verdict = agree(handler, mutated);
      expect(verdict.quick, JSON.stringify(mutated)).toBe(verdict.zod);
    }
  });
});

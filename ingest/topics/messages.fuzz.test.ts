/**
 * Hostile messages (fast-check) through the consumer's decode path and the topic shapes: wrong
 * types in every field, strings past their limits, deep nesting, bytes that are not UTF-8, and
 * prototype-pollution keys (__proto__, constructor, prototype). Each must be rejected with a known
 * reason code and a reason, nothing may throw, and nothing may reach Object.prototype. Valid
 * documents carrying awkward but legal text (quotes, backslashes, control characters, astral
 * characters, "__proto__" as a name) must go through the shape's SQL into DuckDB unchanged.
 * Expected outcomes come from how each message was built, not from the code under test.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../lib/db.ts';
import { openTestDatabase } from '../../tests/helpers/database.ts';
import { invoice, purchaseOrder } from '../../tests/helpers/messages.ts';
import { writeBatch } from '../batch-writer.ts';
import { type Decoded, decodeMessage } from '../decode.ts';
import { REJECTION_CODES } from '../rejections.ts';
import { invoicesHandler } from './invoices/handler.ts';
import { purchaseOrdersHandler } from './purchase-orders/handler.ts';

const RUNS = 200;
const BODIES = new Set(['test-council']);
const tally = { tried: 0, crashes: 0, wronglyAccepted: 0 };

type Topic = {
  decode: (key: Buffer, value: Buffer | string) => Decoded<unknown>;
  valid: () => Record<string, unknown>;
  key: string;
};
const TOPICS: Record<string, Topic> = {
  invoices: {
    decode: (key, value) => decodeMessage(invoicesHandler, key, value, BODIES),
    valid: () => invoice() as Record<string, unknown>,
    key: 'test-council:INV-1',
  },
  'purchase-orders': {
    decode: (key, value) => decodeMessage(purchaseOrdersHandler, key, value, BODIES),
    valid: () => purchaseOrder() as Record<string, unknown>,
    key: 'test-council:PO-1',
  },
};

/** Decodes one message; anything but a rejection with a known code and a reason is a failure. */
function expectRejected(topic: Topic, value: Buffer | string, key = topic.key) {
  tally.tried++;
  let outcome: Decoded<unknown>;
  try {
    outcome = topic.decode(Buffer.from(key), value);
  } catch (error) {
    tally.crashes++;
    throw error;
  }
  if (outcome.outcome !== 'rejected') tally.wronglyAccepted++;
  expect(outcome.outcome, typeof value === 'string' ? value.slice(0, 300) : 'bytes').toBe('rejected');
  if (outcome.outcome !== 'rejected') return undefined;
  expect(Object.keys(REJECTION_CODES)).toContain(outcome.code);
  expect(outcome.reason.length).toBeGreaterThan(0);
  // A reason names at most five issues, each clipped: a huge value never makes a huge reason.
  expect(outcome.reason.length).toBeLessThan(2000);
  return outcome;
}

/** Values of every JSON type but string. */
const notAString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

const nested = (depth: number) => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { deeper: value };
  return value;
};

/** Sets a value at a dotted path ("lines.0.netAmount") of a copy. */
function withField(doc: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(doc);
  const steps = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const step of steps.slice(0, -1)) at = at[step] as Record<string, unknown>;
  at[steps.at(-1) as string] = value;
  return copy;
}

/** The string fields each topic requires or allows, with their longest allowed length. */
const STRING_FIELDS: Record<string, [string, number][]> = {
  invoices: [
    ['bodyId', 63],
    ['invoiceId', 200],
    ['supplier.name', 500],
    ['currency', 3],
    ['netAmount', 20],
    ['description', 2000],
    ['lines.0.description', 2000],
    ['lines.0.netAmount', 20],
  ],
  'purchase-orders': [
    ['bodyId', 63],
    ['poNumber', 200],
    ['supplier.name', 500],
    ['currency', 3],
    ['totalNet', 20],
    ['lines.0.description', 2000],
  ],
};

afterAll(() => {
  process.stderr.write(
    `message fuzz: hostile messages tried: ${tally.tried}, crashes: ${tally.crashes}, wrongly accepted: ${tally.wronglyAccepted}\n`,
  );
});

describe.each(Object.keys(TOPICS))('hostile %s messages', (name) => {
  const topic = TOPICS[name] as Topic;
  const fields = STRING_FIELDS[name] as [string, number][];

  it('a field of the wrong type is rejected, naming the field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), notAString, ([path], value) => {
        const outcome = expectRejected(topic, JSON.stringify(withField(topic.valid(), path, value)));
        expect(outcome?.reason).toContain(path.split('.')[0]);
      }),
      { numRuns: RUNS },
    );
  });

  it('a string past its limit is rejected, and the reason stays short', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.integer({ min: 1, max: 200_000 }), ([path, max], extra) => {
        expectRejected(topic, JSON.stringify(withField(topic.valid(), path, '9'.repeat(max + extra))));
      }),
      { numRuns: RUNS / 4 },
    );
  });

  it('deep nesting anywhere is rejected without a stack overflow', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('supplier', 'lines', 'extra', ...fields.map(([path]) => path)),
        fc.integer({ min: 1, max: 1500 }),
        (path, depth) => {
          expectRejected(topic, JSON.stringify(withField(topic.valid(), path, nested(depth))));
        },
      ),
      { numRuns: RUNS / 4 },
    );
    // Deeper than JSON.stringify itself can go: raw text, 100,000 levels.
    expectRejected(topic, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expectRejected(topic, `{"schema":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`);
  });

  it('prototype-pollution keys are rejected and pollute nothing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
        fc.constantFrom('', 'supplier.', 'lines.0.'),
        fc.jsonValue({ maxDepth: 2 }),
        (hostileKey, where, value) => {
          // As raw JSON text: JSON.parse makes "__proto__" an own key, which is what a producer sends.
          const polluted = { polluted: true, value };
          const doc = topic.valid();
          const text = JSON.stringify(doc);
          const target = where === '' ? text : where === 'supplier.' ? '"supplier":' : '"lines":[';
          const at = where === '' ? 1 : text.indexOf(target) + target.length + 1;
          const hostile = `${text.slice(0, at)}"${hostileKey}":${JSON.stringify(polluted)},${text.slice(at)}`;
          JSON.parse(hostile); // the test's own text is JSON
          expectRejected(topic, hostile);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.prototype).not.toHaveProperty('value');
        },
      ),
      { numRuns: RUNS / 2 },
    );
  });

  it('bytes that are not UTF-8 are rejected, never read with replacement characters', () => {
    const invalid = fc.constantFrom(
      [0xff],
      [0xc0, 0x80], // an over-long NUL
      [0x80], // a continuation byte alone
      [0xe2, 0x82], // a character cut short
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    );
    fc.assert(
      fc.property(invalid, fc.nat(), (bytes, position) => {
        // Inside the supplier's name: everywhere else the JSON would break anyway.
        const text = JSON.stringify(withField(topic.valid(), 'supplier.name', 'AB'));
        const at = text.indexOf('"AB"') + 1 + (position % 3);
        const value = Buffer.concat([
          Buffer.from(text.slice(0, at)),
          Buffer.from(bytes),
          Buffer.from(text.slice(at)),
        ]);
        const outcome = expectRejected(topic, value);
        expect(outcome?.code).toBe('malformed-json');
        expect(outcome?.reason).toContain('not valid UTF-8');
      }),
      { numRuns: RUNS / 4 },
    );
    // A key with a look-alike of the id does not match; a key that is not UTF-8 is refused.
    expect(
      expectRejected(
        topic,
        JSON.stringify(topic.valid()),
        `test-council:${Buffer.from([0xff]).toString('latin1')}`,
      )?.code,
    ).toBe('key-mismatch');
    const badKey = topic.decode(Buffer.from([0x74, 0x3a, 0xff]), JSON.stringify(topic.valid()));
    expect(badKey).toMatchObject({
      outcome: 'rejected',
      code: 'bad-key',
      reason: 'the key is not valid UTF-8',
    });
  });

  it('anything that is not the document at all is rejected', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expectRejected(topic, JSON.stringify(value));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('through the consumer into DuckDB', () => {
  let db: Database;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    ({ db, conn } = await openTestDatabase());
  });
  afterAll(() => {
    conn.closeSync();
    db.close();
  });

  let offset = 0;
  const message = (key: Buffer | string, value: Buffer | string) => ({
    offset: String(offset++),
    key: typeof key === 'string' ? Buffer.from(key) : key,
    value: typeof value === 'string' ? Buffer.from(value) : value,
    timestamp: String(Date.UTC(2024, 2, 1)),
  });

  it('a batch of hostile messages ends wholly in rejected messages, each with a reason', async () => {
    const text = JSON.stringify(invoice());
    const hostile = [
      message(
        'test-council:INV-1',
        Buffer.concat([Buffer.from(text.slice(0, 40)), Buffer.from([0xff]), Buffer.from(text.slice(40))]),
      ),
      message('test-council:INV-1', text.replace('{', '{"__proto__":{"polluted":true},')),
      message('test-council:INV-1', JSON.stringify(withField(invoice(), 'netAmount', 150.5))),
      message('test-council:INV-1', JSON.stringify(withField(invoice(), 'supplier', nested(3000)))),
      message('test-council:INV-1', `${'['.repeat(50_000)}${']'.repeat(50_000)}`),
      message('test-council:INV-1', JSON.stringify(withField(invoice(), 'description', 'd'.repeat(300_000)))),
      message(Buffer.from([0x74, 0x3a, 0xff]), text),
    ];
    const result = await writeBatch(conn, invoicesHandler, 'fuzz.invoices', 0, hostile);
    expect(result).toMatchObject({ accepted: 0, rejected: hostile.length });
    const rows = await queryRows<{ reason_code: string; reason: string; n: number }>(
      conn,
      `select reason_code, reason, count(*)::integer as n from rejected_messages
        where topic = 'fuzz.invoices' group by all order by reason_code`,
    );
    expect(rows.reduce((sum, row) => sum + row.n, 0)).toBe(hostile.length);
    for (const row of rows) {
      expect(Object.keys(REJECTION_CODES)).toContain(row.reason_code);
      expect(row.reason.length).toBeGreaterThan(0);
    }
    const [stored] = await queryRows<{ n: number }>(
      conn,
      "select count(*)::integer as n from invoices where topic = 'fuzz.invoices'",
    );
    expect(stored?.n).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('awkward but legal text goes through the shape into DuckDB unchanged', async () => {
    // Every Unicode scalar value but the lone surrogates (not representable in UTF-8).
    const awkward = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      fc.constantFrom(
        '__proto__',
        'constructor',
        '"quoted" \\ back\\slash',
        "it's",
        'tab\there\nnewline',
        '\u0000nul',
        '🧾 £€',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(awkward, awkward), { minLength: 1, maxLength: 5 }),
        async (texts) => {
          const topicName = `fuzz.legal.${offset}`;
          const docs = texts.map(([name, description], i) =>
            invoice({ invoiceId: `INV-${offset + i}`, supplier: { name }, description }),
          );
          const result = await writeBatch(
            conn,
            invoicesHandler,
            topicName,
            0,
            docs.map((doc) => message(`test-council:${doc.invoiceId}`, JSON.stringify(doc))),
          );
          expect(result).toMatchObject({ accepted: docs.length, rejected: 0 });
          const stored = await queryRows<{ invoice_id: string; supplier_name: string; description: string }>(
            conn,
            'select invoice_id, supplier_name, description from invoices where topic = $topic order by kafka_offset',
            { topic: topicName },
          );
          expect(stored).toEqual(
            docs.map((doc) => ({
              invoice_id: doc.invoiceId,
              supplier_name: doc.supplier.name,
              description: doc.description,
            })),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

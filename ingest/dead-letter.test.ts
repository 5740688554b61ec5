import { describe, expect, it } from 'vitest';
import type { Rejection } from './batch-writer.ts';
import {
  batchBudget,
  chunkBySize,
  DEAD_LETTER_HEADERS,
  deadLetterMessage,
  deadLetterReference,
  recordSizeBound,
} from './dead-letter.ts';

const rejection = (offset: number, valueBytes: number): Rejection => ({
  topic: 'spend.invoices.v1',
  partition: 2,
  offset: String(offset),
  key: Buffer.from(`late:INV-${offset}`),
  value: Buffer.alloc(valueBytes, 'x'),
  code: 'unregistered-body',
  reason: 'body "late" is not registered',
  bodyId: null,
});

describe('dead letters in chunks', () => {
  it('bounds a record by at least its key, value and headers', () => {
    const message = deadLetterMessage(rejection(7, 1000));
    const headerBytes = Object.entries(message.headers ?? {}).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
      0,
    );
    expect(recordSizeBound(message)).toBeGreaterThan(1000 + Buffer.byteLength('late:INV-7') + headerBytes);
  });

  it('splits, in order, into chunks that each fit the budget', () => {
    const messages = Array.from({ length: 500 }, (_, i) =>
      deadLetterMessage(rejection(i, 900 + (i % 7) * 50)),
    );
    const budget = batchBudget(64 * 1024);
    const chunks = chunkBySize(messages, budget);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks)
      expect(chunk.reduce((n, m) => n + recordSizeBound(m), 0)).toBeLessThanOrEqual(budget);
    expect(chunks.flat()).toEqual(messages);
  });

  it('refuses a message over the budget on its own (a reference goes instead)', () => {
    const huge = rejection(9, 100 * 1024);
    const budget = batchBudget(64 * 1024);
    expect(() => chunkBySize([deadLetterMessage(huge)], budget)).toThrow(/cannot fit/);
    const reference = deadLetterReference(huge);
    expect(recordSizeBound(reference)).toBeLessThan(budget);
    expect(reference.headers?.[DEAD_LETTER_HEADERS.valueKeptIn]).toBe('rejected_messages');
    expect(reference.headers?.[DEAD_LETTER_HEADERS.offset]).toBe('9');
    expect(JSON.parse(String(reference.value))).toEqual({
      keptIn: 'rejected_messages',
      topic: 'spend.invoices.v1',
      partition: 2,
      offset: '9',
      valueBytes: 100 * 1024,
    });
  });
});

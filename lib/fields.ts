/**
 * Building blocks shared by the message contracts (invoice.v1, purchase-order.v1).
 * The zod schemas are the contract: docs/messages.md explains them and
 * `spend schemas` exports them as JSON Schema for producers.
 */
import { z } from 'zod';

/** Body ids are short slugs so that message keys `<bodyId>:<documentId>` split unambiguously. */
export const bodyId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a body id: lower-case letters, digits and "-", at most 63 characters');

export const documentId = z.string().min(1).max(200);

const MONEY = /^-?\d{1,16}(\.\d{1,2})?$/;
const UNIT_PRICE = /^-?\d{1,14}(\.\d{1,4})?$/;
const QUANTITY = /^-?\d{1,14}(\.\d{1,4})?$/;

/** A money amount in major units as a decimal string, sign included, at most 2 decimal places. */
export const money = z
  .string()
  .regex(MONEY, 'a decimal string with at most 2 decimal places, e.g. "1234.56" or "-12.50"');

export const unitPrice = z
  .string()
  .regex(UNIT_PRICE, 'a decimal string with at most 4 decimal places, e.g. "12.3456"');

export const quantity = z
  .string()
  .regex(QUANTITY, 'a decimal string with at most 4 decimal places, e.g. "2" or "0.5"');

/** A calendar date YYYY-MM-DD that exists (2023-02-30 does not). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine(isRealDate, 'not a real calendar date');

export function isRealDate(value: string): boolean {
  // Fast path for the YYYY-MM-DD layout (this runs for every message; split + Date cost ~0.7 µs).
  if (value.length === 10 && value.charCodeAt(4) === DASH && value.charCodeAt(7) === DASH) {
    const year = digitsAt(value, 0, 4);
    const month = digitsAt(value, 5, 7);
    const day = digitsAt(value, 8, 10);
    if (year >= 0 && month >= 0 && day >= 0) {
      return (
        year >= 1900 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month)
      );
    }
  }
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1900 &&
    year <= 2100 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

const DASH = 45;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The decimal number written by value[from, to), or -1 unless every character is a digit. */
function digitsAt(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const isCurrencyCode = (code: string): boolean => ISO_CURRENCIES.has(code);

export const currency = z.string().refine(isCurrencyCode, 'an ISO 4217 currency code such as "GBP" or "EUR"');

export const supplier = z.strictObject({
  name: z.string().min(1).max(500),
  ref: z.string().max(200).optional(),
  vatNumber: z.string().max(50).optional(),
  companyNumber: z.string().max(50).optional(),
  charityNumber: z.string().max(50).optional(),
  redacted: z.boolean().optional(),
});

export const category = z.strictObject({
  scheme: z.enum(['proclass', 'cpv', 'local']),
  code: z.string().min(1).max(100),
  label: z.string().max(500).optional(),
});

export const source = z.strictObject({
  uploadId: z.string().min(1).max(100),
  file: z.string().min(1).max(1000),
  row: z.number().int().positive().max(2_147_483_647),
});

const text = (max: number) => z.string().max(max).optional();

/**
 * An identifier from a standard scheme the line states, e.g. a GTIN: scheme "0160" (the ISO 6523
 * ICD of GS1 GTIN, as Peppol's StandardItemIdentification/@schemeID writes it) or "GTIN".
 */
export const standardItemId = z.strictObject({
  scheme: z.string().regex(/^[A-Za-z0-9:._-]{1,20}$/, 'a scheme code such as "0160" (GTIN)'),
  id: z.string().min(1).max(200),
});

export const lineBase = {
  lineNo: z.number().int().positive().max(2_147_483_647),
  description: text(2000),
  /** A code whose owner the sender does not state: compared as the seller's code (the supplier wrote it). */
  itemCode: text(200),
  unit: text(50),
  netAmount: money,
  category: category.optional(),
  // Item identity and pack size (optional, added after the first messages: absent in older ones).
  standardItemId: standardItemId.optional(),
  sellersItemCode: text(200),
  buyersItemCode: text(200),
  /**
   * How many `packUnit` one `unit` holds: a box (unit "BX") of 12 (packQuantity "12") each ("EA").
   * A value of zero or below is ignored by the price comparison.
   */
  packQuantity: quantity.optional(),
  packUnit: text(50),
};

export const optionalText = text;

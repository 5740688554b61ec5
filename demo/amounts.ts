/**
 * Exact amounts for the generator, on top of lib/money.ts. Money is BigInt pence; unit prices are
 * BigInt ten-thousandths of a pound (4 places, the contract's maximum); quantities are whole units.
 */
import { fromScaled } from '../lib/money.ts';

export const MONEY_SCALE = 2;
export const PRICE_SCALE = 4;

/** Pence → "1234.56". */
export function moneyText(pence: bigint): string {
  return fromScaled(pence, MONEY_SCALE);
}

/** A unit price in ten-thousandths → "12.50" (2 places when exact and asked for) or "12.5000". */
export function priceText(tenThousandths: bigint, places: 2 | 4): string {
  if (places === 2 && tenThousandths % 100n === 0n) return fromScaled(tenThousandths / 100n, 2);
  return fromScaled(tenThousandths, PRICE_SCALE);
}

/**
 * quantity × unit price in pence. Prices with more than 2 places are only ever bought in multiples
 * of 100 (litres of fuel), so the product is always a whole number of pence; anything else is a bug.
 */
export function lineNet(quantity: bigint, unitPrice: bigint): bigint {
  const product = quantity * unitPrice;
  if (product % 100n !== 0n)
    throw new RangeError(`${quantity} × ${unitPrice} is not a whole number of pence`);
  return product / 100n;
}

/** `value × percent / 100`, rounded half away from zero (how VAT is rounded on an invoice). */
export function percentOf(value: bigint, percent: bigint): bigint {
  const magnitude = ((value < 0n ? -value : value) * percent + 50n) / 100n;
  return value < 0n ? -magnitude : magnitude;
}

/** `value` scaled by (100 + percent)%, rounded to a multiple of `step` (and never below one step). */
export function adjustByPercent(value: bigint, percent: number, step: bigint): bigint {
  const scaled = (value * BigInt(Math.round((100 + percent) * 100))) / 10_000n;
  const rounded = ((scaled + step / 2n) / step) * step;
  return rounded < step ? step : rounded;
}

export function sum(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

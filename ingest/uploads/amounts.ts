/**
 * Money as councils write it, read into exact pence (BigInt). Accepts `1620.92`, `1940`,
 * `-126.4`, `"9,000.00"`, `£1,268.00`, `£-12.50`, `-£12.50`, `(12.50)`, `12.50-`, `12.50 CR`,
 * `12.50DR`. Never goes through a JS number.
 */

import { fromScaled } from '../../lib/money.ts';

export type AmountResult = { ok: true; pence: bigint } | { ok: false; reason: string };

const CURRENCY_MARKS = /^(?:£|GBP|\$|USD|€|EUR)\s*|\s*(?:£|GBP|\$|USD|€|EUR)$/i;
const PLAIN = /^(\d*)(?:\.(\d*))?$/;
const GROUPED = /^(\d{1,3}(?:,\d{3})+)(?:\.(\d*))?$/;
/**
 * What nearly every cell holds: digits, maybe grouped, maybe a leading minus, at most two
 * decimals, nothing around them. Read at once, it gives what the general path below would.
 */
const SIMPLE = /^(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/;
/** Float artefacts such as 13617821.88999996 carry more digits than a float can mean. */
const MAX_SIGNIFICANT_DIGITS = 15;

/**
 * Parses one amount. `roundToPence` rounds extra decimals half away from zero (for control
 * totals, which are only compared); otherwise more than two meaningful decimals is an error.
 */
export function parseAmount(raw: string, options: { roundToPence?: boolean } = {}): AmountResult {
  const simple = SIMPLE.exec(raw);
  if (simple) {
    const pence =
      BigInt((simple[2] ?? '0').replaceAll(',', '')) * 100n + BigInt((simple[3] ?? '').padEnd(2, '0'));
    return { ok: true, pence: simple[1] && pence !== 0n ? -pence : pence };
  }
  let text = raw.replace(/[\s\u00a0]+/g, ' ').trim();
  if (text === '') return { ok: false, reason: 'empty' };
  let negative = false;
  // Each sign mark (parentheses, CR/DR, a leading or trailing minus, a leading plus) and each
  // currency mark is counted: two of either are refused, never combined. "--12.00", "(-12.00)" or
  // "-12.00 CR" used to read as +12.00 (each minus undoing the other): a silently wrong sign.
  let signMarks = 0;
  let currencyMarks = 0;

  const parenthesised = /^\((.*)\)$/.exec(text);
  if (parenthesised) {
    text = (parenthesised[1] ?? '').trim();
    negative = !negative;
    signMarks++;
  }
  const creditDebit = /^(.*?)\s*(CR|DR)\.?$/i.exec(text);
  if (creditDebit) {
    text = creditDebit[1] ?? '';
    if (creditDebit[2]?.toUpperCase() === 'CR') negative = !negative;
    signMarks++;
  }
  for (let i = 0; i < 4; i++) {
    const before = text;
    const withoutCurrency = text.replace(CURRENCY_MARKS, '').trim();
    if (withoutCurrency !== text) currencyMarks++;
    text = withoutCurrency;
    if (text.startsWith('-') || text.endsWith('-')) {
      text = text.startsWith('-') ? text.slice(1) : text.slice(0, -1);
      negative = !negative;
      signMarks++;
    } else if (text.startsWith('+')) {
      text = text.slice(1);
      signMarks++;
    }
    if (text === before) break;
  }
  if (signMarks > 1) {
    return { ok: false, reason: `more than one sign: ${JSON.stringify(raw.trim().slice(0, 60))}` };
  }
  if (currencyMarks > 1) {
    return { ok: false, reason: `more than one currency mark: ${JSON.stringify(raw.trim().slice(0, 60))}` };
  }

  const match = GROUPED.exec(text) ?? PLAIN.exec(text);
  if (!match || (match[1] === '' && !match[2])) {
    return { ok: false, reason: `not an amount: ${JSON.stringify(raw.trim().slice(0, 60))}` };
  }
  let whole = (match[1] ?? '').replaceAll(',', '') || '0';
  let fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > 2 && `${whole}${fraction}`.replace(/^0+/, '').length > MAX_SIGNIFICANT_DIGITS) {
    [whole, fraction] = roundToSignificant(whole, fraction, MAX_SIGNIFICANT_DIGITS);
  }
  let pence: bigint;
  if (fraction.length <= 2) {
    pence = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  } else if (options.roundToPence) {
    pence = roundHalfUp(whole, fraction);
  } else {
    return {
      ok: false,
      reason: `more than 2 decimal places: ${JSON.stringify(raw.trim().slice(0, 60))}`,
    };
  }
  return { ok: true, pence: negative && pence !== 0n ? -pence : pence };
}

/** Rounds whole.fraction to `significant` digits; returns [whole, fraction] with trailing zeros cut. */
function roundToSignificant(whole: string, fraction: string, significant: number): [string, string] {
  const keep = Math.max(0, significant - whole.replace(/^0+/, '').length);
  if (fraction.length <= keep) return [whole, fraction];
  const roundUp = Number(fraction[keep]) >= 5 ? 1n : 0n;
  const rounded = (BigInt(whole + fraction.slice(0, keep)) + roundUp).toString().padStart(keep + 1, '0');
  const cut = rounded.length - keep;
  return [rounded.slice(0, cut), rounded.slice(cut).replace(/0+$/, '')];
}

function roundHalfUp(whole: string, fraction: string): bigint {
  const base = BigInt(whole) * 100n + BigInt(fraction.slice(0, 2));
  return Number(fraction[2]) >= 5 ? base + 1n : base;
}

/** Pence as an exact decimal string with two places: -12345n → "-123.45". */
export function formatPence(pence: bigint): string {
  return fromScaled(pence, 2);
}

/** A plain decimal (`1325`, `4900.0`, `-1325.00`, as UBL and DuckDB write them) into pence; null when it is not one or has sub-penny digits. */
export function parseDecimalPence(text: string | undefined): bigint | null {
  if (text === undefined) return null;
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > 2) return null;
  const pence = BigInt(match[2] ?? '0') * 100n + BigInt(fraction.padEnd(2, '0'));
  return match[1] ? -pence : pence;
}

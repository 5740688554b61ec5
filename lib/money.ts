/**
 * Exact money. Amounts travel as decimal strings ("-1234.56"), are summed as BigInt in
 * minor units, and are stored as DECIMAL in DuckDB. A JS number never holds money.
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string into a BigInt scaled by 10^scale; throws on more decimals than `scale`. */
export function toScaled(value: string, scale: number): bigint {
  const match = DECIMAL.exec(value);
  if (!match) throw new RangeError(`not a decimal number: ${JSON.stringify(value)}`);
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > scale) throw new RangeError(`more than ${scale} decimal places: ${value}`);
  const scaled = BigInt(whole + fraction.padEnd(scale, '0'));
  return sign ? -scaled : scaled;
}

/** Like toScaled, but null for anything that is not a decimal with at most `scale` places. */
export function tryScaled(value: string | undefined, scale: number): bigint | null {
  if (value === undefined) return null;
  try {
    return toScaled(value, scale);
  } catch {
    return null;
  }
}

/** Formats a BigInt scaled by 10^scale as a decimal string with exactly `scale` places. */
export function fromScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

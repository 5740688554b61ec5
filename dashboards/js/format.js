/**
 * Pure formatting helpers. Money arrives as exact decimal strings ("-1234.5", "12.34567"): it is
 * grouped and rounded as text and summed as BigInt, never through floating point.
 */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** A decimal string as [negative, integer digits, fraction digits], or null when it is not one. */
function parts(value) {
  const match = DECIMAL.exec(String(value ?? '').trim());
  if (!match) return null;
  return { negative: match[1] === '-', whole: match[2].replace(/^0+(?=\d)/, ''), fraction: match[3] ?? '' };
}

/** The decimal string as a BigInt scaled by 10^scale, rounded half away from zero. */
export function toScaled(value, scale) {
  const p = parts(value);
  if (!p) throw new Error(`not a decimal: ${value}`);
  const fraction = p.fraction.padEnd(scale + 1, '0');
  let scaled = BigInt(p.whole + fraction.slice(0, scale));
  if (Number(fraction[scale]) >= 5) scaled += 1n;
  return p.negative ? -scaled : scaled;
}

/** A scaled BigInt back to a decimal string with `scale` digits after the point. */
export function fromScaled(scaled, scale) {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative && /[1-9]/.test(digits) ? '-' : ''}${whole}${fraction}`;
}

/** An unscaled integer string (Arrow's Decimal) with its scale applied: ("-123456", 2) → "-1234.56". */
export function applyScale(unscaled, scale) {
  return fromScaled(BigInt(unscaled), scale);
}

/** The exact sum of decimal strings (blank and null count as nothing), with the widest scale given. */
export function sumDecimals(values) {
  const present = values.filter((v) => v !== null && v !== undefined && v !== '');
  const scale = Math.max(0, ...present.map((v) => parts(v)?.fraction.length ?? 0));
  return fromScaled(
    present.reduce((sum, v) => sum + toScaled(v, scale), 0n),
    scale,
  );
}

/** Orders two decimal strings exactly (for sorting money). */
export function compareDecimals(a, b) {
  const scale = Math.max(parts(a)?.fraction.length ?? 0, parts(b)?.fraction.length ?? 0);
  const x = toScaled(a, scale);
  const y = toScaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

const group = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** "1234567.805" → "£1,234,567.81"; "-5" → "-£5.00"; blank or null → "–". */
export function formatMoney(value, decimals = 2) {
  if (value === null || value === undefined || value === '') return '–';
  const p = parts(value);
  if (!p) return String(value);
  const text = fromScaled(toScaled(value, decimals), decimals);
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.');
  return `${negative ? '-' : ''}£${group(whole)}${fraction ? `.${fraction}` : ''}`;
}

/** Large amounts for chart axes and tiles: "£1.2m", "£350k", "£900". */
export function formatMoneyShort(value) {
  if (value === null || value === undefined || value === '') return '–';
  const n = Number(value);
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a >= 1e9) return `${sign}£${(a / 1e9).toFixed(1)}bn`;
  if (a >= 1e6) return `${sign}£${(a / 1e6).toFixed(1)}m`;
  if (a >= 1e3) return `${sign}£${(a / 1e3).toFixed(0)}k`;
  return `${sign}£${a.toFixed(0)}`;
}

/** Whole counts with thousands separators (numbers, BigInts or digit strings). */
export function formatCount(value) {
  if (value === null || value === undefined || value === '') return '–';
  const text = String(value);
  return /^-?\d+$/.test(text) ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : text;
}

export function formatPercent(value, decimals = 1) {
  if (value === null || value === undefined || value === '') return '–';
  return `${Number(value).toFixed(decimals)}%`;
}

/** "2024-03-01" (or a timestamp) → "1 Mar 2024"; months as "Mar 2024". */
export function formatDate(value) {
  if (!value) return '–';
  const date = new Date(typeof value === 'number' ? value : String(value).replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

export function formatMonth(value) {
  if (!value) return '–';
  const date = new Date(`${String(value).slice(0, 7)}-01T00:00:00Z`);
  return date.toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export function formatDateTime(value) {
  if (!value) return '–';
  const date = new Date(typeof value === 'number' ? value : String(value).replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
}

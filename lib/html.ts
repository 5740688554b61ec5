/**
 * Printable pages (the savings statement, the partnership report): escaping text for HTML and
 * writing pounds, grouping the decimal text itself, never through a float.
 */

export const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** £1234567.80 → £1,234,567.80 (grouping the decimal text, never through a number). */
export function formatPounds(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const text = String(value);
  const negative = text.startsWith('-');
  const [whole = '0', fraction = '00'] = text.replace('-', '').split('.');
  return `${negative ? '−' : ''}£${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${fraction}`;
}

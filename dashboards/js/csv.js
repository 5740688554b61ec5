/**
 * CSV export of a table as the user sees it (sorted), RFC 4180 quoting, CRLF lines. Text cells a
 * spreadsheet would run as a formula (starting = + - @, tab or CR) get a leading ', as the API's
 * own CSV does; numeric columns are never altered, so -126.40 stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value, numeric) {
  if (value === null || value === undefined) return '';
  let text = Array.isArray(value) ? value.join('; ') : String(value);
  if (!numeric && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** columns: [{key, label, numeric?}]; rows: objects. */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => cell(c.label ?? c.key, false)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c.key], Boolean(c.numeric))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

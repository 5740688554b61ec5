/**
 * Writing CSV that is safe to open in a spreadsheet: every cell quoted, and a cell that a
 * spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) prefixed with an
 * apostrophe, so uploaded text such as `=cmd|' /C calc'!A0` is shown, never evaluated.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  const safe = FORMULA_START.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

export function csvLine(values: (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

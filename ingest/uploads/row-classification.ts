/**
 * What a spreadsheet row is before anything is taken from it: spend, or one of the rows that
 * are skipped and counted (blank, a repeated header, a total, a report-marker row). Totals are
 * recognised by a label standing alone in a cell ("Total", "Grand Total", "Total For Period")
 * and no date, or by an amount with neither supplier nor date (Bury's unlabelled last row);
 * a supplier such as "TOTAL TOTS LTD" is not a label.
 */
import type { ColumnMapping } from './field-mapping.ts';
import { normaliseHeader } from './field-mapping.ts';

export type RowKind = 'blank' | 'header' | 'total' | 'marker' | 'data';
export type SkippedKind = Exclude<RowKind, 'data'> | 'preamble';

const TOTAL_LABEL =
  /^(?:(?:grand|overall|report|period|net|sub|page)[\s-]*)?totals?:?$|^totals?\s+(?:for|of)\b|^(?:grand|overall|report)\s+total\b/i;
/** Unit4-style report rows: `*` header and blank lines, `h.*` headings, `SET`/`FORMAT` lines. */
const NON_DATA_MARKER = /\*|^(?:set|format|h|hdr|header|title)\b/i;

export type RowLayout = {
  fields: ColumnMapping;
  /** The header row's cells, normalised, to recognise it when it repeats. */
  normalisedHeader: string[];
};

const cellAt = (cells: string[], column: number | undefined) =>
  column === undefined ? '' : (cells[column] ?? '').trim();

export function classifyRow(cells: string[], layout: RowLayout): RowKind {
  const { fields } = layout;
  const markerColumn = fields.marker;
  if (isBlank(cells, markerColumn)) return 'blank';
  if (isRepeatedHeader(cells, layout.normalisedHeader)) return 'header';
  if (isTotal(cells, fields)) return 'total';
  if (markerColumn !== undefined && NON_DATA_MARKER.test(cellAt(cells, markerColumn))) return 'marker';
  return 'data';
}

// Loops rather than every/some with closures, and no Set: these run on every row of the file.
// Like every/some, they pass over the holes of a sparse row.

function isBlank(cells: string[], markerColumn: number | undefined): boolean {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell !== undefined && i !== markerColumn && cell.trim() !== '') return false;
  }
  return true;
}

function isRepeatedHeader(cells: string[], header: string[]): boolean {
  let compared = 0;
  for (let i = 0; i < header.length; i++) {
    const expected = header[i] ?? '';
    if (expected === '') continue;
    if (normalisedCell(cells[i] ?? '') !== expected) return false;
    compared++;
  }
  return compared >= 2;
}

/**
 * normaliseHeader of a cell, remembered: every row is compared with the header, and the first
 * column compared (a body name, a service area) mostly repeats a few values. Bounded, and
 * only short cells are kept.
 */
const normalisedCells = new Map<string, string>();

function normalisedCell(cell: string): string {
  if (cell.length > 100) return normaliseHeader(cell);
  let normalised = normalisedCells.get(cell);
  if (normalised === undefined) {
    if (normalisedCells.size >= 4096) normalisedCells.clear();
    normalised = normaliseHeader(cell);
    normalisedCells.set(cell, normalised);
  }
  return normalised;
}

function isTotal(cells: string[], fields: ColumnMapping): boolean {
  const date = cellAt(cells, fields.paymentDate) || cellAt(cells, fields.invoiceDate);
  if (date === '' && hasTotalLabel(cells, fields)) return true;
  const amount = cellAt(cells, fields.netAmount) || cellAt(cells, fields.grossAmount);
  const supplier = cellAt(cells, fields.supplierName);
  const hasDateColumn = fields.paymentDate !== undefined || fields.invoiceDate !== undefined;
  return (
    amount !== '' && supplier === '' && date === '' && hasDateColumn && fields.supplierName !== undefined
  );
}

/** A cell other than an amount holds a total label alone. */
function hasTotalLabel(cells: string[], fields: ColumnMapping): boolean {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === undefined || i === fields.netAmount || i === fields.grossAmount || i === fields.vatAmount)
      continue;
    if (TOTAL_LABEL.test(cell.trim())) return true;
  }
  return false;
}

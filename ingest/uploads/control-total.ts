/**
 * A file's own total row, read in net terms the same way as its rows' net amounts, so that the
 * accepted rows can be reconciled with it to the penny (tally.ts keeps the last one).
 */
import { parseAmount } from './amounts.ts';
import type { ColumnMapping } from './field-mapping.ts';
import type { AmountBasis } from './row-to-invoice.ts';

export type ControlTotalRow = { pence: bigint; label: string; note?: string };

/** The total a total row states, or null when its amount cell holds no amount. */
export function readControlTotal(
  cells: string[],
  fields: ColumnMapping,
  basis: AmountBasis,
): ControlTotalRow | null {
  const mainColumn = basis === 'net' ? fields.netAmount : fields.grossAmount;
  const read = (column: number | undefined) =>
    column === undefined ? null : parseAmount(cells[column] ?? '', { roundToPence: true });
  const main = read(mainColumn);
  if (!main?.ok) return null;
  let pence = main.pence;
  if (basis === 'gross-minus-vat') {
    const vat = read(fields.vatAmount);
    if (vat?.ok) pence -= vat.pence;
  }
  const amountColumns = new Set([fields.netAmount, fields.grossAmount, fields.vatAmount]);
  const label = cells
    .find((cell, i) => !amountColumns.has(i) && cell.trim() !== '' && cell.trim() !== '*')
    ?.trim();
  const rawMain = (cells[mainColumn ?? -1] ?? '').trim();
  // A total written with more decimals than pence (Bury's float artefact) is rounded to compare.
  const exact = parseAmount(rawMain);
  const note = exact.ok ? undefined : `written as ${rawMain}: compared to the penny`;
  return { pence, label: label ?? '(unlabelled total row)', ...(note ? { note } : {}) };
}

/**
 * Stable document ids for spreadsheet rows. The Kafka key `<bodyId>:<invoiceId>` decides what
 * supersedes what, so ids must be the same every time the same file is uploaded, and distinct
 * for every row that must count:
 *
 * - With a transaction number: the number itself, then `#2`, `#3`… for further rows of the
 *   file that share it (one payment split over several lines: every line counts). With a line
 *   number column as well: `<number>/<line>`.
 * - Without one (Lancashire's column is empty on every row): `row-` + a digest of the RAW row
 *   (every cell as read, not our mapped fields, so correcting a mapping and uploading again
 *   gives the same ids) and, from the second identical row on, `#2`, `#3`… so that genuine
 *   repeats are all kept.
 */
import * as crypto from 'node:crypto';

const MAX_ID_LENGTH = 200;

export class RowIdAllocator {
  private readonly seen = new Map<string, number>();

  /** The id of the next row: from its transaction (and line) number when it has one, else its raw cells. */
  next(rawCells: string[], transactionNumber?: string, lineNumber?: string): string {
    const base = transactionNumber
      ? (lineNumber ? `${transactionNumber}/${lineNumber}` : transactionNumber).slice(0, MAX_ID_LENGTH - 12)
      : `row-${rawRowDigest(rawCells)}`;
    const occurrence = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, occurrence);
    return occurrence === 1 ? base : `${base}#${occurrence}`;
  }
}

/** A digest of the row's cells as read; trailing empty cells are dropped (a re-export may lose them). */
export function rawRowDigest(cells: string[]): string {
  let end = cells.length;
  while (end > 0 && (cells[end - 1] ?? '') === '') end--;
  return sha256Base64url(cells.slice(0, end).join('\u001f')).slice(0, 22);
}

/**
 * The one-shot crypto.hash (Node ≥ 20.12) is about twice as fast as a Hash object for a row's
 * worth of text, and gives the same digest; older Nodes (engines: ≥ 20.6) use the object.
 */
const sha256Base64url: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url');

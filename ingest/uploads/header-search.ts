/**
 * Finding a table's header row. It is looked for row by row: a row whose layout has a saved
 * mapping, or one that reads as a header. Rows before it are held until it is found
 * (Blackpool's December header sits mid-file, sorted among the data) and then read like the
 * rest; their number is bounded.
 */
import { type SourceRow, TOO_LONG_LINE } from './csv-reader.ts';
import { headerFingerprint, looksLikeHeader, type SavedMapping } from './field-mapping.ts';
import { UploadFileError } from './upload-contract.ts';
import type { WorkbookSheet } from './xlsx-reader.ts';

/** A header row: one whose layout has a saved mapping, or one that reads as a header. */
export function isHeaderRow(cells: string[], saved: Map<string, SavedMapping>): boolean {
  if (cells[0]?.startsWith(TOO_LONG_LINE)) return false;
  return saved.has(headerFingerprint(cells)) || looksLikeHeader(cells);
}

/** The first sheet with a header row in its first `rowsToLook` rows. */
export function sheetWithHeader(
  sheets: WorkbookSheet[],
  saved: Map<string, SavedMapping>,
  rowsToLook = Number.POSITIVE_INFINITY,
): WorkbookSheet | undefined {
  return sheets.find((sheet) => sheet.rows.slice(0, rowsToLook).some((r) => isHeaderRow(r.cells, saved)));
}

export type FoundHeader = {
  header: SourceRow;
  /** The body's saved mapping for this layout, if any. */
  saved: SavedMapping | undefined;
  /** The rows that came before the header, in order. */
  before: SourceRow[];
};

export class HeaderSearch {
  private held: SourceRow[] = [];
  private rowsSeen = 0;

  constructor(
    private readonly saved: Map<string, SavedMapping>,
    private readonly maxRowsBeforeHeader: number,
  ) {}

  /** The header when `row` is it; otherwise the row is held (throws when too many are). */
  offer(row: SourceRow): FoundHeader | null {
    this.rowsSeen++;
    if (isHeaderRow(row.cells, this.saved)) {
      const before = this.held;
      this.held = [];
      return { header: row, saved: this.saved.get(headerFingerprint(row.cells)), before };
    }
    this.held.push(row);
    if (this.held.length > this.maxRowsBeforeHeader) {
      throw new UploadFileError(
        `no header row in the first ${this.maxRowsBeforeHeader.toLocaleString('en-GB')} rows`,
      );
    }
    return null;
  }

  /** Why the file has no table: no rows at all, or no header among them. */
  notFound(): UploadFileError {
    return new UploadFileError(
      this.rowsSeen === 0
        ? 'the file has no rows'
        : `no header row found in ${this.rowsSeen.toLocaleString('en-GB')} rows: expected column names such as "Supplier Name", "Payment Date" and "Amount" (a body can save a mapping for its own layout: spend mapping save)`,
    );
  }
}

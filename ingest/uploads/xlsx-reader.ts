/**
 * Excel workbooks (.xlsx) as rows of text cells, read with read-excel-file (maintained, no
 * open advisories; exceljs 4.4.0 drags in uuid and tmp versions that have some). Cells are
 * read as their stored VALUES: a formula cell gives its cached result, never its formula, and
 * text that merely starts with "=" stays text. Numbers keep their stored digits (no float
 * round trip); cells formatted as dates become YYYY-MM-DD. The whole workbook is read into
 * memory, so its size is bounded by the caller, and what its parts declare they unpack to is
 * bounded here (a small ZIP can claim gigabytes: a decompression bomb).
 */
import readXlsxFile from 'read-excel-file/node';
import type { SourceRow } from './csv-reader.ts';

export type WorkbookSheet = { name: string; rows: SourceRow[] };

export class WorkbookError extends Error {
  override name = 'WorkbookError';
}

/** The most the workbook's parts may declare they unpack to, together. */
const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

export async function readWorkbook(bytes: Buffer): Promise<WorkbookSheet[]> {
  const declared = declaredUnpackedBytes(bytes);
  if (declared !== null && declared > MAX_UNPACKED_BYTES) {
    throw new WorkbookError(
      `the XLSX workbook says it unpacks to ${declared.toLocaleString('en-GB')} bytes, over the ${MAX_UNPACKED_BYTES.toLocaleString('en-GB')}-byte limit`,
    );
  }
  let sheets: Awaited<ReturnType<typeof readXlsxFile<string>>>;
  try {
    sheets = await readXlsxFile<string>(bytes, { parseNumber: (digits) => digits, trim: false });
  } catch (error) {
    throw new WorkbookError(
      `the XLSX workbook cannot be read: it is damaged or cut short (${(error as Error).message})`,
      { cause: error },
    );
  }
  return sheets.map((sheet) => ({
    name: sheet.sheet,
    rows: sheet.data.map((cells, i) => ({ row: i + 1, cells: cells.map(cellText) })),
  }));
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

/**
 * The uncompressed sizes the ZIP central directory declares, summed; null when there is no
 * readable directory (a cut-short file, which the reader then reports as damaged). ZIP64
 * entries (sizes too big for 32 bits) count as over any limit.
 */
function declaredUnpackedBytes(zip: Buffer): number | null {
  const END_OF_DIRECTORY = 0x06054b50;
  const DIRECTORY_ENTRY = 0x02014b50;
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  let end = -1;
  for (let at = zip.length - 22; at >= earliest; at--) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) return null;
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== DIRECTORY_ENTRY) return null;
    const size = zip.readUInt32LE(at + 24);
    if (size === 0xffffffff) return Number.POSITIVE_INFINITY;
    total += size;
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return total;
}

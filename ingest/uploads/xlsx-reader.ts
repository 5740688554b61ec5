/**
 * Excel workbooks (.xlsx) as rows of text cells, read with read-excel-file (maintained, no
 * open advisories; exceljs 4.4.0 drags in uuid and tmp versions that have some). Cells are
 * read as their stored VALUES: a formula cell gives its cached result, never its formula, and
 * text that merely starts with "=" stays text. Numbers keep their stored digits (no float
 * round trip); cells formatted as dates become YYYY-MM-DD.
 *
 * The whole workbook is read into memory, so it is bounded before the reader sees it, by what
 * it REALLY unpacks to, not what it says: every part is first inflated in small steps with
 * fflate, its output counted and dropped, and the archive is refused as soon as the count
 * passes the limit (a 0.5 MB file that unpacks to 150 MB is stopped early, in bounded memory),
 * or when its central directory disagrees with its contents (a directory that lies about
 * sizes is how a bomb hides from a size check). Rows are bounded too.
 */
import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate';
import readXlsxFile from 'read-excel-file/node';
import type { SourceRow } from './csv-reader.ts';
import { WorkbookError } from './reader-errors.ts';

export { WorkbookError };

export type WorkbookSheet = { name: string; rows: SourceRow[] };

export type WorkbookLimits = {
  /** The most a workbook may really unpack to. */
  maxUnpackedBytes: number;
  /** The most it may unpack to per byte of archive (past the first MIN_RATIO_BYTES). */
  maxUnpackRatio: number;
  /** The most rows, all sheets together. */
  maxRows: number;
};

export const DEFAULT_WORKBOOK_LIMITS: WorkbookLimits = {
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxUnpackRatio: 100,
  maxRows: 5_000_000,
};

/** Below this, any ratio is allowed: small workbooks of repeated cells compress very well. */
const MIN_RATIO_BYTES = 16 * 1024 * 1024;
/** Bytes of archive fed to the inflater at a time: what one step can unpack is bounded by it. */
const FEED_BYTES = 16 * 1024;

const n = (value: number) => value.toLocaleString('en-GB');

export async function readWorkbook(
  bytes: Buffer,
  limits: WorkbookLimits = DEFAULT_WORKBOOK_LIMITS,
): Promise<WorkbookSheet[]> {
  const directory = readDirectory(bytes);
  const declared = directory === null ? null : [...directory.values()].reduce((a, b) => a + b, 0);
  if (declared !== null && declared > limits.maxUnpackedBytes) {
    throw new WorkbookError(
      `the XLSX workbook says it unpacks to ${n(declared)} bytes, over the ${n(limits.maxUnpackedBytes)}-byte limit (SPEND_UPLOAD_MAX_UNPACKED_BYTES)`,
    );
  }
  if (directory !== null) checkRealUnpacking(bytes, directory, limits);
  let sheets: Awaited<ReturnType<typeof readXlsxFile<string>>>;
  try {
    sheets = await readXlsxFile<string>(bytes, { parseNumber: (digits) => digits, trim: false });
  } catch (error) {
    throw new WorkbookError(
      `the XLSX workbook cannot be read: it is damaged or cut short (${(error as Error).message})`,
      { cause: error },
    );
  }
  const rows = sheets.reduce((sum, sheet) => sum + sheet.data.length, 0);
  if (rows > limits.maxRows) {
    throw new WorkbookError(
      `the XLSX workbook holds ${n(rows)} rows, over the ${n(limits.maxRows)}-row limit (SPEND_UPLOAD_MAX_ROWS)`,
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
 * Inflates every part, counting the bytes it really gives and keeping none, and compares each
 * part with what the central directory declares. Throws at the first limit passed.
 */
function checkRealUnpacking(zip: Buffer, directory: Map<string, number>, limits: WorkbookLimits): void {
  const ratioCap = Math.max(MIN_RATIO_BYTES, limits.maxUnpackRatio * zip.length);
  const cap = Math.min(limits.maxUnpackedBytes, ratioCap);
  const capName =
    cap === limits.maxUnpackedBytes
      ? `the ${n(cap)}-byte limit (SPEND_UPLOAD_MAX_UNPACKED_BYTES)`
      : `${n(cap)} bytes, ${n(limits.maxUnpackRatio)} times the archive's size (SPEND_UPLOAD_MAX_UNPACK_RATIO)`;
  let total = 0;
  let failure: WorkbookError | null = null;
  const unpacked = new Map<string, number>();
  const unzip = new Unzip((file) => {
    let size = 0;
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        failure = new WorkbookError(
          `the XLSX workbook cannot be read: part ${file.name} is damaged (${error.message})`,
        );
        return;
      }
      size += chunk.length;
      total += chunk.length;
      if (total > cap) {
        failure = new WorkbookError(
          `the XLSX workbook unpacks to more than ${capName}: refused after ${n(total)} bytes (a decompression bomb?)`,
        );
        file.terminate();
        return;
      }
      if (final && !file.name.endsWith('/')) unpacked.set(file.name, size);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  try {
    for (let at = 0; at < zip.length && !failure; at += FEED_BYTES) {
      unzip.push(zip.subarray(at, at + FEED_BYTES), at + FEED_BYTES >= zip.length);
    }
  } catch (error) {
    failure ??= new WorkbookError(
      `the XLSX workbook cannot be read: it is damaged or cut short (${(error as Error).message})`,
    );
  }
  if (failure) throw failure;
  for (const [name, declared] of directory) {
    const real = unpacked.get(name);
    if (real === undefined || real !== declared) {
      throw new WorkbookError(
        `the XLSX workbook's directory does not match its contents: it says ${name} unpacks to ${n(declared)} bytes, but ${real === undefined ? 'that part is not in the archive' : `it unpacks to ${n(real)}`}; refused`,
      );
    }
  }
  for (const name of unpacked.keys()) {
    if (!directory.has(name)) {
      throw new WorkbookError(`the XLSX workbook's directory does not list its part ${name}; refused`);
    }
  }
}

/**
 * The parts the ZIP central directory lists, with the uncompressed size it declares for each;
 * null when there is no readable directory (a cut-short file, which the reader then reports as
 * damaged). ZIP64 entries (sizes too big for 32 bits) count as over any limit.
 */
function readDirectory(zip: Buffer): Map<string, number> | null {
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
  const parts = new Map<string, number>();
  for (let i = 0; i < entries; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== DIRECTORY_ENTRY) return null;
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    // Folder entries hold nothing.
    if (!name.endsWith('/')) parts.set(name, size === 0xffffffff ? Number.POSITIVE_INFINITY : size);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return parts;
}

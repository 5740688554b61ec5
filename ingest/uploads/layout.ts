/**
 * A file's layout without uploading it: where its header row is, the mapping detected from it,
 * and the mapping the body saved for it if any. `spend mapping show|save` (and later the
 * upload page) use this to show the detected mapping and let a body correct it.
 */
import { readDelimitedRows, type SourceRow } from './csv-reader.ts';
import { decodeText } from './encoding.ts';
import {
  applySavedMapping,
  detectMapping,
  headerFingerprint,
  MAPPED_FIELDS,
  type MappedField,
  type Mapping,
  normaliseHeader,
  resolveColumn,
  type SavedMapping,
  toSavedMapping,
} from './field-mapping.ts';
import { sniffFileKind } from './file-type.ts';
import { isHeaderRow, sheetWithHeader } from './header-search.ts';
import { checkMappingByValues, SAMPLE_ROWS } from './mapping-by-values.ts';
import { classifyRow } from './row-classification.ts';
import { amountBasis } from './row-to-invoice.ts';
import { scanSource } from './scan.ts';
import { DEFAULT_LIMITS, UploadFileError, type UploadSource } from './upload-contract.ts';

export type Layout = {
  headerRow: number;
  header: string[];
  fingerprint: string;
  detected: Mapping;
  saved: Mapping | null;
  /** Where the values contradict the mapping used (an upload of the file would stop). */
  problems: string[];
  sheet?: string;
};

/** Finds the header row, or takes row `headerRow` as the header when told (a layout no synonym matches). */
export async function findLayout(
  source: UploadSource,
  saved: Map<string, SavedMapping>,
  headerRow?: number,
): Promise<Layout> {
  const scan = await scanSource(source);
  const kind = sniffFileKind(scan.head, scan.bytes);
  if (kind.kind === 'refused') throw new UploadFileError(kind.reason);
  if (kind.kind === 'xml')
    throw new UploadFileError('a Peppol XML document has a fixed layout: there is no mapping to set');
  let rows: AsyncIterable<SourceRow> | Iterable<SourceRow>;
  let sheet: string | undefined;
  if (kind.kind === 'xlsx') {
    const chunks: Buffer[] = [];
    for await (const chunk of source.open() as AsyncIterable<Buffer>) chunks.push(chunk);
    const { readWorkbook } = await import('./xlsx-reader.ts'); // loaded only for a workbook
    const sheets = await readWorkbook(Buffer.concat(chunks));
    const withHeader = headerRow === undefined ? sheetWithHeader(sheets, saved) : sheets[0];
    rows = withHeader?.rows ?? [];
    sheet = withHeader?.name;
  } else {
    rows = readDelimitedRows(decodeText(source.open() as AsyncIterable<Buffer>, scan.encoding), {
      maxLineChars: DEFAULT_LIMITS.maxLineChars,
    });
  }
  let seen = 0;
  let found: SourceRow | null = null;
  const samples: SourceRow[] = [];
  for await (const row of rows) {
    if (found) {
      samples.push(row);
      if (samples.length >= SAMPLE_ROWS) break;
    } else if (headerRow === undefined ? isHeaderRow(row.cells, saved) : row.row === headerRow) {
      found = row;
    } else {
      samples.push(row);
      if (samples.length > SAMPLE_ROWS) samples.shift();
      if (++seen > DEFAULT_LIMITS.maxRowsBeforeHeader) break;
    }
  }
  if (found) {
    // Checked by the values of the rows around the header, as an upload checks it.
    const header = found.cells;
    const fingerprint = headerFingerprint(header);
    const savedMapping = saved.get(fingerprint);
    const rowLayout = (mapping: Mapping) => ({
      fields: mapping.fields,
      normalisedHeader: header.map(normaliseHeader),
    });
    const check = (mapping: Mapping) =>
      checkMappingByValues(
        header,
        mapping,
        samples.filter((r) => classifyRow(r.cells, rowLayout(mapping)) === 'data').map((r) => r.cells),
      );
    const detected = check(detectMapping(header));
    const savedChecked = savedMapping ? check(applySavedMapping(header, savedMapping)) : null;
    return {
      headerRow: found.row,
      header,
      fingerprint,
      detected: detected.mapping,
      saved: savedChecked?.mapping ?? null,
      problems: (savedChecked ?? detected).problems,
      ...(sheet ? { sheet } : {}),
    };
  }
  throw new UploadFileError(
    headerRow === undefined
      ? 'no header row found: expected column names such as "Supplier Name", "Payment Date" and "Amount" (name the header row with --header-row N)'
      : `the file has no row ${headerRow}`,
  );
}

/**
 * A corrected mapping: `changes` set fields to columns (by header text or `#N`) or, with a null
 * column, remove them. Throws naming what is wrong; the result must still have an amount, a
 * supplier and a date.
 */
export function correctMapping(
  layout: Layout,
  base: Mapping,
  changes: { field: string; column: string | null }[],
): SavedMapping {
  const fields = { ...toSavedMapping(layout.header, base).fields };
  for (const change of changes) {
    if (!(MAPPED_FIELDS as readonly string[]).includes(change.field)) {
      throw new UploadFileError(`unknown field "${change.field}": one of ${MAPPED_FIELDS.join(', ')}`);
    }
    const field = change.field as MappedField;
    if (change.column === null) {
      delete fields[field];
      continue;
    }
    if (resolveColumn(layout.header, change.column) === null) {
      throw new UploadFileError(`no column "${change.column}" in the header (row ${layout.headerRow})`);
    }
    fields[field] = change.column;
  }
  const mapping = { fields };
  const applied = applySavedMapping(layout.header, mapping);
  const missing = [
    amountBasis(applied.fields) === null && 'netAmount or grossAmount',
    applied.fields.supplierName === undefined && 'supplierName',
    applied.fields.paymentDate === undefined &&
      applied.fields.invoiceDate === undefined &&
      'paymentDate or invoiceDate',
  ].filter(Boolean);
  if (missing.length > 0) throw new UploadFileError(`the mapping needs a column for ${missing.join(', ')}`);
  return mapping;
}

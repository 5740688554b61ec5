/**
 * A table's layout, decided from its header row: which column holds which field (detected,
 * or the body's saved mapping), where net amounts come from, and what the file's date means.
 * The mapping is checked against the first rows' values (mapping-by-values.ts). A header
 * without an amount, a supplier or a date, or values that contradict the mapping with nothing
 * better to fit, are refused here, before anything is sent.
 */
import type { SourceRow } from './csv-reader.ts';
import {
  applySavedMapping,
  detectMapping,
  headerFingerprint,
  type Mapping,
  mappingDigest,
  normaliseHeader,
  type SavedMapping,
} from './field-mapping.ts';
import { checkMappingByValues } from './mapping-by-values.ts';
import type { UploadReport } from './report.ts';
import { classifyRow } from './row-classification.ts';
import { type AmountBasis, amountBasis, amountBasisText } from './row-to-invoice.ts';
import { UploadFileError } from './upload-contract.ts';

export type TableLayout = {
  header: string[];
  mapping: Mapping;
  basis: AmountBasis;
  /** Which date field the tally counts a row's month by. */
  dateField: 'paymentDate' | 'invoiceDate';
  fingerprint: string;
  digest: string;
  /** What the report says about the layout. */
  report: Pick<UploadReport, 'headerRow' | 'mapping' | 'dateField' | 'amountBasis'>;
};

/** The values contradict the mapping: the upload stops, and the report shows what was found. */
export class MappingContradiction extends UploadFileError {
  constructor(
    message: string,
    readonly report: TableLayout['report'],
  ) {
    super(message);
  }
}

/**
 * The layout from the header row and sample rows (rows near the header, in file order; those
 * that are not spend, such as totals and blank lines, are left out of the check).
 */
export function decideLayout(
  headerRow: SourceRow,
  saved: SavedMapping | undefined,
  samples: SourceRow[] = [],
): TableLayout {
  const header = headerRow.cells;
  let byHeaders: Mapping;
  try {
    byHeaders = saved ? applySavedMapping(header, saved) : detectMapping(header);
  } catch (error) {
    throw new UploadFileError(`row ${headerRow.row}: ${(error as Error).message}`);
  }
  const rowLayout = { fields: byHeaders.fields, normalisedHeader: header.map(normaliseHeader) };
  const dataRows = samples.filter((r) => classifyRow(r.cells, rowLayout) === 'data').map((r) => r.cells);
  const checked = checkMappingByValues(header, byHeaders, dataRows);
  const mapping = checked.mapping;
  const { fields } = mapping;
  const basis = amountBasis(fields);
  const missing = [
    basis === null && 'an amount (e.g. "Amount", "Net Amount", "Gross")',
    fields.supplierName === undefined && 'a supplier (e.g. "Supplier Name", "Beneficiary")',
    fields.paymentDate === undefined &&
      fields.invoiceDate === undefined &&
      'a date (e.g. "Payment Date", "Date")',
  ].filter(Boolean);
  if (missing.length > 0 || basis === null) {
    throw new UploadFileError(`row ${headerRow.row}: the header has no column for ${missing.join(', ')}`);
  }
  const fingerprint = headerFingerprint(header);
  const digest = mappingDigest(mapping);
  const dateChoice =
    mapping.choices.find((c) => c.field === 'paymentDate') ??
    mapping.choices.find((c) => c.field === 'invoiceDate');
  const report: TableLayout['report'] = {
    headerRow: headerRow.row,
    mapping: {
      source: mapping.source,
      fingerprint,
      digest,
      fields: mapping.choices,
      unused: mapping.unused,
      ...(checked.settled.length > 0 ? { settledByValues: checked.settled } : {}),
    },
    amountBasis: amountBasisText(basis, header, fields),
  };
  if (dateChoice) {
    report.dateField = {
      field: dateChoice.field as 'paymentDate' | 'invoiceDate',
      column: dateChoice.header,
      meaning: dateChoice.meaning ?? (dateChoice.field === 'invoiceDate' ? 'invoice date' : 'payment date'),
    };
  }
  if (checked.problems.length > 0) {
    throw new MappingContradiction(
      `row ${headerRow.row}: the values contradict the ${mapping.source} mapping, so nothing was sent: ${checked.problems.join('; ')}. Check the file, or save the mapping that fits this layout (spend mapping save FILE --body BODY --set field="Column") and upload again`,
      report,
    );
  }
  return {
    header,
    mapping,
    basis,
    dateField: dateChoice?.field === 'invoiceDate' ? 'invoiceDate' : 'paymentDate',
    fingerprint,
    digest,
    report,
  };
}

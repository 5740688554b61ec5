/**
 * A table's layout, decided from its header row: which column holds which field (detected,
 * or the body's saved mapping), where net amounts come from, and what the file's date means.
 * A header without an amount, a supplier or a date is refused here, before anything is sent.
 */
import type { SourceRow } from './csv-reader.ts';
import {
  applySavedMapping,
  detectMapping,
  headerFingerprint,
  type Mapping,
  mappingDigest,
  type SavedMapping,
} from './field-mapping.ts';
import type { UploadReport } from './report.ts';
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

export function decideLayout(headerRow: SourceRow, saved: SavedMapping | undefined): TableLayout {
  const header = headerRow.cells;
  let mapping: Mapping;
  try {
    mapping = saved ? applySavedMapping(header, saved) : detectMapping(header);
  } catch (error) {
    throw new UploadFileError(`row ${headerRow.row}: ${(error as Error).message}`);
  }
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
    mapping: { source: mapping.source, fingerprint, digest, fields: mapping.choices, unused: mapping.unused },
    amountBasis: amountBasisText(basis, header, fields),
  };
  if (dateChoice) {
    report.dateField = {
      field: dateChoice.field as 'paymentDate' | 'invoiceDate',
      column: dateChoice.header,
      meaning: dateChoice.meaning ?? (dateChoice.field === 'invoiceDate' ? 'invoice date' : 'payment date'),
    };
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

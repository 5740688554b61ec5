/**
 * The finished report of an upload, built from its tally (tally.ts), what was learnt about the
 * file while reading it (format, mapping, date field, amount basis) and the row counters.
 */
import { formatPence } from './amounts.ts';
import type { UploadReport, UploadStatus } from './report.ts';
import type { RowCounters } from './row-to-invoice.ts';
import type { Scan } from './scan.ts';
import type { Tally } from './tally.ts';
import { decideThreshold } from './threshold.ts';

export type ReportInput = {
  uploadId: string;
  bodyId: string;
  file: string;
  scan: Scan;
  status: UploadStatus;
  error: string | undefined;
  /** What was learnt about the file while reading it. */
  read: Partial<UploadReport>;
  tally: Tally;
  counters: RowCounters | null;
  notes: string[];
  publishingThreshold: number | undefined;
  registeredThreshold: number | null | undefined;
  startedAt: string;
};

const READ_KEYS = [
  'encoding',
  'delimiter',
  'sheet',
  'headerRow',
  'mapping',
  'dateField',
  'amountBasis',
] as const satisfies (keyof UploadReport)[];

export function buildReport(input: ReportInput): UploadReport {
  const { tally, read } = input;
  const described: Partial<UploadReport> = {};
  for (const key of READ_KEYS) if (read[key] !== undefined) Object.assign(described, { [key]: read[key] });
  return {
    uploadId: input.uploadId,
    bodyId: input.bodyId,
    file: input.file,
    sha256: input.scan.sha256,
    bytes: input.scan.bytes,
    status: input.status,
    ...(input.error ? { error: input.error } : {}),
    format: read.format ?? null,
    ...described,
    rowsRead: tally.rowsRead,
    accepted: tally.accepted,
    rejected: tally.rejected,
    skipped: tally.skippedCount,
    skippedByKind: { ...tally.skipped },
    acceptedNetTotal: formatPence(tally.acceptedPence),
    currencyTotals: tally.currencyTotals(),
    controlTotal: tally.controlTotalReport(),
    period: tally.period(),
    months: tally.monthCounts(),
    redactedSuppliers: redactedSuppliers(input.counters),
    ...(input.counters?.unnamedSuppliers ? { unnamedSuppliers: input.counters.unnamedSuppliers } : {}),
    rejections: tally.rejections,
    rejectionsNotListed: tally.rejectionsNotKept,
    overlaps: [],
    messages: { invoices: tally.invoices, purchaseOrders: tally.purchaseOrders },
    publishingThreshold: decideThreshold({
      option: input.publishingThreshold,
      registered: input.registeredThreshold,
      eInvoice: read.format?.startsWith('peppol') ?? false,
      sizes: { rows: tally.accepted, under250: tally.sizes.under250, under500: tally.sizes.under500 },
    }),
    ...(input.status === 'uploaded' && tally.rejected > 0
      ? { incomplete: incompleteExplanation(input.uploadId, tally) }
      : {}),
    notes: [...input.notes, ...countersNotes(input.counters)],
    startedAt: input.startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** Why an upload that went in is not the whole file, and what to do about it. */
export function incompleteExplanation(uploadId: string, tally: Tally): string {
  const n = (value: number) => value.toLocaleString('en-GB');
  return `${n(tally.rejected)} of ${n(tally.accepted + tally.rejected)} rows that hold spend were rejected and not sent; the other ${n(tally.accepted)} are in. The rejected rows are listed with row, column and reason (spend uploads show ${uploadId} --rejections-csv FILE): correct them and upload them as a file of their own`;
}

/** Redaction markers by how many rows carry them, most first. */
export function redactedSuppliers(counters: RowCounters | null): UploadReport['redactedSuppliers'] {
  return [...(counters?.redactedSuppliers ?? new Map<string, number>())]
    .sort((a, b) => b[1] - a[1])
    .map(([marker, rows]) => ({ marker, rows }));
}

/** What the row counters say, as notes a person reads. */
export function countersNotes(c: RowCounters | null): string[] {
  if (!c) return [];
  const n = (value: number) => value.toLocaleString('en-GB');
  return [
    c.creditIndicators > 0 &&
      `${n(c.creditIndicators)} rows carry a credit indicator (C/CR/S): their amounts are negative`,
    c.redactedOtherCells > 0 &&
      `${n(c.redactedOtherCells)} other cells held a redaction marker and were left empty`,
    c.truncatedCells > 0 && `${n(c.truncatedCells)} cells were longer than the contract allows and were cut`,
    c.formulaLikeCells > 0 &&
      `${n(c.formulaLikeCells)} text cells start like a spreadsheet formula (=, +, -, @): stored as text, never evaluated`,
    c.paddedCompanyNumbers > 0 &&
      `${n(c.paddedCompanyNumbers)} company numbers had lost their leading zeros and were padded to 8 digits`,
  ].filter((note): note is string => typeof note === 'string');
}

/** The report of a file already uploaded: the earlier report, marked, with nothing sent. */
export function duplicateReport(previous: UploadReport, file: string): UploadReport {
  return {
    ...previous,
    status: 'duplicate',
    duplicateOf: previous.uploadId,
    file,
    overlaps: [],
    notes: [
      `the same file was uploaded as ${previous.uploadId} (${previous.file}) at ${previous.finishedAt}: nothing was sent`,
    ],
  };
}

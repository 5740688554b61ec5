/**
 * The reconciliation report of one upload: what was read, what was accepted, rejected (row,
 * column, reason) and skipped, the exact accepted net total against the file's own control
 * total, and — once ingested — against what DuckDB holds for the upload. Stored as JSON in the
 * uploads table and printed by `spend upload`.
 */
import type { FieldChoice, Mapping } from './field-mapping.ts';
import type { SkippedKind } from './row-classification.ts';
import type { Rejection } from './row-to-invoice.ts';
import type { PublishingThreshold } from './threshold.ts';

export type UploadStatus = 'uploaded' | 'partial' | 'failed' | 'duplicate';

export type ControlTotal = {
  /** The file's own total in net terms (derived the same way as the rows' net amounts). */
  value: string;
  row: number;
  label: string;
  agrees: boolean;
  /** Accepted net total minus the control total. */
  difference: string;
  note?: string;
};

export type Overlap = {
  uploadId: string;
  file: string;
  months: { month: string; here: number; there: number }[];
};

export type IngestedTotals = {
  invoices: number;
  invoiceNetTotal: string;
  purchaseOrders: number;
  purchaseOrderNetTotal: string;
  /** Messages of this upload the consumer set aside (dead-lettered): should always be 0. */
  deadLettered: number;
};

export type UploadReport = {
  uploadId: string;
  bodyId: string;
  file: string;
  sha256: string;
  bytes: number;
  status: UploadStatus;
  error?: string;
  /** Set when the upload went in without some of the file's rows: what is missing and what to do. */
  incomplete?: string;
  duplicateOf?: string;
  format: string | null;
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  headerRow?: number;
  mapping?: {
    source: Mapping['source'];
    fingerprint: string;
    digest: string;
    fields: FieldChoice[];
    unused: Mapping['unused'];
    /** Where the values settled or changed what the headers said (mapping-by-values.ts). */
    settledByValues?: string[];
  };
  /** Which of our date fields the file's date went to, and what it means there. */
  dateField?: { field: 'paymentDate' | 'invoiceDate' | 'orderDate'; column: string; meaning: string };
  amountBasis?: string;
  rowsRead: number;
  accepted: number;
  rejected: number;
  skipped: number;
  skippedByKind: Record<SkippedKind, number>;
  acceptedNetTotal: string;
  currencyTotals: { currency: string; netTotal: string; documents: number }[];
  controlTotal: ControlTotal | null;
  period: { from: string; to: string } | null;
  months: Record<string, number>;
  redactedSuppliers: { marker: string; rows: number }[];
  /** Payments with a date and an amount but an empty supplier cell: kept and flagged like redacted ones. */
  unnamedSuppliers?: number;
  rejections: Rejection[];
  rejectionsNotListed: number;
  overlaps: Overlap[];
  messages: { invoices: number; purchaseOrders: number };
  /** The amount the file publishes from, and how that was decided (absent in reports stored before it). */
  publishingThreshold?: PublishingThreshold;
  notes: string[];
  ingested?: IngestedTotals & { agrees: boolean };
  startedAt: string;
  finishedAt: string;
};

/** The stable `spend upload --json` object, one per file. */
export type UploadSummary = {
  uploadId: string;
  file: string;
  rowsRead: number;
  accepted: number;
  rejected: number;
  skipped: number;
  acceptedNetTotal: string;
  controlTotal: string | null;
  controlTotalAgrees: boolean | null;
  ingested: boolean;
};

export function summarise(report: UploadReport): UploadSummary {
  return {
    uploadId: report.duplicateOf ?? report.uploadId,
    file: report.file,
    rowsRead: report.rowsRead,
    accepted: report.accepted,
    rejected: report.rejected,
    skipped: report.skipped,
    acceptedNetTotal: report.acceptedNetTotal,
    controlTotal: report.controlTotal?.value ?? null,
    controlTotalAgrees: report.controlTotal?.agrees ?? null,
    ingested: report.ingested?.agrees ?? false,
  };
}

export function emptySkipped(): Record<SkippedKind, number> {
  return { blank: 0, header: 0, total: 0, marker: 0, preamble: 0 };
}

const count = (n: number) => n.toLocaleString('en-GB');

/** The report as a person reads it (a finance officer, not a developer). */
export function formatReport(report: UploadReport): string {
  const out: string[] = [];
  const line = (text = '') => out.push(text);
  line(`${report.file}`);
  if (report.status === 'duplicate') {
    line(`  already uploaded as ${report.duplicateOf}: nothing was sent again (same content, same mapping)`);
  }
  if (report.error) line(`  ${report.status === 'partial' ? 'STOPPED' : 'NOT UPLOADED'}: ${report.error}`);
  if (report.incomplete) line(`  INCOMPLETE: ${report.incomplete}`);
  line(
    `  upload ${report.duplicateOf ?? report.uploadId}, body ${report.bodyId}, ${count(report.bytes)} bytes`,
  );
  if (report.format) {
    const how = [
      report.format,
      report.encoding,
      report.delimiter && `delimiter ${JSON.stringify(report.delimiter)}`,
      report.sheet && `sheet "${report.sheet}"`,
    ]
      .filter(Boolean)
      .join(', ');
    line(`  read as ${how}`);
  }
  if (report.mapping) {
    line(
      `  header on row ${report.headerRow}; ${report.mapping.source} mapping (layout ${report.mapping.fingerprint}):`,
    );
    for (const field of report.mapping.fields) {
      line(
        `    ${field.field.padEnd(22)} ← column ${field.column + 1} "${field.header}"${field.meaning ? ` (${field.meaning})` : ''}${field.samples?.length ? `: ${field.samples.map((v) => JSON.stringify(v)).join(', ')}` : ''}`,
      );
    }
    for (const settled of report.mapping.settledByValues ?? []) line(`    settled by the values: ${settled}`);
    for (const unused of report.mapping.unused) {
      if (unused.looksLike) {
        line(`    unmapped column ${unused.column + 1} "${unused.header}" looks like ${unused.looksLike}`);
      }
    }
  }
  if (report.dateField)
    line(
      `  the file's date "${report.dateField.column}" is read as ${report.dateField.field}: ${report.dateField.meaning}`,
    );
  if (report.amountBasis) line(`  net amounts: ${report.amountBasis}`);
  const skipped = Object.entries(report.skippedByKind)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${count(n)} ${kind}`)
    .join(', ');
  line(
    `  rows read ${count(report.rowsRead)}: accepted ${count(report.accepted)}, rejected ${count(report.rejected)}, skipped ${count(report.skipped)}${skipped ? ` (${skipped})` : ''}`,
  );
  line(`  accepted net total ${report.acceptedNetTotal}${currencyNote(report)}`);
  if (report.controlTotal) {
    const c = report.controlTotal;
    line(
      c.agrees
        ? `  control total (row ${c.row}, "${c.label}") ${c.value}: agrees`
        : `  control total (row ${c.row}, "${c.label}") ${c.value}: DOES NOT AGREE — accepted rows total ${c.difference} more`,
    );
    if (c.note) line(`    ${c.note}`);
  }
  if (report.period) line(`  dates from ${report.period.from} to ${report.period.to}`);
  if (report.publishingThreshold) {
    const t = report.publishingThreshold;
    line(
      `  publishes ${t.pounds > 0 ? `payments from £${t.pounds.toLocaleString('en-GB')}` : 'every payment (no threshold)'} (${t.source}: ${t.reason})`,
    );
  }
  const redacted = report.redactedSuppliers.reduce((n, r) => n + r.rows, 0);
  if (redacted > 0) {
    line(
      `  ${count(redacted)} rows name no supplier (redacted: ${report.redactedSuppliers.map((r) => `"${r.marker}" ×${r.rows}`).join(', ')})`,
    );
  }
  if (report.unnamedSuppliers) {
    line(
      `  ${count(report.unnamedSuppliers)} payments have no supplier name: kept as unnamed payments (in the totals, flagged like redacted ones, never matched to a supplier)`,
    );
  }
  for (const overlap of report.overlaps) {
    line(
      `  overlaps earlier upload ${overlap.uploadId} (${overlap.file}) in ${overlap.months.map((m) => `${m.month}: ${count(m.here)} rows here, ${count(m.there)} there`).join('; ')}`,
    );
  }
  for (const note of report.notes) line(`  note: ${note}`);
  if (report.rejections.length > 0) {
    line('  rejected rows:');
    for (const r of report.rejections.slice(0, 20)) {
      line(`    row ${r.row}${r.column ? `, column "${r.column}"` : ''}: ${r.reason}`);
    }
    const more = report.rejected - Math.min(20, report.rejections.length);
    if (more > 0) line(`    … and ${count(more)} more (spend uploads show ${report.uploadId} --json)`);
  }
  if (report.ingested) {
    const i = report.ingested;
    const total = report.messages.purchaseOrders > 0 ? i.purchaseOrderNetTotal : i.invoiceNetTotal;
    const documents = report.messages.purchaseOrders > 0 ? i.purchaseOrders : i.invoices;
    const sent = report.messages.invoices + report.messages.purchaseOrders;
    const arrived = i.invoices + i.purchaseOrders + i.deadLettered;
    line(
      i.agrees
        ? `  in DuckDB: ${count(documents)} documents, net total ${total}: equals the accepted rows`
        : arrived < sent
          ? // read without --wait while the consumers are still at it: not a disagreement yet
            `  in DuckDB so far: ${count(arrived)} of ${count(sent)} documents, still being ingested (spend uploads show ${report.duplicateOf ?? report.uploadId}, or upload with --wait to wait and check)`
          : `  in DuckDB: ${count(documents)} documents, net total ${total}, ${i.deadLettered} dead-lettered: DOES NOT EQUAL the accepted rows`,
    );
  }
  return out.join('\n');
}

function currencyNote(report: UploadReport): string {
  if (report.currencyTotals.length === 0) return '';
  if (report.currencyTotals.length === 1) return ` ${report.currencyTotals[0]?.currency}`;
  return ` (${report.currencyTotals.map((c) => `${c.currency} ${c.netTotal}`).join(', ')})`;
}

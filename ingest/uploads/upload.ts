/**
 * The upload path: one file (a byte stream) in, invoice.v1 / purchase-order.v1 messages out
 * to a sink (Kafka), and a reconciliation report back. The CLI, and later the HTTP endpoint and
 * the upload page, are thin layers on uploadFile / uploadStream.
 *
 * Two passes over the bytes: the first hashes them (the same file twice is recognised before
 * anything is sent), decides the encoding from every byte and sniffs what the file is; the
 * second reads rows and sends messages as it goes, so memory does not grow with the file
 * (XLSX and XML are read whole, within size limits). A header row is looked for row by row;
 * rows before it are held until it is found (Blackpool's header sits mid-file) and then read
 * like the rest, except that those that do not read as spend count as preamble.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invoiceV1 } from '../topics/invoices/schema.ts';
import { purchaseOrderV1 } from '../topics/purchase-orders/schema.ts';
import { formatPence, parseAmount } from './amounts.ts';
import {
  CsvSyntaxError,
  type Delimiter,
  readDelimitedBatches,
  type SourceRow,
  TOO_LONG_LINE,
} from './csv-reader.ts';
import { decodeText, describeEncoding, EncodingScanner, type TextEncoding } from './encoding.ts';
import {
  applySavedMapping,
  detectMapping,
  headerFingerprint,
  looksLikeHeader,
  type Mapping,
  mappingDigest,
  normaliseHeader,
  type SavedMapping,
} from './field-mapping.ts';
import { SNIFF_BYTES, sniffFileKind } from './file-type.ts';
import { RowIdAllocator } from './ids.ts';
import type { Overlap, UploadReport, UploadStatus } from './report.ts';
import { classifyRow, type RowLayout } from './row-classification.ts';
import {
  type AmountBasis,
  amountBasis,
  amountBasisText,
  newRowCounters,
  type Rejection,
  type RowContext,
  RowMapper,
} from './row-to-invoice.ts';
import { Tally } from './tally.ts';
import { decideThreshold } from './threshold.ts';
import { readUbl, UblError } from './ubl-reader.ts';
import { readWorkbook, WorkbookError } from './xlsx-reader.ts';

export type UploadSource = { name: string; open(): Readable };

export type UploadLimits = {
  /** Longest line read from a text file (longer lines are rejected, reading goes on). */
  maxLineChars: number;
  /** How many rows may come before the header row is found. */
  maxRowsBeforeHeader: number;
  maxWorkbookBytes: number;
  maxXmlBytes: number;
  /** Rejections listed in full in the report (all are counted). */
  listedRejections: number;
  /** Rejections stored row by row in upload_rejections. */
  storedRejections: number;
};

export const DEFAULT_LIMITS: UploadLimits = {
  maxLineChars: 1024 * 1024,
  maxRowsBeforeHeader: 100_000,
  maxWorkbookBytes: 100 * 1024 * 1024,
  maxXmlBytes: 20 * 1024 * 1024,
  listedRejections: 1000,
  storedRejections: 100_000,
};

export type UploadProgress = {
  phase: 'scanning' | 'reading';
  bytes: number;
  totalBytes: number;
  rows: number;
  accepted: number;
  rejected: number;
};

export type UploadStart = {
  uploadId: string;
  bodyId: string;
  file: string;
  sha256: string;
  bytes: number;
  format: string | null;
  mappingFingerprint: string | null;
  mappingDigest: string | null;
};

/** Where uploads are recorded: the database, through the owner (owner/operations.ts). */
export interface UploadStore {
  savedMappings(bodyId: string): Promise<{ fingerprint: string; mapping: SavedMapping }[]>;
  /** Records the start; returns the earlier upload when this exact file and mapping was already uploaded. */
  begin(start: UploadStart): Promise<{ duplicateOf: UploadReport | null }>;
  finish(report: UploadReport, rejections: Rejection[]): Promise<{ overlaps: Overlap[] }>;
}

export type OutgoingDocument = { topic: 'invoices' | 'purchase-orders'; key: string; value: string };

export interface DocumentSink {
  /** Takes a message; returns a promise only when the caller must wait (back-pressure). */
  send(document: OutgoingDocument): Promise<void> | undefined;
  flush(): Promise<void>;
}

export type UploadOptions = {
  bodyId: string;
  store: UploadStore;
  sink: DocumentSink;
  limits?: Partial<UploadLimits>;
  onProgress?: (progress: UploadProgress) => void;
  /** The amount (whole pounds) the file publishes from, when the uploader says (threshold.ts). */
  publishingThreshold?: number;
  /** The body's registered threshold: the default when the uploader does not say. */
  registeredThreshold?: number | null;
};

/** A problem with the file itself: the report says it, nothing crashes. */
export class UploadFileError extends Error {
  override name = 'UploadFileError';
}

/** This exact file was uploaded before: reading stops before anything is sent. */
class AlreadyUploaded extends Error {
  constructor(readonly previous: UploadReport) {
    super(`already uploaded as ${previous.uploadId}`);
  }
}

export function newUploadId(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `up-${day}-${randomBytes(5).toString('hex')}`;
}

/** Uploads a stream of unknown length: spooled to a temporary file first (two passes need it). */
export async function uploadStream(
  stream: Readable,
  name: string,
  options: UploadOptions,
): Promise<UploadReport> {
  const dir = await mkdtemp(join(tmpdir(), 'spend-upload-'));
  try {
    const path = join(dir, 'upload');
    await pipeline(stream, createWriteStream(path));
    return await uploadFile({ name, open: () => createReadStream(path) }, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function uploadFile(source: UploadSource, options: UploadOptions): Promise<UploadReport> {
  return new Upload(source, options).run();
}

export type Scan = { sha256: string; bytes: number; encoding: TextEncoding; head: Buffer };

/** The first pass: the content hash, the size, the text encoding (from every byte) and the first bytes. */
export async function scanSource(source: UploadSource, onBytes?: (bytes: number) => void): Promise<Scan> {
  const hash = createHash('sha256');
  const encoding = new EncodingScanner();
  const headChunks: Buffer[] = [];
  let headBytes = 0;
  let bytes = 0;
  for await (const chunk of source.open() as AsyncIterable<Buffer>) {
    hash.update(chunk);
    encoding.update(chunk);
    if (headBytes < SNIFF_BYTES) {
      headChunks.push(chunk.subarray(0, SNIFF_BYTES - headBytes));
      headBytes += Math.min(chunk.length, SNIFF_BYTES - headBytes);
    }
    bytes += chunk.length;
    onBytes?.(bytes);
  }
  return { sha256: hash.digest('hex'), bytes, encoding: encoding.finish(), head: Buffer.concat(headChunks) };
}

/** A header row: one whose layout has a saved mapping, or one that reads as a header. */
export function isHeaderRow(cells: string[], saved: Map<string, SavedMapping>): boolean {
  if (cells[0]?.startsWith(TOO_LONG_LINE)) return false;
  return saved.has(headerFingerprint(cells)) || looksLikeHeader(cells);
}

class Upload {
  private readonly uploadId = newUploadId();
  private readonly limits: UploadLimits;
  private readonly startedAt = new Date().toISOString();
  private readonly tally: Tally;
  private readonly storedRejections: Rejection[] = [];
  private readonly notes: string[] = [];
  private readonly report: Partial<UploadReport> = {};
  private scan: Scan = {
    sha256: '',
    bytes: 0,
    encoding: { name: 'utf-8', bom: false, dosPound: false },
    head: Buffer.alloc(0),
  };
  private begun = false;
  private sent = 0;
  private bytesRead = 0;
  private lastProgress = 0;

  constructor(
    private readonly source: UploadSource,
    private readonly options: UploadOptions,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.tally = new Tally(this.limits.listedRejections);
  }

  async run(): Promise<UploadReport> {
    let status: UploadStatus = 'uploaded';
    let error: string | undefined;
    try {
      this.scan = await scanSource(this.source, (bytes) => this.progress('scanning', bytes, bytes));
      const kind = sniffFileKind(this.scan.head, this.scan.bytes);
      if (kind.kind === 'refused') throw new UploadFileError(kind.reason);
      if (kind.kind === 'text') await this.readText();
      else if (kind.kind === 'xlsx') await this.readXlsx();
      else await this.readXml();
      if (this.report.headerRow !== undefined && this.tally.accepted + this.tally.rejected === 0) {
        throw new UploadFileError(
          `row ${this.report.headerRow} is a header, and no row after it holds spend`,
        );
      }
    } catch (caught) {
      if (caught instanceof AlreadyUploaded) return this.duplicateReport(caught.previous);
      if (!isFileProblem(caught)) {
        // An outage or a bug: recorded as failed if it can be (best effort), then passed on.
        if (this.begun) {
          const report = this.buildReport('failed', `stopped by an error: ${(caught as Error).message}`);
          await this.options.store.finish(report, this.storedRejections).catch(() => undefined);
        }
        throw caught;
      }
      error = (caught as Error).message;
      status = this.sent > 0 ? 'partial' : 'failed';
      if (status === 'partial')
        error += `; the ${this.sent.toLocaleString('en-GB')} rows accepted before it were sent`;
    }
    await this.options.sink.flush();
    if (!this.begun) await this.begin(null, null);
    const report = this.buildReport(status, error);
    const { overlaps } = await this.options.store.finish(report, this.storedRejections);
    report.overlaps = overlaps;
    return report;
  }

  private async *countedBytes(): AsyncGenerator<Buffer> {
    for await (const chunk of this.source.open() as AsyncIterable<Buffer>) {
      this.bytesRead += chunk.length;
      yield chunk;
    }
  }

  private async readWhole(limit: number, what: string): Promise<Buffer> {
    if (this.scan.bytes > limit) {
      throw new UploadFileError(
        `${what} of ${this.scan.bytes.toLocaleString('en-GB')} bytes is over the ${limit.toLocaleString('en-GB')}-byte limit`,
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of this.countedBytes()) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  // ---- CSV / TSV -------------------------------------------------------------------------

  private async readText(): Promise<void> {
    const encoding = this.scan.encoding;
    this.report.encoding = describeEncoding(encoding);
    let delimiter: Delimiter = ',';
    const rows = readDelimitedBatches(decodeText(this.countedBytes(), encoding), {
      maxLineChars: this.limits.maxLineChars,
      onDelimiter: (found) => {
        delimiter = found;
      },
    });
    await this.readRows(rows, () => {
      this.report.format = delimiter === '\t' ? 'tsv' : 'csv';
      this.report.delimiter = delimiter;
    });
  }

  // ---- XLSX ------------------------------------------------------------------------------

  private async readXlsx(): Promise<void> {
    const sheets = await readWorkbook(await this.readWhole(this.limits.maxWorkbookBytes, 'a workbook'));
    const saved = await this.savedMappings();
    const withHeader = sheets.find((sheet) =>
      sheet.rows.slice(0, 1000).some((r) => isHeaderRow(r.cells, saved)),
    );
    const sheet = withHeader ?? sheets[0];
    if (!sheet) throw new UploadFileError('the workbook has no sheets');
    this.report.format = 'xlsx';
    this.report.sheet =
      sheets.length > 1
        ? `${sheet.name} (sheet ${sheets.indexOf(sheet) + 1} of ${sheets.length})`
        : sheet.name;
    await this.readRows([sheet.rows], () => undefined);
  }

  // ---- Rows of a table (CSV, TSV, XLSX) ----------------------------------------------------

  private savedMappingsCache: Map<string, SavedMapping> | null = null;

  private async savedMappings(): Promise<Map<string, SavedMapping>> {
    this.savedMappingsCache ??= new Map(
      (await this.options.store.savedMappings(this.options.bodyId)).map((m) => [m.fingerprint, m.mapping]),
    );
    return this.savedMappingsCache;
  }

  private async readRows(
    batches: AsyncIterable<SourceRow[]> | Iterable<SourceRow[]>,
    onFirstRow: () => void,
  ): Promise<void> {
    const saved = await this.savedMappings();
    const held: SourceRow[] = [];
    let table: TableContext | null = null;
    let first = true;
    for await (const batch of batches) {
      if (first) {
        onFirstRow();
        first = false;
      }
      for (const row of batch) {
        this.tally.rowsRead++;
        if (table) {
          const sending = this.readRow(row, table, false);
          if (sending) await sending;
        } else if (isHeaderRow(row.cells, saved)) {
          table = await this.startTable(row, saved.get(headerFingerprint(row.cells)));
          this.tally.skip('header');
          for (const before of held) {
            const sending = this.readRow(before, table, true);
            if (sending) await sending;
          }
          held.length = 0;
        } else {
          held.push(row);
          if (held.length > this.limits.maxRowsBeforeHeader) {
            throw new UploadFileError(
              `no header row in the first ${this.limits.maxRowsBeforeHeader.toLocaleString('en-GB')} rows`,
            );
          }
        }
      }
      this.progress('reading', this.bytesRead, this.scan.bytes);
    }
    if (!table) {
      throw new UploadFileError(
        this.tally.rowsRead === 0
          ? 'the file has no rows'
          : `no header row found in ${this.tally.rowsRead.toLocaleString('en-GB')} rows: expected column names such as "Supplier Name", "Payment Date" and "Amount" (a body can save a mapping for its own layout: spend mapping save)`,
      );
    }
    this.progress('reading', this.bytesRead, this.scan.bytes, true);
  }

  private async startTable(headerRow: SourceRow, saved: SavedMapping | undefined): Promise<TableContext> {
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
    this.report.headerRow = headerRow.row;
    this.report.mapping = {
      source: mapping.source,
      fingerprint,
      digest,
      fields: mapping.choices,
      unused: mapping.unused,
    };
    const dateChoice =
      mapping.choices.find((c) => c.field === 'paymentDate') ??
      mapping.choices.find((c) => c.field === 'invoiceDate');
    if (dateChoice) {
      this.report.dateField = {
        field: dateChoice.field as 'paymentDate' | 'invoiceDate',
        column: dateChoice.header,
        meaning: dateChoice.meaning ?? (dateChoice.field === 'invoiceDate' ? 'invoice date' : 'payment date'),
      };
    }
    this.report.amountBasis = amountBasisText(basis, header, fields);
    await this.begin(fingerprint, digest);
    const context: RowContext = {
      bodyId: this.options.bodyId,
      uploadId: this.uploadId,
      file: this.source.name.slice(0, 1000),
      fields,
      header,
      basis,
      ids: new RowIdAllocator(),
      counters: newRowCounters(),
    };
    this.tableCounters = context.counters;
    return {
      context,
      mapper: new RowMapper(context),
      layout: { fields, normalisedHeader: header.map(normaliseHeader) },
      basis,
      dateField: dateChoice?.field === 'invoiceDate' ? 'invoiceDate' : 'paymentDate',
    };
  }

  /** Reads one row; returns a promise only when the sink asks to wait. */
  private readRow(row: SourceRow, table: TableContext, beforeHeader: boolean): Promise<void> | undefined {
    const first = row.cells[0] ?? '';
    if (first.startsWith(TOO_LONG_LINE)) {
      const length = Number(first.slice(TOO_LONG_LINE.length));
      this.reject([
        {
          row: row.row,
          column: null,
          field: null,
          reason: `a line of ${length.toLocaleString('en-GB')} characters, over the ${this.limits.maxLineChars.toLocaleString('en-GB')}-character limit: not read`,
        },
      ]);
      return;
    }
    const kind = classifyRow(row.cells, table.layout);
    if (kind !== 'data') {
      if (kind === 'total') this.noteControlTotal(row, table);
      this.tally.skip(kind);
      return;
    }
    const outcome = table.mapper.map(row.cells, row.row);
    if (!outcome.ok) {
      if (beforeHeader && outcome.netPence === null) this.tally.skip('preamble');
      else this.reject(outcome.rejections);
      return;
    }
    const invoice = outcome.invoice;
    this.tally.invoices++;
    this.tally.accept(
      outcome.netPence,
      invoice.currency,
      invoice[table.dateField] ?? invoice.invoiceDate ?? invoice.paymentDate,
    );
    return this.send({
      topic: 'invoices',
      key: `${invoice.bodyId}:${invoice.invoiceId}`,
      value: JSON.stringify(invoice),
    });
  }

  private noteControlTotal(row: SourceRow, table: TableContext): void {
    const { fields } = table.context;
    const read = (column: number | undefined) =>
      column === undefined ? null : parseAmount(row.cells[column] ?? '', { roundToPence: true });
    const main = read(table.basis === 'net' ? fields.netAmount : fields.grossAmount);
    if (!main?.ok) return;
    let pence = main.pence;
    if (table.basis === 'gross-minus-vat') {
      const vat = read(fields.vatAmount);
      if (vat?.ok) pence -= vat.pence;
    }
    const amountColumns = new Set([fields.netAmount, fields.grossAmount, fields.vatAmount]);
    const label = row.cells
      .find((cell, i) => !amountColumns.has(i) && cell.trim() !== '' && cell.trim() !== '*')
      ?.trim();
    const rawMain = (
      row.cells[(table.basis === 'net' ? fields.netAmount : fields.grossAmount) ?? -1] ?? ''
    ).trim();
    const exact = parseAmount(rawMain);
    const note = exact.ok ? undefined : `written as ${rawMain}: compared to the penny`;
    this.tally.controlTotal(pence, row.row, label ?? '(unlabelled total row)', note);
  }

  // ---- Peppol UBL XML --------------------------------------------------------------------

  private async readXml(): Promise<void> {
    const bytes = await this.readWhole(this.limits.maxXmlBytes, 'an XML document');
    const xml = new TextDecoder(this.scan.encoding.name).decode(bytes);
    this.report.encoding = describeEncoding(this.scan.encoding);
    this.tally.rowsRead = 1;
    let document: ReturnType<typeof readUbl>;
    try {
      document = readUbl(xml, {
        bodyId: this.options.bodyId,
        uploadId: this.uploadId,
        file: this.source.name,
      });
    } catch (error) {
      if (!(error instanceof UblError) || error.path === null) throw error;
      this.report.format = 'peppol';
      await this.begin(null, 'ubl');
      this.reject([{ row: 1, column: error.path, field: error.field, reason: error.message }]);
      return;
    }
    this.report.format = document.format;
    this.notes.push(...document.notes);
    await this.begin(null, 'ubl');
    const checked =
      document.kind === 'invoice'
        ? invoiceV1.safeParse(document.invoice)
        : purchaseOrderV1.safeParse(document.order);
    if (!checked.success) {
      this.reject(
        checked.error.issues.map((issue) => ({
          row: 1,
          column: null,
          field: issue.path.join('.'),
          reason: `${document.kind === 'invoice' ? 'invoice.v1' : 'purchase-order.v1'} ${issue.path.join('.')}: ${issue.message}`,
        })),
      );
      return;
    }
    if (document.kind === 'invoice') {
      const { invoice } = document;
      await this.send({
        topic: 'invoices',
        key: `${invoice.bodyId}:${invoice.invoiceId}`,
        value: JSON.stringify(invoice),
      });
      this.tally.invoices++;
      this.tally.accept(document.netPence, invoice.currency, invoice.invoiceDate);
      this.report.dateField = {
        field: 'invoiceDate',
        column: 'cbc:IssueDate',
        meaning: 'invoice issue date',
      };
      this.report.amountBasis = 'net = cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount (credit notes negative)';
    } else {
      const { order } = document;
      await this.send({
        topic: 'purchase-orders',
        key: `${order.bodyId}:${order.poNumber}`,
        value: JSON.stringify(order),
      });
      this.tally.purchaseOrders++;
      this.tally.accept(document.netPence, order.currency, order.orderDate);
      this.report.dateField = { field: 'orderDate', column: 'cbc:IssueDate', meaning: 'order issue date' };
      this.report.amountBasis = 'net = cac:AnticipatedMonetaryTotal/cbc:LineExtensionAmount';
    }
  }

  // ---- Shared steps ----------------------------------------------------------------------

  private async begin(fingerprint: string | null, digest: string | null): Promise<void> {
    const { duplicateOf } = await this.options.store.begin({
      uploadId: this.uploadId,
      bodyId: this.options.bodyId,
      file: this.source.name,
      sha256: this.scan.sha256,
      bytes: this.scan.bytes,
      format: this.report.format ?? null,
      mappingFingerprint: fingerprint,
      mappingDigest: digest,
    });
    if (duplicateOf) throw new AlreadyUploaded(duplicateOf);
    this.begun = true;
  }

  private send(document: OutgoingDocument): Promise<void> | undefined {
    this.sent++;
    return this.options.sink.send(document);
  }

  private reject(rejections: Rejection[]): void {
    this.tally.reject(rejections);
    for (const rejection of rejections) {
      if (this.storedRejections.length < this.limits.storedRejections) this.storedRejections.push(rejection);
    }
  }

  private progress(phase: UploadProgress['phase'], bytes: number, totalBytes: number, force = false): void {
    const now = Date.now();
    if (!this.options.onProgress || (!force && now - this.lastProgress < 100)) return;
    this.lastProgress = now;
    this.options.onProgress({
      phase,
      bytes,
      totalBytes,
      rows: this.tally.rowsRead,
      accepted: this.tally.accepted,
      rejected: this.tally.rejected,
    });
  }

  private buildReport(status: UploadStatus, error: string | undefined): UploadReport {
    const tally = this.tally;
    return {
      uploadId: this.uploadId,
      bodyId: this.options.bodyId,
      file: this.source.name,
      sha256: this.scan.sha256,
      bytes: this.scan.bytes,
      status,
      ...(error ? { error } : {}),
      format: this.report.format ?? null,
      ...pick(this.report, [
        'encoding',
        'delimiter',
        'sheet',
        'headerRow',
        'mapping',
        'dateField',
        'amountBasis',
      ]),
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
      redactedSuppliers: this.redactedSuppliers(),
      rejections: tally.rejections,
      rejectionsNotListed: tally.rejectionsNotKept,
      overlaps: [],
      messages: { invoices: tally.invoices, purchaseOrders: tally.purchaseOrders },
      publishingThreshold: decideThreshold({
        option: this.options.publishingThreshold,
        registered: this.options.registeredThreshold,
        eInvoice: this.report.format?.startsWith('peppol') ?? false,
        sizes: { rows: tally.accepted, under250: tally.sizes.under250, under500: tally.sizes.under500 },
      }),
      notes: [...this.notes, ...this.countersNotes()],
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
    };
  }

  private tableCounters: ReturnType<typeof newRowCounters> | null = null;

  private redactedSuppliers(): UploadReport['redactedSuppliers'] {
    return [...(this.tableCounters?.redactedSuppliers ?? new Map<string, number>())]
      .sort((a, b) => b[1] - a[1])
      .map(([marker, rows]) => ({ marker, rows }));
  }

  private countersNotes(): string[] {
    const c = this.tableCounters;
    if (!c) return [];
    const n = (value: number) => value.toLocaleString('en-GB');
    return [
      c.creditIndicators > 0 &&
        `${n(c.creditIndicators)} rows carry a credit indicator (C/CR/S): their amounts are negative`,
      c.redactedOtherCells > 0 &&
        `${n(c.redactedOtherCells)} other cells held a redaction marker and were left empty`,
      c.truncatedCells > 0 &&
        `${n(c.truncatedCells)} cells were longer than the contract allows and were cut`,
      c.formulaLikeCells > 0 &&
        `${n(c.formulaLikeCells)} text cells start like a spreadsheet formula (=, +, -, @): stored as text, never evaluated`,
      c.paddedCompanyNumbers > 0 &&
        `${n(c.paddedCompanyNumbers)} company numbers had lost their leading zeros and were padded to 8 digits`,
    ].filter((note): note is string => typeof note === 'string');
  }

  private duplicateReport(previous: UploadReport): UploadReport {
    return {
      ...previous,
      status: 'duplicate',
      duplicateOf: previous.uploadId,
      file: this.source.name,
      overlaps: [],
      notes: [
        `the same file was uploaded as ${previous.uploadId} (${previous.file}) at ${previous.finishedAt}: nothing was sent`,
      ],
    };
  }
}

type TableContext = {
  context: RowContext;
  mapper: RowMapper;
  layout: RowLayout;
  basis: AmountBasis;
  dateField: 'paymentDate' | 'invoiceDate';
};

/** A problem with the file itself (reported), as opposed to an outage or a bug (thrown). */
export function isFileProblem(error: unknown): boolean {
  return (
    error instanceof UploadFileError ||
    error instanceof CsvSyntaxError ||
    error instanceof WorkbookError ||
    error instanceof UblError
  );
}

function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

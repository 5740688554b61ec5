/**
 * The upload path: one file (a byte stream) in, invoice.v1 / purchase-order.v1 messages out
 * to a sink (Kafka), and a reconciliation report back. The CLI, and later the HTTP endpoint and
 * the upload page, are thin layers on uploadFile / uploadStream.
 *
 * Two passes over the bytes: the first (scan.ts) hashes them (the same file twice is
 * recognised before anything is sent), decides the encoding from every byte and sniffs what
 * the file is; the second reads rows and sends messages as it goes, so memory does not grow
 * with the file (XLSX and XML are read whole, within size limits). This file runs an upload
 * and owns its state; the pieces are:
 *   - format readers: csv-reader.ts, xlsx-reader.ts, ubl-reader.ts (with encoding.ts);
 *   - layout: header-search.ts (where the header is), table-layout.ts (what each column holds);
 *   - row → message: table-upload.ts (classify, map, send, reject), row-to-invoice.ts,
 *     ubl-upload.ts;
 *   - reconciliation: tally.ts, control-total.ts;
 *   - report: report-builder.ts, report.ts.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crashPoint } from '../../lib/crash-points.ts';
import { type Delimiter, readDelimitedBatches } from './csv-reader.ts';
import { decodeText, describeEncoding } from './encoding.ts';
import type { SavedMapping } from './field-mapping.ts';
import { sniffFileKind } from './file-type.ts';
import { sheetWithHeader } from './header-search.ts';
import type { UploadReport, UploadStatus } from './report.ts';
import { buildReport, duplicateReport } from './report-builder.ts';
import type { Rejection } from './row-to-invoice.ts';
import { EMPTY_SCAN, type Scan, scanSource } from './scan.ts';
import { TableUpload } from './table-upload.ts';
import { Tally } from './tally.ts';
import {
  DEFAULT_LIMITS,
  isFileProblem,
  type OutgoingDocument,
  UploadFileError,
  type UploadLimits,
  type UploadOptions,
  type UploadProgress,
  type UploadSource,
  type UploadSteps,
} from './upload-contract.ts';

export { isHeaderRow } from './header-search.ts';
export { type Scan, scanSource } from './scan.ts';
// The upload's contract, from where callers have always imported it.
export {
  DEFAULT_LIMITS,
  type DocumentSink,
  isFileProblem,
  type OutgoingDocument,
  UploadFileError,
  type UploadLimits,
  type UploadOptions,
  type UploadProgress,
  type UploadSource,
  type UploadStart,
  type UploadStore,
} from './upload-contract.ts';

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

class Upload implements UploadSteps {
  readonly tally: Tally;
  readonly report: Partial<UploadReport> = {};
  readonly notes: string[] = [];
  private readonly uploadId = newUploadId();
  private readonly limits: UploadLimits;
  private readonly startedAt = new Date().toISOString();
  private readonly storedRejections: Rejection[] = [];
  private scan: Scan = EMPTY_SCAN;
  private table: TableUpload | null = null;
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
      if (this.tally.accepted === 0 && this.tally.rejected > 0) throw this.nothingAccepted();
    } catch (caught) {
      if (caught instanceof AlreadyUploaded) return duplicateReport(caught.previous, this.source.name);
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
    crashPoint('upload-before-finish');
    const report = this.buildReport(status, error);
    const { overlaps } = await this.options.store.finish(report, this.storedRejections);
    report.overlaps = overlaps;
    return report;
  }

  /** An upload none of whose rows went in fails, saying why the first was refused. */
  private nothingAccepted(): UploadFileError {
    const first = this.tally.rejections[0];
    const n = this.tally.rejected.toLocaleString('en-GB');
    const example = first
      ? ` (the first: row ${first.row}${first.column ? `, column "${first.column}"` : ''}: ${first.reason})`
      : '';
    return new UploadFileError(
      `no row was accepted: all ${n} rows that hold spend were rejected${example}; nothing was sent`,
    );
  }

  // ---- The formats ---------------------------------------------------------------------

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
    await this.readTable(rows, () => {
      this.report.format = delimiter === '\t' ? 'tsv' : 'csv';
      this.report.delimiter = delimiter;
    });
  }

  // The workbook and XML readers are loaded when a file needs them: their libraries stay out of
  // processes that never read one.
  private async readXlsx(): Promise<void> {
    const { readWorkbook } = await import('./xlsx-reader.ts');
    const sheets = await readWorkbook(
      await this.readWhole(this.limits.maxWorkbookBytes, 'a workbook', 'SPEND_UPLOAD_MAX_WORKBOOK_BYTES'),
      this.limits,
    );
    const sheet = sheetWithHeader(sheets, await this.savedMappings(), 1000) ?? sheets[0];
    if (!sheet) throw new UploadFileError('the workbook has no sheets');
    this.report.format = 'xlsx';
    this.report.sheet =
      sheets.length > 1
        ? `${sheet.name} (sheet ${sheets.indexOf(sheet) + 1} of ${sheets.length})`
        : sheet.name;
    await this.readTable([sheet.rows]);
  }

  private async readXml(): Promise<void> {
    const bytes = await this.readWhole(
      this.limits.maxXmlBytes,
      'an XML document',
      'SPEND_UPLOAD_MAX_XML_BYTES',
    );
    const xml = new TextDecoder(this.scan.encoding.name).decode(bytes);
    const { uploadUbl } = await import('./ubl-upload.ts');
    this.report.encoding = describeEncoding(this.scan.encoding);
    await uploadUbl(xml, this, {
      bodyId: this.options.bodyId,
      uploadId: this.uploadId,
      file: this.source.name,
    });
  }

  private async readTable(
    batches: Parameters<TableUpload['read']>[0],
    onFirstRow?: () => void,
  ): Promise<void> {
    this.table = new TableUpload(this, {
      bodyId: this.options.bodyId,
      uploadId: this.uploadId,
      file: this.source.name,
      limits: this.limits,
      saved: await this.savedMappings(),
    });
    await this.table.read(batches, {
      ...(onFirstRow ? { onFirstRow } : {}),
      afterBatch: () => this.progress('reading', this.bytesRead, this.scan.bytes),
    });
    this.progress('reading', this.bytesRead, this.scan.bytes, true);
  }

  private savedMappingsCache: Map<string, SavedMapping> | null = null;

  private async savedMappings(): Promise<Map<string, SavedMapping>> {
    this.savedMappingsCache ??= new Map(
      (await this.options.store.savedMappings(this.options.bodyId)).map((m) => [m.fingerprint, m.mapping]),
    );
    return this.savedMappingsCache;
  }

  private async *countedBytes(): AsyncGenerator<Buffer> {
    for await (const chunk of this.source.open() as AsyncIterable<Buffer>) {
      this.bytesRead += chunk.length;
      yield chunk;
    }
  }

  private async readWhole(limit: number, what: string, setting: string): Promise<Buffer> {
    if (this.scan.bytes > limit) {
      throw new UploadFileError(
        `${what} of ${this.scan.bytes.toLocaleString('en-GB')} bytes is over the ${limit.toLocaleString('en-GB')}-byte limit (${setting})`,
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of this.countedBytes()) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  // ---- The steps the pieces share (UploadSteps) --------------------------------------------

  async begin(fingerprint: string | null, digest: string | null): Promise<void> {
    const { duplicateOf } = await this.options.store.begin({
      uploadId: this.uploadId,
      bodyId: this.options.bodyId,
      file: this.source.name,
      sha256: this.scan.sha256,
      bytes: this.scan.bytes,
      format: this.report.format ?? null,
      mappingFingerprint: fingerprint,
      mappingDigest: digest,
      uploaderPid: process.pid,
    });
    if (duplicateOf) throw new AlreadyUploaded(duplicateOf);
    this.begun = true;
    crashPoint('upload-after-begin');
  }

  send(document: OutgoingDocument): Promise<void> | undefined {
    this.sent++;
    return this.options.sink.send(document);
  }

  reject(rejections: Rejection[]): void {
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
    return buildReport({
      uploadId: this.uploadId,
      bodyId: this.options.bodyId,
      file: this.source.name,
      scan: this.scan,
      status,
      error,
      read: this.report,
      tally: this.tally,
      counters: this.table?.counters ?? null,
      notes: this.notes,
      publishingThreshold: this.options.publishingThreshold,
      registeredThreshold: this.options.registeredThreshold,
      startedAt: this.startedAt,
    });
  }
}

/**
 * What the upload path and the places that call it agree on: the source, the limits, the
 * store and the sink, progress, and which errors are problems with the file (reported) rather
 * than outages or bugs (thrown). The pieces of an upload (upload.ts) share `UploadSteps`.
 */
import type { Readable } from 'node:stream';
import { CsvSyntaxError } from './csv-reader.ts';
import type { SavedMapping } from './field-mapping.ts';
import { UblError, WorkbookError } from './reader-errors.ts';
import type { Overlap, UploadReport } from './report.ts';
import type { Rejection } from './row-to-invoice.ts';
import type { Tally } from './tally.ts';

export type UploadSource = { name: string; open(): Readable };

export type UploadLimits = {
  /** Longest line read from a text file (longer lines are rejected, reading goes on). */
  maxLineChars: number;
  /** How many rows may come before the header row is found. */
  maxRowsBeforeHeader: number;
  /** Rows read from a file, all sheets together; reading stops past it. */
  maxRows: number;
  maxWorkbookBytes: number;
  /** What a workbook may really unpack to, and per byte of archive (xlsx-reader.ts). */
  maxUnpackedBytes: number;
  maxUnpackRatio: number;
  maxXmlBytes: number;
  /** Rejections listed in full in the report (all are counted). */
  listedRejections: number;
  /** Rejections stored row by row in upload_rejections. */
  storedRejections: number;
};

export const DEFAULT_LIMITS: UploadLimits = {
  maxLineChars: 1024 * 1024,
  maxRowsBeforeHeader: 100_000,
  maxRows: 5_000_000,
  maxWorkbookBytes: 100 * 1024 * 1024,
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxUnpackRatio: 100,
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
  /** The process reading the file: an upload left 'uploading' after it is gone was interrupted. */
  uploaderPid?: number;
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

/** What every piece of an upload does through the upload that runs it. */
export interface UploadSteps {
  readonly tally: Tally;
  /** What the report will say about how the file was read (format, mapping, date field…). */
  readonly report: Partial<UploadReport>;
  /** Notes for the report. */
  readonly notes: string[];
  /** Records the start (once the format and mapping are known); throws when it is a duplicate. */
  begin(fingerprint: string | null, digest: string | null): Promise<void>;
  /** Sends a message; returns a promise only when the sink asks to wait. */
  send(document: OutgoingDocument): Promise<void> | undefined;
  reject(rejections: Rejection[]): void;
}

/** A problem with the file itself: the report says it, nothing crashes. */
export class UploadFileError extends Error {
  override name = 'UploadFileError';
}

/** A problem with the file itself (reported), as opposed to an outage or a bug (thrown). */
export function isFileProblem(error: unknown): boolean {
  return (
    error instanceof UploadFileError ||
    error instanceof CsvSyntaxError ||
    error instanceof WorkbookError ||
    error instanceof UblError
  );
}

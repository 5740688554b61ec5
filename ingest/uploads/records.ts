/**
 * The database side of uploads: recording an upload and its report, the rows it rejected,
 * saved mappings, and what DuckDB holds for an upload once ingested. These functions are the
 * bodies of the `uploads.*` and `mappings.*` operations (owner/operations.ts), so they run in the
 * process that owns the database, whichever process asked.
 */

import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { requireBody } from '../../lib/bodies.ts';
import { inTransaction, queryRows } from '../../lib/db.ts';
import { UserError } from '../../lib/errors.ts';
import { bodyId } from '../../lib/fields.ts';
import type { Column } from '../../lib/output.ts';
import { processAlive } from '../../lib/processes.ts';
import { savedMapping } from './field-mapping.ts';
import type { IngestedTotals, Overlap, UploadReport } from './report.ts';

export const uploadStart = z.strictObject({
  uploadId: z.string().min(1).max(100),
  bodyId,
  file: z.string().min(1).max(1000),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
  format: z.string().nullable(),
  mappingFingerprint: z.string().nullable(),
  mappingDigest: z.string().nullable(),
  uploaderPid: z.number().int().positive().optional(),
});

const rejection = z.object({
  row: z.number().int(),
  column: z.string().nullable(),
  field: z.string().nullable(),
  value: z.string().optional(),
  reason: z.string(),
});

/** The report travels as JSON; its shape is ours (report.ts), only the columns we index are checked. */
export const uploadFinish = z.object({
  report: z.looseObject({
    uploadId: z.string().min(1),
    bodyId,
    status: z.enum(['uploaded', 'partial', 'failed', 'duplicate']),
    format: z.string().nullable(),
    rowsRead: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    skipped: z.number().int(),
    acceptedNetTotal: z.string(),
    months: z.record(z.string(), z.number()),
    publishingThreshold: z
      .looseObject({
        pounds: z.number().int().min(0),
        source: z.enum(['option', 'e-invoice', 'register', 'detected']),
      })
      .optional(),
  }),
  rejections: z.array(rejection).max(100_000),
});

export const mappingToSave = z.strictObject({
  bodyId,
  fingerprint: z.string().min(1).max(100),
  header: z.array(z.string()),
  mapping: savedMapping,
});

/** Starts an upload, or returns the earlier report when the same file was uploaded under the same mapping. */
export async function beginUpload(
  conn: DuckDBConnection,
  start: z.output<typeof uploadStart>,
): Promise<{ duplicateOf: UploadReport | null }> {
  await requireBody(conn, start.bodyId);
  await markInterruptedUploads(conn);
  if (start.mappingDigest !== null) {
    const previous = await queryRows<{ report: string }>(
      conn,
      `select report::varchar as report from uploads
       where body_id = $body and content_sha256 = $sha and mapping_digest = $digest and status = 'uploaded'
       order by created_at limit 1`,
      { body: start.bodyId, sha: start.sha256, digest: start.mappingDigest },
    );
    if (previous[0]) return { duplicateOf: JSON.parse(previous[0].report) as UploadReport };
  }
  await conn.run(
    `insert into uploads (upload_id, body_id, file_name, content_sha256, bytes, format, status, mapping_fingerprint, mapping_digest, uploader_pid)
     values ($id, $body, $file, $sha, $bytes, $format, 'uploading', $fingerprint, $digest, $pid)
     on conflict (upload_id) do update set format = excluded.format, mapping_fingerprint = excluded.mapping_fingerprint,
       mapping_digest = excluded.mapping_digest`,
    {
      id: start.uploadId,
      body: start.bodyId,
      file: start.file,
      sha: start.sha256,
      bytes: start.bytes,
      format: start.format,
      fingerprint: start.mappingFingerprint,
      digest: start.mappingDigest,
      pid: start.uploaderPid ?? null,
    },
  );
  return { duplicateOf: null };
}

export const INTERRUPTED =
  'interrupted: the process reading the file stopped before the end (killed, or the machine stopped). ' +
  'What it sent may be in; upload the file again: its rows keep their ids, so they replace themselves and nothing is counted twice.';

/**
 * Marks uploads still 'uploading' whose uploading process is gone as 'interrupted'. Run before
 * uploads are listed or shown, and when one begins, by the process holding the database: on the
 * uploaders' machine (the control socket is local; an HTTP upload runs in the owner itself). A
 * pid reused by an unrelated process keeps an upload 'uploading': never wrongly 'interrupted'.
 */
export async function markInterruptedUploads(conn: DuckDBConnection): Promise<number> {
  const open = await queryRows<{ upload_id: string; pid: number }>(
    conn,
    "select upload_id, uploader_pid as pid from uploads where status = 'uploading' and uploader_pid is not null",
  );
  const gone = open.filter((u) => !processAlive(u.pid));
  for (const upload of gone) {
    await conn.run(
      "update uploads set status = 'interrupted', finished_at = now() where upload_id = $id and status = 'uploading'",
      { id: upload.upload_id },
    );
  }
  return gone.length;
}

/** Stores the report and rejections; returns the earlier uploads of the body whose months overlap. */
export async function finishUpload(
  conn: DuckDBConnection,
  input: z.output<typeof uploadFinish>,
): Promise<{ overlaps: Overlap[] }> {
  const report = input.report as unknown as UploadReport;
  const overlaps = await findOverlaps(conn, report);
  const stored: UploadReport = { ...report, overlaps };
  await inTransaction(conn, async () => {
    await conn.run(
      `update uploads set format = $format, status = $status, rows_read = $rowsRead, accepted = $accepted,
         rejected = $rejected, skipped = $skipped, accepted_net_total = $total::decimal(18, 2),
         control_total = $control::decimal(18, 2), control_total_agrees = $agrees, period_start = $from::date,
         period_end = $to::date, report = $report::json, finished_at = now(),
         publishing_threshold = $threshold::decimal(18, 2), publishing_threshold_source = $thresholdSource
       where upload_id = $id`,
      {
        id: report.uploadId,
        format: report.format,
        status: report.status,
        rowsRead: report.rowsRead,
        accepted: report.accepted,
        rejected: report.rejected,
        skipped: report.skipped,
        total: report.acceptedNetTotal,
        control: report.controlTotal?.value ?? null,
        agrees: report.controlTotal?.agrees ?? null,
        from: report.period?.from ?? null,
        to: report.period?.to ?? null,
        threshold: report.publishingThreshold?.pounds ?? null,
        thresholdSource: report.publishingThreshold?.source ?? null,
        report: JSON.stringify(stored),
      },
    );
    await conn.run('delete from upload_rejections where upload_id = $id', { id: report.uploadId });
    if (input.rejections.length > 0) {
      const appender = await conn.createAppender('upload_rejections');
      for (const r of input.rejections) {
        appender.appendVarchar(report.uploadId);
        appender.appendInteger(r.row);
        for (const value of [r.column, r.field, r.value ?? null]) {
          if (value === null) appender.appendNull();
          else appender.appendVarchar(value);
        }
        appender.appendVarchar(r.reason);
        appender.endRow();
      }
      appender.closeSync();
    }
  });
  return { overlaps };
}

async function findOverlaps(conn: DuckDBConnection, report: UploadReport): Promise<Overlap[]> {
  const months = Object.keys(report.months ?? {});
  if (months.length === 0) return [];
  const earlier = await queryRows<{ upload_id: string; file_name: string; months: string | null }>(
    conn,
    `select upload_id, file_name, json_extract(report, '$.months')::varchar as months from uploads
     where body_id = $body and upload_id <> $id and status in ('uploaded', 'partial') order by created_at`,
    { body: report.bodyId, id: report.uploadId },
  );
  const overlaps: Overlap[] = [];
  for (const upload of earlier) {
    const theirs = JSON.parse(upload.months ?? '{}') as Record<string, number>;
    const shared = months
      .filter((month) => theirs[month] !== undefined)
      .map((month) => ({ month, here: report.months[month] ?? 0, there: theirs[month] ?? 0 }));
    if (shared.length > 0)
      overlaps.push({ uploadId: upload.upload_id, file: upload.file_name, months: shared });
  }
  return overlaps;
}

/**
 * What DuckDB holds for an upload: its documents as ingested (the latest version of each key
 * that came from this upload, so a later upload superseding a row does not change this upload's
 * reconciliation), and any of its messages the consumer dead-lettered.
 */
export async function readIngestedTotals(conn: DuckDBConnection, uploadId: string): Promise<IngestedTotals> {
  const [invoices] = await queryRows<{ n: number; total: string }>(
    conn,
    `select count(*)::integer as n, coalesce(sum(net_amount), 0)::decimal(38, 2)::varchar as total from (
       select net_amount, retracted from invoices where upload_id = $id
       qualify row_number() over (partition by body_id, invoice_id order by kafka_offset desc) = 1
     ) where not retracted`,
    { id: uploadId },
  );
  const [orders] = await queryRows<{ n: number; total: string }>(
    conn,
    `select count(*)::integer as n, coalesce(sum(total_net), 0)::decimal(38, 2)::varchar as total from (
       select total_net, retracted from purchase_orders where upload_id = $id
       qualify row_number() over (partition by body_id, po_number order by kafka_offset desc) = 1
     ) where not retracted`,
    { id: uploadId },
  );
  const [dead] = await queryRows<{ n: number }>(
    conn,
    'select count(*)::integer as n from rejected_messages where contains(raw_value, $needle)',
    { needle: `"uploadId":${JSON.stringify(uploadId)}` },
  );
  return {
    invoices: invoices?.n ?? 0,
    invoiceNetTotal: invoices?.total ?? '0.00',
    purchaseOrders: orders?.n ?? 0,
    purchaseOrderNetTotal: orders?.total ?? '0.00',
    deadLettered: dead?.n ?? 0,
  };
}

export async function readUploadReport(conn: DuckDBConnection, uploadId: string): Promise<UploadReport> {
  await markInterruptedUploads(conn);
  const rows = await queryRows<{ report: string | null; status: string }>(
    conn,
    'select report::varchar as report, status from uploads where upload_id = $id',
    { id: uploadId },
  );
  const row = rows[0];
  if (!row) throw new UserError('not-found', `No upload ${uploadId}.`);
  if (row.status === 'interrupted') throw new UserError('not-found', `Upload ${uploadId} was ${INTERRUPTED}`);
  if (!row.report)
    throw new UserError('not-found', `Upload ${uploadId} has not finished (status ${row.status}).`);
  return JSON.parse(row.report) as UploadReport;
}

/** The rejected rows' columns, for every output format (lib/output.ts). */
export const REJECTION_COLUMNS: Column[] = [
  { name: 'row', type: 'INTEGER' },
  { name: 'column', type: 'VARCHAR' },
  { name: 'field', type: 'VARCHAR' },
  { name: 'value', type: 'VARCHAR' },
  { name: 'reason', type: 'VARCHAR' },
];

export async function readUploadRejections(
  conn: DuckDBConnection,
  uploadId: string,
): Promise<
  { row: number; column: string | null; field: string | null; value: string | null; reason: string }[]
> {
  return queryRows(
    conn,
    `select row_number as "row", column_name as "column", field, value, reason
     from upload_rejections where upload_id = $id order by row_number`,
    { id: uploadId },
  );
}

export type UploadListing = {
  uploadId: string;
  bodyId: string;
  file: string;
  status: string;
  accepted: number | null;
  rejected: number | null;
  acceptedNetTotal: string | null;
  createdAt: string;
};

export async function listUploads(
  conn: DuckDBConnection,
  body: string | undefined,
): Promise<UploadListing[]> {
  await markInterruptedUploads(conn);
  return queryRows<UploadListing>(
    conn,
    `select upload_id as "uploadId", body_id as "bodyId", file_name as "file", status, accepted, rejected,
            accepted_net_total::varchar as "acceptedNetTotal", strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') as "createdAt"
     from uploads where $body::varchar is null or body_id = $body order by created_at, upload_id`,
    { body: body ?? null },
  );
}

export async function saveMapping(
  conn: DuckDBConnection,
  input: z.output<typeof mappingToSave>,
): Promise<{ saved: true; fingerprint: string }> {
  await requireBody(conn, input.bodyId);
  await conn.run(
    `insert into upload_mappings (body_id, fingerprint, header, mapping) values ($body, $fingerprint, $header::json, $mapping::json)
     on conflict (body_id, fingerprint) do update set header = excluded.header, mapping = excluded.mapping, saved_at = now()`,
    {
      body: input.bodyId,
      fingerprint: input.fingerprint,
      header: JSON.stringify(input.header),
      mapping: JSON.stringify(input.mapping),
    },
  );
  return { saved: true, fingerprint: input.fingerprint };
}

export async function listMappings(
  conn: DuckDBConnection,
  body: string,
): Promise<
  { fingerprint: string; header: string[]; mapping: z.output<typeof savedMapping>; savedAt: string }[]
> {
  const rows = await queryRows<{ fingerprint: string; header: string; mapping: string; saved_at: string }>(
    conn,
    `select fingerprint, header::varchar as header, mapping::varchar as mapping, saved_at::varchar as saved_at
     from upload_mappings where body_id = $body order by saved_at`,
    { body },
  );
  return rows.map((r) => ({
    fingerprint: r.fingerprint,
    header: JSON.parse(r.header) as string[],
    mapping: savedMapping.parse(JSON.parse(r.mapping)),
    savedAt: r.saved_at,
  }));
}

export const ingestedRecord = z.strictObject({
  uploadId: z.string().min(1).max(100),
  ingested: z.strictObject({
    invoices: z.number().int(),
    invoiceNetTotal: z.string(),
    purchaseOrders: z.number().int(),
    purchaseOrderNetTotal: z.string(),
    deadLettered: z.number().int(),
    agrees: z.boolean(),
  }),
});

/** Adds the DuckDB side of the reconciliation to the stored report, once the upload is ingested. */
export async function recordIngested(
  conn: DuckDBConnection,
  input: z.output<typeof ingestedRecord>,
): Promise<void> {
  await conn.run(`update uploads set report = json_merge_patch(report, $patch::json) where upload_id = $id`, {
    id: input.uploadId,
    patch: JSON.stringify({ ingested: input.ingested }),
  });
}

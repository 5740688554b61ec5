/**
 * Uploads over HTTP, through the same upload path as `spend upload`: the request body (the file,
 * streamed) is spooled to a private temporary file under a size limit, then read, mapped,
 * reconciled and published to Kafka by the owner's uploader. Status is polled or followed as
 * server-sent events until every accepted document is in DuckDB.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import { z } from 'zod';
import { MEDIA_TYPES, type Row, writeResult } from '../../lib/output.ts';
import { REJECTION_COLUMNS, runOperation } from '../../owner/operations.ts';
import type { Principal } from '../auth.ts';
import type { ApiContext, IngestedTotals, UploadReport } from '../context.ts';
import { receiveMultipart } from '../multipart.ts';
import { HttpError, toProblem } from '../problem.ts';
import { route } from '../route.ts';
import { bodyId, TABLE_MEDIA, tableResponse } from '../schemas.ts';

/** A file name, never a path: no separators, no leading dot, printable characters only. */
export const fileName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._()+,&'-]*$/, 'a plain file name (no folders, no leading dot)')
  .refine((name) => !name.includes('..'), 'a plain file name (no "..")');

/** The text fields of a multipart upload: those of the streamed upload but the file name, which each file part carries. */
const uploadFormFields = z.strictObject({
  bodyId: bodyId.optional(),
  threshold: z.coerce.number().int().min(0).max(1_000_000).optional(),
});
/** Files in one multipart request. */
export const MAX_FILES_PER_REQUEST = 20;

const uploadId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'an upload id');
const ALL = ['body', 'procurement', 'finance', 'admin'] as const;

/** A body key acts for its own body only. */
function ownBody(principal: Principal, wanted: string | undefined): string | undefined {
  if (principal.kind === 'key' && principal.role === 'body') {
    if (wanted && wanted !== principal.bodyId)
      throw new HttpError(403, 'A body key uploads and reads for its own body only.');
    return principal.bodyId ?? undefined;
  }
  return wanted;
}

async function spool(req: Request, limit: number): Promise<{ dir: string; path: string }> {
  const declared = Number(req.get('content-length') ?? 0);
  if (declared > limit)
    throw new HttpError(413, `The file is larger than the ${limit} bytes an upload may be.`);
  const dir = await mkdtemp(join(tmpdir(), 'spend-upload-'));
  const path = join(dir, 'body');
  let bytes = 0;
  try {
    await pipeline(
      req,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          if (bytes > limit)
            throw new HttpError(413, `The file is larger than the ${limit} bytes an upload may be.`);
          yield chunk;
        }
      },
      createWriteStream(path, { mode: 0o600 }),
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, path };
}

export function uploadRoutes(context: ApiContext) {
  const report = async (principal: Principal, id: string) => {
    const found = (await runOperation(context.db, 'uploads.report', { uploadId: id })) as UploadReport;
    ownBody(principal, found.bodyId);
    return found;
  };
  const status = async (principal: Principal, id: string) => {
    const found = await report(principal, id);
    const source = found.duplicateOf ?? found.uploadId;
    const ingested = (await runOperation(context.db, 'uploads.ingested', {
      uploadId: source,
    })) as IngestedTotals;
    const expected = found.messages.invoices + found.messages.purchaseOrders;
    const inDuckDb = ingested.invoices + ingested.purchaseOrders;
    return {
      uploadId: found.uploadId,
      status: found.status,
      phase: inDuckDb >= expected ? 'ingested' : 'ingesting',
      expectedDocuments: expected,
      ingestedDocuments: inDuckDb,
      ingested,
    };
  };
  return [
    route({
      method: 'post',
      path: '/api/v1/uploads',
      tag: 'uploads',
      summary:
        'Upload one spend file (CSV/TSV, XLSX, Peppol UBL) as the request body; answers its reconciliation report',
      access: ['body', 'admin'],
      ownBodyOnly: true,
      query: z.strictObject({
        bodyId: bodyId.optional(),
        filename: fileName,
        threshold: z.coerce.number().int().min(0).max(1_000_000).optional(),
      }),
      rawBody: 'application/octet-stream',
      status: 201,
      handler: async ({ req, res, query, principal, audit }) => {
        const body = ownBody(principal, query.bodyId);
        if (!body) throw new HttpError(400, 'Say which body the file belongs to: ?bodyId=…');
        const limit = context.settings.maxUploadBytes;
        if (Number(req.get('content-length') ?? 0) > limit) {
          throw new HttpError(413, `The file is larger than the ${limit} bytes an upload may be.`);
        }
        if (!context.uploader)
          throw new HttpError(503, 'This server does not take uploads (no Kafka producer).');
        const spooled = await spool(req, context.settings.maxUploadBytes);
        try {
          const result = await context.uploader({
            bodyId: body,
            name: query.filename,
            path: spooled.path,
            ...(query.threshold !== undefined ? { publishingThreshold: query.threshold } : {}),
          });
          res.locals.uploadStatus = result.status;
          audit({
            target: `upload:${result.uploadId}`,
            after: { bodyId: body, file: query.filename, status: result.status },
          });
          return result;
        } finally {
          await rm(spooled.dir, { recursive: true, force: true });
        }
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/uploads/multipart',
      tag: 'uploads',
      summary: `Upload one or several spend files (at most ${MAX_FILES_PER_REQUEST}) as multipart/form-data, each through the same path as POST /api/v1/uploads; answers each file's reconciliation report, or the problem with it`,
      access: ['body', 'admin'],
      multipart: { fields: uploadFormFields, fileField: 'file' },
      status: 201,
      handler: async ({ req, res, principal, audit }) => {
        // the body is named inside the form: read it before anything can be said about access
        const form = await receiveMultipart(req, {
          fileField: 'file',
          fieldNames: Object.keys(uploadFormFields.shape),
          maxBytes: context.settings.maxUploadBytes,
          maxFiles: MAX_FILES_PER_REQUEST,
          fileName,
        });
        try {
          const fields = uploadFormFields.parse(form.fields);
          const body = ownBody(principal, fields.bodyId);
          if (!body) throw new HttpError(400, 'Say which body the files belong to: the form field bodyId.');
          const uploader = context.uploader;
          if (!uploader) throw new HttpError(503, 'This server does not take uploads (no Kafka producer).');
          // one after another, as `spend upload a.csv b.csv` does: a file the upload path
          // refuses is named with its problem, and the others still go through
          const uploads: Array<
            | { file: string; report: UploadReport }
            | { file: string; problem: { status: number; detail?: string } }
          > = [];
          for (const file of form.files) {
            try {
              const report = await uploader({
                bodyId: body,
                name: file.name,
                path: file.path,
                ...(fields.threshold !== undefined ? { publishingThreshold: fields.threshold } : {}),
              });
              uploads.push({ file: file.name, report });
            } catch (error) {
              const { problem, fault } = toProblem(error);
              if (fault) throw error;
              uploads.push({ file: file.name, problem: { status: problem.status, detail: problem.detail } });
            }
          }
          res.locals.uploadStatuses = uploads.map((u) => ('report' in u ? u.report.status : 'refused'));
          audit({
            target: `uploads:${uploads.map((u) => ('report' in u ? u.report.uploadId : u.file)).join(',')}`,
            after: {
              bodyId: body,
              files: uploads.map((u) => ({
                file: u.file,
                status: 'report' in u ? u.report.status : 'refused',
              })),
            },
          });
          return { uploads };
        } finally {
          await rm(form.dir, { recursive: true, force: true });
        }
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/uploads',
      tag: 'uploads',
      summary: 'The uploads, oldest first (a body key sees its own)',
      access: ALL,
      query: z.strictObject({ bodyId: bodyId.optional() }),
      handler: async ({ query, principal }) => ({
        uploads: await runOperation(context.db, 'uploads.list', {
          ...(ownBody(principal, query.bodyId) ? { bodyId: ownBody(principal, query.bodyId) } : {}),
        }),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/uploads/:uploadId',
      tag: 'uploads',
      summary: "An upload's reconciliation report",
      access: ALL,
      params: z.strictObject({ uploadId }),
      handler: async ({ params, principal }) => report(principal, params.uploadId),
    }),
    route({
      method: 'get',
      path: '/api/v1/uploads/:uploadId/status',
      tag: 'uploads',
      summary: 'Where an upload is: documents expected, documents in DuckDB',
      access: ALL,
      params: z.strictObject({ uploadId }),
      handler: async ({ params, principal }) => status(principal, params.uploadId),
    }),
    route({
      method: 'get',
      path: '/api/v1/uploads/:uploadId/events',
      tag: 'uploads',
      summary: 'The status as server-sent events, until every document is in DuckDB',
      access: ALL,
      params: z.strictObject({ uploadId }),
      produces: ['text/event-stream'],
      handler: async ({ req, res, params, principal }) => {
        let current = await status(principal, params.uploadId);
        res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.flushHeaders();
        let closed = false;
        req.on('close', () => {
          closed = true;
        });
        for (;;) {
          res.write(`event: status\ndata: ${JSON.stringify(current)}\n\n`);
          if (current.phase === 'ingested' || closed) break;
          await new Promise((resolve) => setTimeout(resolve, 1000));
          current = await status(principal, params.uploadId);
        }
        res.end();
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/uploads/:uploadId/rejections',
      tag: 'uploads',
      summary: "An upload's rejected rows (row, column, field, value, reason), CSV by default",
      access: ALL,
      params: z.strictObject({ uploadId }),
      query: z.strictObject({ format: z.enum(['json', 'csv', 'arrow']).optional() }),
      response: tableResponse,
      produces: TABLE_MEDIA,
      handler: async ({ res, params, query, principal }) => {
        await report(principal, params.uploadId);
        const rows = (await runOperation(context.db, 'uploads.rejections', {
          uploadId: params.uploadId,
        })) as Row[];
        const format = query.format ?? 'csv';
        res.status(200).type(MEDIA_TYPES[format]);
        if (format === 'csv') res.attachment(`rejections-${params.uploadId}.csv`);
        await writeResult(
          format,
          REJECTION_COLUMNS,
          [rows],
          { write: (c) => void res.write(c) },
          { nextCursor: null },
        );
        res.end();
      },
    }),
  ];
}

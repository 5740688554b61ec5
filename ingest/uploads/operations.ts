/**
 * The uploads' operations, served by the owning process like every other operation
 * (owner/operations.ts spreads them in), so `spend upload` and `spend mapping` work whether or
 * not `spend serve`/`spend ingest` is running — and the HTTP API can call the same ones later.
 */
import { z } from 'zod';
import { bodyId } from '../../lib/fields.ts';
import { op } from '../../lib/operation.ts';
import {
  beginUpload,
  finishUpload,
  ingestedRecord,
  listMappings,
  listUploads,
  mappingToSave,
  readIngestedTotals,
  readUploadRejections,
  readUploadReport,
  recordIngested,
  saveMapping,
  uploadFinish,
  uploadStart,
} from './records.ts';

const uploadIdParams = z.object({ uploadId: z.string().min(1).max(100) });

export const UPLOAD_OPERATIONS = {
  'uploads.begin': op({ params: uploadStart, run: (db, p) => db.withConnection((c) => beginUpload(c, p)) }),
  'uploads.finish': op({
    params: uploadFinish,
    run: (db, p) => db.withConnection((c) => finishUpload(c, p)),
  }),
  'uploads.ingested': op({
    params: uploadIdParams,
    run: (db, p) => db.withConnection((c) => readIngestedTotals(c, p.uploadId)),
  }),
  'uploads.recordIngested': op({
    params: ingestedRecord,
    // An answer with a result: the owner's reply must carry one (undefined is dropped from JSON).
    run: (db, p) =>
      db.withConnection(async (c) => {
        await recordIngested(c, p);
        return { recorded: true };
      }),
  }),
  'uploads.report': op({
    params: uploadIdParams,
    run: (db, p) => db.withConnection((c) => readUploadReport(c, p.uploadId)),
  }),
  'uploads.rejections': op({
    params: uploadIdParams,
    run: (db, p) => db.withConnection((c) => readUploadRejections(c, p.uploadId)),
  }),
  'uploads.list': op({
    params: z.object({ bodyId: bodyId.optional() }),
    run: (db, p) => db.withConnection((c) => listUploads(c, p.bodyId)),
  }),
  'mappings.save': op({ params: mappingToSave, run: (db, p) => db.withConnection((c) => saveMapping(c, p)) }),
  'mappings.list': op({
    params: z.object({ bodyId }),
    run: (db, p) => db.withConnection((c) => listMappings(c, p.bodyId)),
  }),
};

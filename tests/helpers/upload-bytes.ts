/**
 * Uploads bytes through the whole upload path with an in-memory store (nothing saved, no
 * duplicates) and sink: for unit tests that build their own files.
 */
import { Readable } from 'node:stream';
import type { UploadReport } from '../../ingest/uploads/report.ts';
import { type OutgoingDocument, type UploadLimits, uploadFile } from '../../ingest/uploads/upload.ts';

export async function uploadBytes(name: string, bytes: Buffer | string, limits: Partial<UploadLimits> = {}) {
  const sent: OutgoingDocument[] = [];
  const finished: UploadReport[] = [];
  const report = await uploadFile(
    { name, open: () => Readable.from([Buffer.from(bytes)]) },
    {
      bodyId: 'test-council',
      limits,
      store: {
        savedMappings: async () => [],
        begin: async () => ({ duplicateOf: null }),
        finish: async (finishedReport) => {
          finished.push(finishedReport);
          return { overlaps: [] };
        },
      },
      sink: {
        send: (document) => {
          sent.push(document);
          return undefined;
        },
        flush: async () => undefined,
      },
    },
  );
  return { report, sent, finished };
}

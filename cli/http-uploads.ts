/**
 * The uploader the API is given by the owning process: the very upload path of `spend upload`
 * (ingest/uploads/upload.ts, its Kafka sink, and the same upload operations), run in the owner
 * with one idempotent producer for all HTTP uploads.
 */
import { createReadStream } from 'node:fs';
import type { Uploader } from '../api/context.ts';
import { KafkaDocumentSink } from '../ingest/uploads/kafka-sink.ts';
import { uploadFile } from '../ingest/uploads/upload.ts';
import type { Body } from '../lib/bodies.ts';
import type { Config } from '../lib/config.ts';
import type { Database } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { documentTopicsFor } from '../lib/topics.ts';
import { runOperation } from '../owner/operations.ts';
import { connectUploadProducer, operationStore } from './upload.ts';

export async function startHttpUploads(
  config: Config,
  db: Database,
  log: Logger,
): Promise<{ uploader: Uploader; close(): Promise<void> }> {
  const producer = await connectUploadProducer(config, log);
  const store = operationStore((name, params) => runOperation(db, name, params as never));
  const uploader: Uploader = async (file) => {
    const bodies = (await runOperation(db, 'bodies.list', {})) as Body[];
    const body = bodies.find((b) => b.bodyId === file.bodyId);
    if (!body) throw new UserError('not-found', `Body "${file.bodyId}" is not registered.`);
    const sink = new KafkaDocumentSink(producer, documentTopicsFor(config, file.bodyId));
    return uploadFile(
      { name: file.name, open: () => createReadStream(file.path, { highWaterMark: 256 * 1024 }) },
      {
        bodyId: file.bodyId,
        registeredThreshold: body.publishingThreshold,
        ...(file.publishingThreshold !== undefined ? { publishingThreshold: file.publishingThreshold } : {}),
        store,
        sink,
      },
    );
  };
  return { uploader, close: () => producer.disconnect() };
}

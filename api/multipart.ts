/**
 * Reads a multipart/form-data upload (busboy): its text fields, and each file streamed to a private
 * temporary folder, never held in memory. Refused with problem+json: a field or file part of a
 * name the route does not know (400), a file name that is a path (400), more files than allowed
 * or more bytes in all than the upload limit (413). The caller removes `dir` when done.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import type { z } from 'zod';
import { HttpError } from './problem.ts';

export type ReceivedFile = { name: string; path: string; bytes: number };
export type ReceivedForm = { dir: string; fields: Record<string, string>; files: ReceivedFile[] };

export type MultipartLimits = {
  /** The one part name files come in (repeated for several files). */
  fileField: string;
  /** Names of the text fields the route takes; any other is refused. */
  fieldNames: readonly string[];
  /** Bytes of all files together. */
  maxBytes: number;
  maxFiles: number;
  /** Validates each file's own name (a plain name, never a path). */
  fileName: z.ZodType<string>;
};

// a connection whose body was not read to the end cannot carry another request
const CLOSE = { Connection: 'close' };

export async function receiveMultipart(req: Request, limits: MultipartLimits): Promise<ReceivedForm> {
  if (!req.is('multipart/form-data'))
    throw new HttpError(
      415,
      'Send the files as multipart/form-data (or one file as the body of POST /api/v1/uploads).',
    );
  if (Number(req.get('content-length') ?? 0) > limits.maxBytes + 1024 * 1024)
    throw new HttpError(
      413,
      `The files are larger than the ${limits.maxBytes} bytes an upload may be.`,
      CLOSE,
    );
  const dir = await mkdtemp(join(tmpdir(), 'spend-upload-'));
  const fields: Record<string, string> = {};
  const files: ReceivedFile[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: req.headers,
          // the name as sent, so that a path is refused by name, not quietly cut to its last part
          preservePath: true,
          limits: {
            files: limits.maxFiles,
            fields: limits.fieldNames.length,
            fieldSize: 1024,
            fileSize: limits.maxBytes,
            parts: limits.maxFiles + limits.fieldNames.length,
          },
        });
      } catch (error) {
        reject(new HttpError(400, `Not a readable multipart/form-data body: ${(error as Error).message}`));
        return;
      }
      let failed = false;
      let total = 0;
      const writes: Promise<void>[] = [];
      const fail = (error: HttpError) => {
        if (failed) return;
        failed = true;
        req.unpipe(parser);
        reject(error);
      };
      parser.on('field', (name, value, info) => {
        if (!limits.fieldNames.includes(name))
          return fail(
            new HttpError(
              400,
              `Unknown form field "${name}" (known: ${limits.fieldNames.join(', ')}, ${limits.fileField}).`,
              CLOSE,
            ),
          );
        if (info.valueTruncated)
          return fail(new HttpError(413, `The form field "${name}" is too long.`, CLOSE));
        if (name in fields)
          return fail(new HttpError(400, `The form field "${name}" is given twice.`, CLOSE));
        fields[name] = value;
      });
      parser.on('file', (name, stream, info) => {
        if (failed) {
          stream.resume();
          return;
        }
        if (name !== limits.fileField) {
          stream.resume();
          return fail(
            new HttpError(400, `Unknown form part "${name}": files go in "${limits.fileField}".`, CLOSE),
          );
        }
        const checked = limits.fileName.safeParse(info.filename ?? '');
        if (!checked.success) {
          stream.resume();
          return fail(
            new HttpError(
              400,
              `file name ${JSON.stringify(info.filename ?? '')}: ${checked.error.issues[0]?.message ?? 'invalid'}`,
              CLOSE,
            ),
          );
        }
        const file: ReceivedFile = { name: checked.data, path: join(dir, `file-${files.length}`), bytes: 0 };
        files.push(file);
        const tooLarge = () =>
          new HttpError(
            413,
            `The files are larger than the ${limits.maxBytes} bytes an upload may be.`,
            CLOSE,
          );
        stream.on('limit', () => fail(tooLarge()));
        writes.push(
          pipeline(
            stream,
            async function* (source: AsyncIterable<Buffer>) {
              for await (const chunk of source) {
                file.bytes += chunk.length;
                total += chunk.length;
                if (total > limits.maxBytes) {
                  fail(tooLarge());
                  return;
                }
                yield chunk;
              }
            },
            createWriteStream(file.path, { mode: 0o600 }),
          ).catch((error: unknown) => {
            fail(
              error instanceof HttpError
                ? error
                : new HttpError(400, `The upload was cut short: ${String(error)}`, CLOSE),
            );
          }),
        );
      });
      parser.on('filesLimit', () =>
        fail(new HttpError(413, `At most ${limits.maxFiles} files in one request.`, CLOSE)),
      );
      parser.on('fieldsLimit', () => fail(new HttpError(400, 'Too many form fields.', CLOSE)));
      parser.on('partsLimit', () => fail(new HttpError(400, 'Too many form parts.', CLOSE)));
      parser.on('error', (error: Error) =>
        fail(new HttpError(400, `Not a readable multipart/form-data body: ${error.message}`, CLOSE)),
      );
      parser.on('close', () => {
        void Promise.all(writes).then(() => {
          if (failed) return;
          if (files.length === 0)
            fail(new HttpError(400, `No file: send one or more in the "${limits.fileField}" part.`));
          else resolve();
        });
      });
      req.on('aborted', () => fail(new HttpError(400, 'The client went away during the upload.')));
      req.pipe(parser);
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, fields, files };
}

/**
 * The first pass over an upload's bytes: the content hash (the same file twice is recognised
 * before anything is sent), the size, the text encoding (decided from every byte) and the
 * first bytes, from which the kind of file is sniffed.
 */
import { createHash } from 'node:crypto';
import { EncodingScanner, type TextEncoding } from './encoding.ts';
import { SNIFF_BYTES } from './file-type.ts';
import type { UploadSource } from './upload-contract.ts';

export type Scan = { sha256: string; bytes: number; encoding: TextEncoding; head: Buffer };

export const EMPTY_SCAN: Scan = {
  sha256: '',
  bytes: 0,
  encoding: { name: 'utf-8', bom: false, dosPound: false },
  head: Buffer.alloc(0),
};

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

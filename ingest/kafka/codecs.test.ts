import { randomBytes } from 'node:crypto';
import { decompress as fzstdDecompress } from 'fzstd';
import { decompress as lz4jsDecompress } from 'lz4js';
import { describe, expect, test } from 'vitest';
import { type Codec, lz4Codec, lz4Frame, snappyCodec, zstdCodec } from './codecs.ts';

function invoiceLikeText(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `{"invoiceId":"INV-${i}","supplier":"SUPPLIER ${i % 37} LTD","netAmount":"${(i * 13.7).toFixed(2)}"}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

const inputs: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  'one byte': Buffer.from('x'),
  'text, 10 KiB': invoiceLikeText(10 * 1024),
  'random, 100 KiB': randomBytes(100 * 1024),
  'text, 5 MiB (many LZ4 blocks)': invoiceLikeText(5 * 1024 * 1024),
};

const codecs: Record<string, Codec> = { snappy: snappyCodec, lz4: lz4Codec, zstd: zstdCodec };

describe.each(Object.entries(codecs))('%s codec', (_name, codec) => {
  test.each(Object.entries(inputs))('round-trips %s', async (_label, input) => {
    const compressed = await codec.compress({ buffer: input });
    expect(Buffer.isBuffer(compressed)).toBe(true);
    const restored = await codec.decompress(compressed);
    expect(Buffer.isBuffer(restored)).toBe(true);
    expect(restored.equals(input)).toBe(true);
  });

  test('compresses repetitive text', async () => {
    const input = invoiceLikeText(64 * 1024);
    expect((await codec.compress({ buffer: input })).length).toBeLessThan(input.length / 2);
  });
});

describe('LZ4 frames', () => {
  test('declare independent 64 KiB blocks, each shorter than the maximum', () => {
    const frame = lz4Frame(invoiceLikeText(300 * 1024));
    expect(frame.readUInt32LE(0)).toBe(0x184d2204);
    expect(frame[4]).toBe(0x60);
    expect(frame[5]).toBe(0x40);
    let at = 7;
    let blocks = 0;
    for (;;) {
      const word = frame.readUInt32LE(at);
      if (word === 0) break;
      const size = word & 0x7fffffff;
      expect(size).toBeLessThan(64 * 1024);
      at += 4 + size;
      blocks++;
    }
    expect(blocks).toBe(5);
    expect(at + 4).toBe(frame.length);
  });

  test('decode with lz4js as a whole frame', () => {
    const input = invoiceLikeText(200 * 1024);
    expect(Buffer.from(lz4jsDecompress(lz4Frame(input))).equals(input)).toBe(true);
  });
});

test('zstd frames compressed here decode with fzstd (the decoder used for Java-made frames)', async () => {
  const input = invoiceLikeText(50 * 1024);
  const compressed = await zstdCodec.compress({ buffer: input });
  expect(Buffer.from(fzstdDecompress(compressed)).equals(input)).toBe(true);
});

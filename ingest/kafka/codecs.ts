/**
 * Compression codecs for kafkajs, which ships GZIP only. Other producers (Java clients, Kafka
 * Connect, the perf tools) may send Snappy, LZ4 or ZSTD batches, and a consumer that meets a codec
 * it lacks stops on that partition. Everything here is pure JS or WASM: nothing downloads
 * binaries at install time.
 *
 * - Snappy: kafkajs-snappy (reads both raw snappy and the xerial framing Java producers write).
 * - LZ4: the LZ4 frame format (what Kafka uses for record batch v2). lz4js decodes frames and
 *   compresses blocks; the frame is written here, because lz4js' own frames declare dependent
 *   blocks (and do let matches cross blocks), which Kafka's Java decoder refuses outright: the
 *   broker fails the produce ("Dependent block stream is unsupported", seen on Kafka 4.1.1).
 * - ZSTD: fzstd decompresses (handles the streamed frames without content size that zstd-jni
 *   writes); @bokuweb/zstd-wasm compresses.
 *
 * Plain codec objects, free of kafkajs: client.ts (the one module that imports kafkajs) registers
 * them with the client.
 */
import { compress as zstdCompress, init as zstdInit } from '@bokuweb/zstd-wasm';
import { decompress as zstdDecompress } from 'fzstd';
import createSnappyCodec from 'kafkajs-snappy';
import { compressBlock as lz4CompressBlock, decompress as lz4Decompress } from 'lz4js';
import { hash as xxh32 } from 'lz4js/xxh32.js';

/** The shape kafkajs expects from a codec: compress gets its Encoder, decompress a Buffer. */
export type Codec = {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
};

const ZSTD_LEVEL = 3;

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const snappyCodec: Codec = createSnappyCodec();

const LZ4_MAGIC = 0x184d2204;
/** Frame descriptor FLG: version 01, independent blocks, no checksums, no content size. */
const LZ4_FLG = 0x60;
/** Block maximum 64 KiB (BD id 4), as Kafka's own Java encoder writes. */
const LZ4_BD = 4 << 4;
/**
 * Data per block, a little under the 64 KiB maximum: lz4js may end a block's last match closer
 * to the block end than the LZ4 reference decoder accepts in a block that fills its maximum
 * (MFLIMIT, 12 bytes). A block shorter than the maximum leaves the decoder that slack.
 */
const LZ4_BLOCK_DATA = 64 * 1024 - 16;
const LZ4_UNCOMPRESSED = 0x80000000;

/** One LZ4 frame of independent blocks (each block compressed with a fresh match table). */
export function lz4Frame(src: Uint8Array): Buffer {
  const blocks = Math.ceil(src.length / LZ4_BLOCK_DATA);
  const out = Buffer.alloc(7 + src.length + 4 * blocks + 4);
  out.writeUInt32LE(LZ4_MAGIC, 0);
  out[4] = LZ4_FLG;
  out[5] = LZ4_BD;
  out[6] = (xxh32(0, out, 4, 2) >>> 8) & 0xff;
  let at = 7;
  const scratch = Buffer.alloc(LZ4_BLOCK_DATA + 1024);
  const matches = new Uint32Array(1 << 16);
  for (let start = 0; start < src.length; start += LZ4_BLOCK_DATA) {
    const length = Math.min(LZ4_BLOCK_DATA, src.length - start);
    matches.fill(0);
    const size = lz4CompressBlock(src, scratch, start, length, matches);
    if (size > 0 && size < length) {
      out.writeUInt32LE(size, at);
      scratch.copy(out, at + 4, 0, size);
      at += 4 + size;
    } else {
      out.writeUInt32LE((LZ4_UNCOMPRESSED | length) >>> 0, at);
      out.set(src.subarray(start, start + length), at + 4);
      at += 4 + length;
    }
  }
  out.writeUInt32LE(0, at);
  return out.subarray(0, at + 4);
}

export const lz4Codec: Codec = {
  async compress(encoder) {
    return lz4Frame(encoder.buffer);
  },
  async decompress(buffer) {
    return toBuffer(lz4Decompress(buffer));
  },
};

let zstdReady: Promise<void> | undefined;

export const zstdCodec: Codec = {
  async compress(encoder) {
    zstdReady ??= zstdInit();
    await zstdReady;
    return toBuffer(zstdCompress(encoder.buffer, ZSTD_LEVEL));
  },
  async decompress(buffer) {
    return toBuffer(zstdDecompress(buffer));
  },
};

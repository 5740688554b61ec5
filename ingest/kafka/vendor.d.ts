// Type declarations for the untyped compression packages used by codecs.ts.

declare module 'kafkajs-snappy' {
  interface KafkaCodec {
    compress(encoder: { buffer: Buffer }): Promise<Buffer>;
    decompress(buffer: Buffer): Promise<Buffer>;
  }
  const createSnappyCodec: () => KafkaCodec;
  export default createSnappyCodec;
}

declare module 'lz4js' {
  /** Compresses to one LZ4 frame (blocks may depend on earlier blocks). */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Decompresses one LZ4 frame. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /**
   * Compresses src[start, start + length) as one LZ4 block into dst; returns its size, or 0 when
   * nothing matched. Positions in hashTable (zeroed = empty) are absolute indexes into src.
   */
  export function compressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    start: number,
    length: number,
    hashTable: Uint32Array,
  ): number;
}

declare module 'lz4js/xxh32.js' {
  /** xxHash32 of src[index, index + length). */
  export function hash(seed: number, src: Uint8Array, index: number, length: number): number;
}

/**
 * A record batch that cannot be decompressed must be set aside, never block its partition.
 * kafkajs decompresses inside its fetch and would fail the whole fetch, forever, at the same
 * offset. So every codec is wrapped: when decompression fails, the wrapper returns one
 * synthetic record per record of the batch, with no key or value and the reason in the
 * UNDECODABLE_HEADER header. The consumer dead-letters them ('undecodable-batch') and moves on.
 *
 * The record count sits in the 4 bytes just before the compressed records, in the same buffer
 * kafkajs hands the codec a view of (kafkajs 2.2.4, protocol/recordBatch/v0/decoder.js:
 * readInt32() then readAll()). Synthetic offsets are consecutive from the batch's first offset,
 * which is exact for every batch except those of compacted topics with holes.
 */
import type { Codec } from './codecs.ts';

export const UNDECODABLE_HEADER = 'x-spend-undecodable';
const MAX_RECORDS_IN_BATCH = 10_000_000;

export function tolerateUndecodable(name: string, codec: Codec): Codec {
  return {
    compress: (encoder) => codec.compress(encoder),
    async decompress(buffer) {
      const count = recordCountBefore(buffer);
      let failure: string;
      try {
        const records = await codec.decompress(buffer);
        // Some decoders return garbage for garbage instead of failing: check the framing.
        if (count === null || holdsRecords(records, count)) return records;
        failure = `decompressed bytes do not hold ${count} well-formed records`;
      } catch (error) {
        if (count === null) throw error;
        failure = (error as Error).message;
      }
      return syntheticRecords(count, `${name} batch could not be decompressed: ${failure}`);
    },
  };
}

function recordCountBefore(buffer: Buffer): number | null {
  if (buffer.byteOffset < 4) return null;
  const count = new DataView(buffer.buffer, buffer.byteOffset - 4, 4).getInt32(0, false);
  return count > 0 && count <= MAX_RECORDS_IN_BATCH ? count : null;
}

/**
 * Whether the buffer is exactly `count` well-formed v2 records: every length, key, value and
 * header inside its record's bounds. Cheap next to JSON parsing, and it catches decoders
 * that return garbage for garbage.
 */
function holdsRecords(buffer: Buffer, count: number): boolean {
  const reader = new VarintReader(buffer);
  for (let i = 0; i < count; i++) {
    const length = reader.varint();
    if (length === null || length < 1) return false;
    const end = reader.at + length;
    if (end > buffer.length) return false;
    reader.at += 1; // attributes
    if (reader.varint(10) === null || reader.varint() === null) return false; // timestamp and offset deltas
    if (!reader.skipBytes(end) || !reader.skipBytes(end)) return false; // key, value
    const headers = reader.varint();
    if (headers === null || headers < 0) return false;
    for (let h = 0; h < headers; h++) {
      if (!reader.skipBytes(end) || !reader.skipBytes(end)) return false;
    }
    if (reader.at !== end) return false;
  }
  return reader.at === buffer.length;
}

class VarintReader {
  at = 0;
  constructor(private readonly buffer: Buffer) {}

  /** A zigzag varint (up to `maxBytes` long), or null when it runs off the buffer. */
  varint(maxBytes = 5): number | null {
    let raw = 0n;
    for (let i = 0; i < maxBytes; i++) {
      if (this.at >= this.buffer.length) return null;
      const byte = this.buffer[this.at++] as number;
      raw |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) return Number((raw >> 1n) ^ -(raw & 1n));
    }
    return null;
  }

  /** Skips a varint-length-prefixed byte string (-1 = null) that must end by `end`. */
  skipBytes(end: number): boolean {
    const length = this.varint();
    if (length === null || length < -1) return false;
    this.at += Math.max(length, 0);
    return this.at <= end;
  }
}

/** `count` Kafka v2 records: null key and value, one header naming the reason. */
export function syntheticRecords(count: number, reason: string): Buffer {
  const headerKey = Buffer.from(UNDECODABLE_HEADER);
  const headerValue = Buffer.from(reason.slice(0, 1000));
  const parts: Buffer[] = [];
  for (let offsetDelta = 0; offsetDelta < count; offsetDelta++) {
    const body = Buffer.concat([
      Buffer.from([0]), // attributes
      zigzagVarint(0), // timestamp delta
      zigzagVarint(offsetDelta),
      zigzagVarint(-1), // null key
      zigzagVarint(-1), // null value
      zigzagVarint(1), // one header
      zigzagVarint(headerKey.length),
      headerKey,
      zigzagVarint(headerValue.length),
      headerValue,
    ]);
    parts.push(zigzagVarint(body.length), body);
  }
  return Buffer.concat(parts);
}

function zigzagVarint(value: number): Buffer {
  let v = (value << 1) ^ (value >> 31);
  const bytes: number[] = [];
  v >>>= 0;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

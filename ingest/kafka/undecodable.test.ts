/**
 * An undecodable batch, decoded by kafkajs' own record-batch decoder (test-only deep imports of
 * kafkajs 2.2.4), must become flagged records at the batch's offsets rather than an error.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import './client.ts';
import { UNDECODABLE_HEADER } from './undecodable.ts';

const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');
const Long = require('kafkajs/src/utils/long.js');
const { Types } = require('kafkajs/src/protocol/message/compression/index.js');

type DecodedRecord = {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
};

async function encodedBatch(compression: number): Promise<Buffer> {
  const records = [0, 1, 2].map((i) =>
    Record({ offsetDelta: i, key: Buffer.from(`body:${i}`), value: Buffer.from(`{"n":${i}}`) }),
  );
  const batch = await RecordBatch({
    compression,
    records,
    lastOffsetDelta: 2,
    firstOffset: Long.fromValue(100),
  });
  return batch.buffer as Buffer;
}

async function decode(buffer: Buffer): Promise<DecodedRecord[]> {
  return (await decodeRecordBatch(new Decoder(buffer))).records;
}

describe.each([
  ['gzip', Types.GZIP],
  ['snappy', Types.Snappy],
  ['lz4', Types.LZ4],
  ['zstd', Types.ZSTD],
])('a %s batch', (name, compression) => {
  it('decodes as usual when intact', async () => {
    const records = await decode(await encodedBatch(compression));
    expect(records.map((r) => [r.offset, r.value?.toString()])).toEqual([
      ['100', '{"n":0}'],
      ['101', '{"n":1}'],
      ['102', '{"n":2}'],
    ]);
  });

  it('becomes one flagged record per original record when it cannot be decompressed', async () => {
    const buffer = Buffer.from(await encodedBatch(compression));
    // The compressed records are the tail of the batch: overwrite them with garbage.
    buffer.fill(0xab, buffer.length - 12);
    const records = await decode(buffer);
    expect(records.map((r) => r.offset)).toEqual(['100', '101', '102']);
    for (const record of records) {
      expect(record.key).toBeNull();
      expect(record.value).toBeNull();
      expect(record.headers[UNDECODABLE_HEADER]?.toString()).toMatch(
        new RegExp(`^${name} batch could not be decompressed`),
      );
    }
  });
});

/**
 * The benchmark's messages as NDJSON, for peer C (bench/peer-duckdb.ts): the seeded generator
 * (bench/invoices.ts) gives byte for byte the values produced to the topic, so the dump is made
 * from it rather than by reading the topic once more. One line per message, in the columns of
 * the ingest service's staging table; partitions and offsets are numbered as a 4-partition
 * topic would hold them (DuckDB needs them distinct, not equal to Kafka's).
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { InvoiceGenerator } from './invoices.ts';

export async function writeNdjsonDump(options: {
  file: string;
  topic: string;
  bodyId: string;
  messages: number;
  partitions: number;
}): Promise<{ bytes: number }> {
  const out = createWriteStream(options.file);
  const generator = new InvoiceGenerator(options.bodyId);
  const producedAt = '2026-01-01 00:00:00';
  let bytes = 0;
  for (let i = 0; i < options.messages; i++) {
    const line = `${JSON.stringify({
      topic: options.topic,
      kafka_partition: i % options.partitions,
      ingest_batch_id: 1,
      kafka_offset: Math.floor(i / options.partitions),
      produced_at: producedAt,
      raw: generator.next(i).value,
    })}\n`;
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { bytes };
}

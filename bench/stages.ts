/**
 * node bin/run-ts.js bench/stages.ts [--messages 100000] [--batch 4000]
 *
 * Where does writeBatch spend its time? Runs a timed COPY of it (bench/write-batch-timed.ts) over
 * the benchmark's realistic invoices, generated in memory (no Kafka involved), in batches the size
 * the real consumer sees (~4,000 messages with the default 4 MiB per partition), one connection,
 * on a fresh DuckDB file opened with the configured memory limit and threads. Prints the time per
 * stage, the split of decoding into JSON.parse and zod, and DuckDB's memory use afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { IncomingMessage } from '../ingest/batch-writer.ts';
import { invoicesHandler } from '../ingest/topics/invoices/handler.ts';
import { addBody } from '../lib/bodies.ts';
import { loadConfig } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import { InvoiceGenerator } from './invoices.ts';
import { markdownTable } from './report.ts';
import { emptyTimes, STAGES, writeBatchTimed } from './write-batch-timed.ts';

const BODY_ID = 'bench-council';
const TOPIC = 'bench.invoices';
const PARTITIONS = 4;

function generate(count: number): IncomingMessage[][] {
  const generator = new InvoiceGenerator(BODY_ID);
  const byPartition: IncomingMessage[][] = Array.from({ length: PARTITIONS }, () => []);
  const timestamp = String(Date.now());
  for (let i = 0; i < count; i++) {
    const invoice = generator.next(i);
    const partition = byPartition[i % PARTITIONS] as IncomingMessage[];
    partition.push({
      offset: String(partition.length),
      key: Buffer.from(invoice.key),
      value: Buffer.from(invoice.value),
      timestamp,
    });
  }
  return byPartition;
}

/** JSON.parse and zod alone, on the same messages, to split decodeMessage's time. */
function decodeSplit(messages: IncomingMessage[]): { parseMs: number; zodMs: number } {
  let t = performance.now();
  const parsed = messages.map((m) => JSON.parse((m.value as Buffer).toString('utf8')) as unknown);
  const parseMs = performance.now() - t;
  t = performance.now();
  for (const json of parsed) invoicesHandler.schema.safeParse(json);
  return { parseMs, zodMs: performance.now() - t };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { messages: { type: 'string', default: '100000' }, batch: { type: 'string', default: '4000' } },
  });
  const count = Number(values.messages);
  const batchSize = Number(values.batch);
  const config = loadConfig(process.env);
  const dir = mkdtempSync(join(tmpdir(), 'spend-stages-'));
  const db = await Database.open({
    path: join(dir, 'stages.duckdb'),
    memoryLimit: config.duckdb.memoryLimit,
    threads: config.duckdb.threads,
  });
  try {
    const conn = await db.connect();
    await addBody(conn, { bodyId: BODY_ID, name: 'Benchmark County Council', joinedOn: '2023-04-01' });
    const partitions = generate(count);
    const times = emptyTimes();
    let lines = 0;
    const began = performance.now();
    for (let first = 0; first < count / PARTITIONS; first += batchSize) {
      for (const [partition, messages] of partitions.entries()) {
        const batch = messages.slice(first, first + batchSize);
        if (batch.length > 0)
          lines += (await writeBatchTimed(conn, invoicesHandler, TOPIC, partition, batch, times)).lines;
      }
    }
    const totalMs = performance.now() - began;
    const split = decodeSplit(partitions.flat());

    const us = (ms: number) => ((ms * 1000) / count).toFixed(2);
    const share = (ms: number) => `${((100 * ms) / totalMs).toFixed(1)} %`;
    console.log(
      `${count.toLocaleString('en')} messages, ${lines.toLocaleString('en')} lines, batches of ${batchSize}: ` +
        `${(totalMs / 1000).toFixed(2)} s = ${Math.round(count / (totalMs / 1000)).toLocaleString('en')} msg/s ` +
        `(${us(totalMs)} µs per message, one connection, no Kafka)\n`,
    );
    console.log(
      markdownTable(
        ['Stage', 'ms', 'µs/msg', 'share'],
        STAGES.map((s) => [s, times[s].toFixed(0), us(times[s]), share(times[s])]),
      ).join('\n'),
    );
    console.log(
      `\ndecodeMessage split, measured apart on the same messages: JSON.parse (with Buffer→string) ` +
        `${us(split.parseMs)} µs/msg, zod safeParse ${us(split.zodMs)} µs/msg\n`,
    );
    const memory = await queryRows<{ tag: string; mib: string }>(
      conn,
      `select tag, round(memory_usage_bytes / 2^20, 1)::varchar as mib from duckdb_memory()
       where memory_usage_bytes > 0 order by memory_usage_bytes desc`,
    );
    const rss = process.memoryUsage();
    console.log(
      `after the run: RSS ${Math.round(rss.rss / 2 ** 20)} MiB, V8 heap ${Math.round(rss.heapUsed / 2 ** 20)} MiB, ` +
        `external ${Math.round(rss.external / 2 ** 20)} MiB (messages held in memory by this harness); ` +
        `DuckDB memory: ${memory.map((m) => `${m.tag} ${m.mib} MiB`).join(', ')}`,
    );
    conn.closeSync();
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

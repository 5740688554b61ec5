/**
 * node bin/run-ts.js bench/sweep-topic.ts --topic <bench id>.invoices --settings 5,7 [--messages N]
 *
 * More memory-sweep rows on a topic an earlier `bench:ingest` run left filled (its own topic,
 * kept while that run goes on): the generator is deterministic (bench/invoices.ts), so what was
 * produced is recomputed without sending, and each row is verified to the penny as the sweep's.
 * For a busy machine, where producing 1M messages again takes a quarter of an hour.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createKafka } from '../ingest/kafka/client.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { addBody } from '../lib/bodies.ts';
import { loadConfig } from '../lib/config.ts';
import { Database } from '../lib/db.ts';
import { InvoiceGenerator } from './invoices.ts';
import { MEMORY_SETTINGS } from './memory-settings.ts';
import { runOurs } from './ours.ts';
import type { Produced } from './produce.ts';

const BODY_ID = 'bench-council';
const { values } = parseArgs({
  options: { topic: { type: 'string' }, settings: { type: 'string' }, messages: { type: 'string' } },
});
if (!values.topic || !values.settings) throw new Error('--topic and --settings are required');
const messages = Number(values.messages ?? '1000000');
const generator = new InvoiceGenerator(BODY_ID);
const produced: Produced = { messages, lines: 0, bytes: 0, netPence: 0n, ms: 0 };
for (let i = 0; i < messages; i++) {
  const invoice = generator.next(i);
  produced.lines += invoice.lines;
  produced.bytes += Buffer.byteLength(invoice.key) + Buffer.byteLength(invoice.value);
  produced.netPence += invoice.netPence;
}
const id = `sweep-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'spend-sweep-'));
const baseEnv = { SPEND_TOPIC_INVOICES: values.topic, SPEND_TOPIC_PARTITIONS: '4', LOG_LEVEL: 'info' };
const kafka = createKafka({ brokers: loadConfig(process.env).kafkaBrokers, clientId: `${id}-driver` });
const admin = kafka.admin();
await admin.connect();
const highs = new Map(
  (await admin.fetchTopicOffsets(values.topic)).map((p) => [p.partition, BigInt(p.high)] as const),
);
try {
  for (const index of values.settings.split(',').map(Number)) {
    const setting = MEMORY_SETTINGS[index];
    if (!setting) throw new Error(`no row ${index} in bench/memory-settings.ts`);
    const dbPath = join(dir, `sweep-${index}.duckdb`);
    const group = `${id}.${index}`;
    const env = {
      ...baseEnv,
      SPEND_TOPIC_PURCHASE_ORDERS: `${id}.purchase-orders`,
      SPEND_TOPIC_DEAD_LETTER: `${id}.dead-letter`,
      ...setting.env,
      SPEND_DB: dbPath,
      SPEND_CONSUMER_GROUP: group,
    };
    const config = loadConfig({ ...process.env, ...env });
    const db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
    await db.withConnection((conn) =>
      addBody(conn, { bodyId: BODY_ID, name: 'Benchmark County Council', joinedOn: '2023-04-01' }),
    );
    db.close();
    const load = (await import('node:os')).loadavg()[0]?.toFixed(1);
    const result = await runOurs({ env, config, highWatermarks: highs, produced });
    const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
    console.log(
      `sweep row ${index}: ${setting.name}: ${Math.round(result.verified.invoices / (result.fetchMs / 1000))} msg/s, ` +
        `peak RSS ${mib(result.peakRssBytes)}, DuckDB ${mib(result.memory.duckdbBytes)}, V8 heap ${mib(result.memory.heapUsedBytes)}, ` +
        `buffers ${mib(result.memory.externalBytes)}, ${result.verified.flushes} transactions, CPU ${result.cpuSeconds.toFixed(1)} s, ` +
        `other cores ${(result.otherCpuSeconds / (result.wallMs / 1000)).toFixed(2)}, load average before ${load}; ` +
        `verified ${result.verified.invoices} invoices, ${result.verified.lines} lines, £${result.verified.netTotal}`,
    );
    rmSync(dbPath, { force: true });
    rmSync(`${dbPath}.wal`, { force: true });
    await admin.deleteGroups([group]).catch(() => undefined);
  }
} finally {
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
}

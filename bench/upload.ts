/**
 * npm run bench:upload [-- --rows N] [--no-write]
 *
 * How fast does a large transparency CSV go through the upload path into DuckDB, compared with
 * two peers reading the SAME file in the same run:
 *
 * 1. A generated "spend over £500" CSV of N rows (default 1,000,000; bench/upload-data.ts).
 * 2. Peer A: csv-parse alone — stream the file through csv-parse and discard the records.
 * 3. Peer B: DuckDB's own read_csv — `create table … as select * from read_csv(file)` in an
 *    in-memory DuckDB (threads as configured, default 2).
 * 4. Ours, upload path alone: the same file through uploadFile with a sink that keeps the
 *    messages aside (no Kafka, no DuckDB): reading, mapping, validating and serialising only.
 * 4b. Peer C: a bare kafkajs producer sending those very messages (kept as Buffers) to fresh
 *    topics of the same partitions, with the settings ours uses (idempotent, one request in
 *    flight, acks from all replicas, batches of 2,000). Ours upload → Kafka is compared with the
 *    serial combination of csv-parse alone and this producer, 1 / (1/A + 1/C): reading the file
 *    and sending its messages one after the other, with nothing else done (issue 9: ≥ 0.5).
 * 5. Ours: `spend ingest` running as a child process on a fresh database and fresh topics; the
 *    upload path (ingest/uploads/upload.ts) in this process sends the file to Kafka, and the
 *    clock stops when DuckDB holds every accepted row of the upload. The "upload → Kafka"
 *    stage is timed on its own too. Afterwards DuckDB's count and net total for the upload must
 *    equal the generator's, to the penny. That end-to-end time is the file's time to numbers
 *    (what `spend stats` shows is read from those rows), reported beside DuckDB's read_csv.
 *
 * Rates are MB (MiB) of the CSV file and rows of it per second. Each peer runs alone, one after
 * the other. Results go to stdout and to the `## Upload (npm run bench:upload)` section of
 * BENCHMARKS.md (the other sections are left as they are).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'csv-parse';
import { createKafka, createProducer, deleteTopics, ensureTopics } from '../ingest/kafka/client.ts';
import { parseDecimalPence } from '../ingest/uploads/amounts.ts';
import { KafkaDocumentSink } from '../ingest/uploads/kafka-sink.ts';
import type { IngestedTotals, UploadReport } from '../ingest/uploads/report.ts';
import { type UploadStore, uploadFile } from '../ingest/uploads/upload.ts';
import type { OutgoingDocument } from '../ingest/uploads/upload-contract.ts';
import { waitUntilIngested } from '../ingest/uploads/wait.ts';
import { isBrokerReachable, startLocalBroker, stopLocalBroker } from '../kafka-local/broker.ts';
import { type Config, loadConfig } from '../lib/config.ts';
import { callOperation } from '../owner/call-operation.ts';
import { waitForOwner } from '../owner/control.ts';
import { markdownTable, writeSection } from './report.ts';
import { writeTransparencyCsv } from './upload-data.ts';
import { machineLines, UPLOAD_SECTION_TITLE } from './upload-report.ts';

const SPEND_BIN = resolve(import.meta.dirname, '../bin/spend.js');
const BODY_ID = 'bench-council';
const MiB = 1024 * 1024;
/** Messages per send, as KafkaDocumentSink batches them. */
const BATCH_MESSAGES = 2000;

type Measured = { name: string; ms: number; rows: number; bytes: number; note?: string };

// --smoke: a small file, every step and check, BENCHMARKS.md left alone (bench/smoke.test.ts).
// --no-write: the full run, printed only (BENCHMARKS.md left alone).
const { values: args } = parseArgs({
  options: {
    rows: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});
const rows = Number(args.rows ?? (args.smoke ? '2000' : '1000000'));

const dir = mkdtempSync(join(tmpdir(), 'spend-bench-upload-'));
const base = loadConfig();
let startedBroker = false;
if (!(await isBrokerReachable(base.kafkaBrokers, 3000))) {
  if (!base.usesLocalBroker) throw new Error(`KAFKA_BROKERS=${base.kafkaBrokers.join(',')} does not answer`);
  await startLocalBroker();
  startedBroker = true;
}

try {
  log(`generating ${rows.toLocaleString('en-GB')} rows…`);
  const generatedAt = performance.now();
  const file = await writeTransparencyCsv(join(dir, 'transparency.csv'), rows);
  log(`  ${(file.bytes / MiB).toFixed(1)} MiB in ${((performance.now() - generatedAt) / 1000).toFixed(1)} s`);

  const csvParse = await measureCsvParse(file.path, file.bytes);
  log(`csv-parse alone: ${rate(csvParse)}`);
  const readCsv = await measureReadCsv(file.path, file.bytes, base.duckdb.threads);
  log(`DuckDB read_csv: ${rate(readCsv)}`);
  const { measured: alone, messages } = await measureUploadPathAlone(file.path, file.bytes);
  log(`ours, upload path alone: ${rate(alone)}`);
  const producerAlone = await measureBareProducer(messages, file.bytes);
  messages.length = 0;
  log(`bare kafkajs producer: ${rate(producerAlone)}`);
  const ours = await measureOurs(file.path, file.bytes, file.rows, file.netTotalPence);
  log(`ours, upload → Kafka: ${rate(ours.stage)}`);
  log(`ours, upload → Kafka → DuckDB: ${rate(ours.endToEnd)}`);

  const body = report(
    file,
    [csvParse, readCsv, alone, producerAlone, ours.stage, ours.endToEnd],
    ours.report,
    ours.ingested,
    base,
  );
  process.stdout.write(`\n${body}\n`);
  if (args.smoke || args['no-write'])
    log(`${args.smoke ? 'smoke' : '--no-write'} run: BENCHMARKS.md left alone`);
  else log(`wrote ${writeSection(UPLOAD_SECTION_TITLE, body)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (startedBroker) await stopLocalBroker();
}

async function measureCsvParse(path: string, bytes: number): Promise<Measured> {
  const started = performance.now();
  let count = 0;
  await new Promise<void>((resolveDone, reject) => {
    createReadStream(path, { highWaterMark: 256 * 1024 })
      .pipe(parse())
      .on('data', () => {
        count++;
      })
      .on('end', resolveDone)
      .on('error', reject);
  });
  return {
    name: 'A: csv-parse alone (parse and discard)',
    ms: performance.now() - started,
    rows: count - 1,
    bytes,
  };
}

async function measureReadCsv(path: string, bytes: number, threads: number): Promise<Measured> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  try {
    const started = performance.now();
    await conn.run(
      `create table spend as select * from read_csv('${path.replaceAll("'", "''")}', header = true)`,
    );
    const ms = performance.now() - started;
    const counted = (
      await conn.runAndReadAll('select count(*)::integer as n from spend')
    ).getRowObjectsJson();
    return {
      name: `B: DuckDB read_csv (${threads} threads)`,
      ms,
      rows: Number((counted[0] as { n: number }).n) - 1,
      bytes,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** A message as the upload path made it, off the V8 heap (1M of them are ~0.7 GB). */
type KeptMessage = { topic: OutgoingDocument['topic']; key: Buffer; value: Buffer };

async function measureUploadPathAlone(
  path: string,
  bytes: number,
): Promise<{ measured: Measured; messages: KeptMessage[] }> {
  const messages: KeptMessage[] = [];
  const started = performance.now();
  const uploaded = await uploadFile(
    { name: 'transparency.csv', open: () => createReadStream(path, { highWaterMark: 256 * 1024 }) },
    {
      bodyId: BODY_ID,
      store: {
        savedMappings: async () => [],
        begin: async () => ({ duplicateOf: null }),
        finish: async () => ({ overlaps: [] }),
      },
      sink: {
        send: (document) => {
          messages.push({
            topic: document.topic,
            key: Buffer.from(document.key),
            value: Buffer.from(document.value),
          });
          return undefined;
        },
        flush: async () => undefined,
      },
    },
  );
  return {
    measured: {
      name: 'Ours: upload path alone (messages kept aside)',
      ms: performance.now() - started,
      rows: uploaded.accepted,
      bytes,
    },
    messages,
  };
}

/** Peer C: the same messages through a bare producer, as ours sends them, and nothing else. */
async function measureBareProducer(messages: KeptMessage[], bytes: number): Promise<Measured> {
  const id = `bench-producer-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const topics = { invoices: `${id}.invoices`, 'purchase-orders': `${id}.purchase-orders` };
  const kafka = createKafka({ brokers: base.kafkaBrokers, clientId: id });
  await ensureTopics(
    kafka,
    Object.values(topics).map((topic) => ({ topic, numPartitions: base.topicPartitions })),
  );
  const producer = createProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const started = performance.now();
    for (let at = 0; at < messages.length; at += BATCH_MESSAGES) {
      const byTopic = new Map<string, { key: Buffer; value: Buffer }[]>();
      for (const message of messages.slice(at, at + BATCH_MESSAGES)) {
        const topic = topics[message.topic];
        const batch = byTopic.get(topic) ?? [];
        batch.push({ key: message.key, value: message.value });
        byTopic.set(topic, batch);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, batch]) => ({ topic, messages: batch })),
      });
    }
    return {
      name: 'C: bare kafkajs producer (the same messages, acknowledged)',
      ms: performance.now() - started,
      rows: messages.length,
      bytes,
    };
  } finally {
    await producer.disconnect();
    await deleteTopics(kafka, Object.values(topics)).catch(() => undefined);
  }
}

async function measureOurs(
  path: string,
  bytes: number,
  expectedRows: number,
  expectedPence: bigint,
): Promise<{ stage: Measured; endToEnd: Measured; report: UploadReport; ingested: IngestedTotals }> {
  const id = `bench-upload-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const env: Record<string, string> = {
    SPEND_DB: join(dir, 'spend.duckdb'),
    SPEND_TOPIC_INVOICES: `${id}.invoices`,
    SPEND_TOPIC_PURCHASE_ORDERS: `${id}.purchase-orders`,
    SPEND_TOPIC_DEAD_LETTER: `${id}.dead-letter`,
    SPEND_CONSUMER_GROUP: id,
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig({ ...process.env, ...env });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: id });
  const topics = [config.topics.invoices, config.topics.purchaseOrders, config.topics.deadLetter];
  await ensureTopics(kafka, [
    { topic: config.topics.invoices, numPartitions: config.topicPartitions },
    { topic: config.topics.purchaseOrders, numPartitions: config.topicPartitions },
    { topic: config.topics.deadLetter, numPartitions: 1 },
  ]);
  await callOperation(config, 'bodies.add', {
    bodyId: BODY_ID,
    name: 'Bench Council',
    joinedOn: '2023-04-01',
  });
  const owner = spawn(process.execPath, [SPEND_BIN, 'ingest'], {
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  const producer = createProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
  try {
    await waitForOwner(config.socketPath, { timeoutMs: 60_000, gone: () => owner.exitCode !== null });
    await producer.connect();
    const started = performance.now();
    const uploaded = await uploadFile(
      { name: 'transparency.csv', open: () => createReadStream(path, { highWaterMark: 256 * 1024 }) },
      {
        bodyId: BODY_ID,
        store: operationStore(config),
        sink: new KafkaDocumentSink(producer, config.topics),
      },
    );
    const stageMs = performance.now() - started;
    const ingested = await waitUntilIngested(
      uploaded.uploadId,
      uploaded.messages.invoices,
      async () =>
        (await callOperation(config, 'uploads.ingested', { uploadId: uploaded.uploadId })) as IngestedTotals,
      { timeoutMs: 30 * 60_000, pollMs: 100 },
    );
    const endToEndMs = performance.now() - started;
    if (
      uploaded.accepted !== expectedRows ||
      ingested.invoices !== expectedRows ||
      parseDecimalPence(ingested.invoiceNetTotal) !== expectedPence ||
      ingested.deadLettered !== 0
    ) {
      throw new Error(
        `not reconciled: generated ${expectedRows} rows, uploaded ${uploaded.accepted}, in DuckDB ${ingested.invoices} (${ingested.invoiceNetTotal}), dead-lettered ${ingested.deadLettered}`,
      );
    }
    return {
      stage: { name: 'Ours: upload → Kafka (acknowledged)', ms: stageMs, rows: uploaded.accepted, bytes },
      endToEnd: { name: 'Ours: upload → Kafka → DuckDB', ms: endToEndMs, rows: ingested.invoices, bytes },
      report: uploaded,
      ingested,
    };
  } finally {
    await producer.disconnect();
    owner.kill('SIGTERM');
    await new Promise((resolveExit) => owner.once('exit', resolveExit));
    await deleteTopics(kafka, topics).catch(() => undefined);
  }
}

function operationStore(config: Config): UploadStore {
  return {
    savedMappings: async () => [],
    begin: async (start) =>
      (await callOperation(config, 'uploads.begin', start)) as { duplicateOf: UploadReport | null },
    finish: async (report, rejections) =>
      (await callOperation(config, 'uploads.finish', { report, rejections })) as {
        overlaps: UploadReport['overlaps'];
      },
  };
}

function report(
  file: { rows: number; bytes: number },
  results: Measured[],
  uploaded: UploadReport,
  ingested: IngestedTotals,
  config: Config,
): string {
  const [csvParse, readCsv, alone, producerAlone, stage, endToEnd] = results as [
    Measured,
    Measured,
    Measured,
    Measured,
    Measured,
    Measured,
  ];
  const mbps = (m: Measured) => m.bytes / MiB / (m.ms / 1000);
  const rps = (m: Measured) => m.rows / (m.ms / 1000);
  const table = markdownTable(
    ['Reader', 'MB/s', 'rows/s', 'time (s)'],
    results.map((m) => [
      m.name,
      mbps(m).toFixed(1),
      Math.round(rps(m)).toLocaleString('en-GB'),
      (m.ms / 1000).toFixed(2),
    ]),
  );
  const ratio = (a: Measured, b: Measured) => (mbps(a) / mbps(b)).toFixed(2);
  // reading the file and sending its messages one after the other, nothing else done
  const serialMbps = 1 / (1 / mbps(csvParse) + 1 / mbps(producerAlone));
  const ofSerial = mbps(stage) / serialMbps;
  return [
    `One run of \`npm run bench:upload\` (${file.rows.toLocaleString('en-GB')} rows), ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}.`,
    'Code: `bench/upload.ts` (what is measured and how is explained in its header).',
    '',
    '### Machine',
    '',
    ...machineLines(),
    '',
    '### Data',
    '',
    `- A generated transparency CSV (bench/upload-data.ts): ${file.rows.toLocaleString('en-GB')} rows, ${(file.bytes / MiB).toFixed(1)} MiB, 8 columns; half the amounts with thousands separators (quoted), 30 % of suppliers REDACTED, 2 % negative, one row in five without a transaction number; a total row at the end.`,
    `- C: a bare kafkajs producer sends the messages the upload path made (kept as Buffers) to fresh ${config.topicPartitions}-partition topics, with ours' settings (idempotent, one request in flight, acks from all replicas, batches of ${BATCH_MESSAGES.toLocaleString('en-GB')}); the serial combination 1 / (1/A + 1/C) is what reading the file and then sending its messages, with nothing else done, would take.`,
    `- Ours: one \`spend ingest\` owner (child process, ingest concurrency ${config.ingestConcurrency}) on a fresh DuckDB file and fresh ${config.topicPartitions}-partition topics; the upload in the benchmark process, idempotent producer, acks from all replicas, batches of 2,000 messages.`,
    '',
    '### Results',
    '',
    ...table,
    '',
    markdownTable(
      ['Measure', 'Value', 'Goal', ''],
      [
        [
          'ours upload → Kafka / serial csv-parse + bare producer, 1 / (1/A + 1/C)',
          ofSerial.toFixed(2),
          '≥ 0.5',
          ofSerial >= 0.5 ? 'met' : 'NOT met',
        ],
        ['ours end to end / csv-parse alone', ratio(endToEnd, csvParse), '', ''],
        ['ours end to end / DuckDB read_csv', ratio(endToEnd, readCsv), 'reported', ''],
        [
          'time to numbers: upload until DuckDB holds every row, against read_csv of the file',
          `${(endToEnd.ms / 1000).toFixed(1)} s against ${(readCsv.ms / 1000).toFixed(2)} s`,
          'reported',
          '',
        ],
        ['ours upload → Kafka / csv-parse alone', ratio(stage, csvParse), '', ''],
        ['ours upload path alone / csv-parse alone', ratio(alone, csvParse), '', ''],
      ],
    ).join('\n'),
    '',
    `- Reconciled after the run: the upload accepted ${uploaded.accepted.toLocaleString('en-GB')} rows (net £${uploaded.acceptedNetTotal}), skipped ${uploaded.skipped} (header and total row), rejected ${uploaded.rejected}; DuckDB holds ${ingested.invoices.toLocaleString('en-GB')} invoices for the upload, net £${ingested.invoiceNetTotal}, ${ingested.deadLettered} dead-lettered: equal to the generator's own count and total.`,
    `- The control total row agrees: ${uploaded.controlTotal?.agrees ? 'yes' : 'no'}.`,
    '- "upload → Kafka" ends when the last batch is acknowledged; the owner ingests meanwhile, so "→ DuckDB" adds only the tail it had not caught up with. Each upload row is checked against the invoice.v1 contract before it is sent (the compiled check the consumer runs first, zod for what it does not pass), as the consumer checks it again on ingest.',
    '- Where the time goes: the upload path alone (decode, csv-parse, header and row classification, mapping, dates, amounts, ids, the contract check, JSON) runs at the "upload path alone" rate; with Kafka the upload process, the broker and the `spend ingest` consumer share the two cores, and the end-to-end rate is bounded by the consumer writing DuckDB (see the Ingest section above).',
    '- MB/s is MiB of the CSV file per second; rows/s counts data rows.',
  ].join('\n');
}

function rate(m: Measured): string {
  return `${(m.bytes / MiB / (m.ms / 1000)).toFixed(1)} MB/s, ${Math.round(m.rows / (m.ms / 1000)).toLocaleString('en-GB')} rows/s (${(m.ms / 1000).toFixed(1)} s)`;
}

function log(line: string): void {
  process.stderr.write(`bench:upload: ${line}\n`);
}

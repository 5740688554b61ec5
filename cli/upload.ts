/**
 * `spend upload --body <id> <files…> [--wait] [--json]`: each file through the upload path
 * (ingest/uploads/upload.ts) to Kafka, with a progress bar, then its reconciliation report.
 * With --wait it blocks until every accepted row is in DuckDB and checks the totals there.
 * Ingesting needs an owner: when no `spend serve`/`spend ingest` is running, --wait runs the
 * consumers in this process until the upload is in (and stops them again); without --wait it
 * says that nothing is ingesting yet.
 *
 * `spend uploads list|show` read what was recorded.
 */
import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import {
  createKafka,
  createProducer,
  ensureTopics,
  isKafkaError,
  type Producer,
  probeCluster,
} from '../ingest/kafka/client.ts';
import { KafkaDocumentSink } from '../ingest/uploads/kafka-sink.ts';
import { REJECTION_COLUMNS, type UploadListing } from '../ingest/uploads/records.ts';
import { formatReport, type IngestedTotals, summarise, type UploadReport } from '../ingest/uploads/report.ts';
import {
  type UploadOptions,
  type UploadProgress,
  type UploadStore,
  uploadFile,
} from '../ingest/uploads/upload.ts';
import { ingestedAgrees, waitUntilIngested } from '../ingest/uploads/wait.ts';
import { type Body, publishingThreshold } from '../lib/bodies.ts';
import { type Config, loadConfig } from '../lib/config.ts';
import { installCrashPoints } from '../lib/crash-points.ts';
import { UserError } from '../lib/errors.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { type Row, toCsv } from '../lib/output.ts';
import { documentTopicsFor } from '../lib/topics.ts';
import { callOperation } from '../owner/call-operation.ts';
import { ownerAnswers } from '../owner/control.ts';
import type { OperationName } from '../owner/operations.ts';
import { type Owner, startOwner } from '../owner/process.ts';
import { printJson, printTable } from './output.ts';

export function registerUploadCommands(program: Command): void {
  program
    .command('upload')
    .description("upload a body's spend files (CSV/TSV, XLSX, Peppol UBL invoices, credit notes and orders)")
    .argument('<files...>', 'the files to upload')
    .requiredOption('--body <id>', 'the registered body the files belong to')
    .option('--wait', 'wait until every accepted row is in DuckDB and check the totals there')
    .option('--json', 'print one JSON object per file (one per line)')
    .option('--timeout <seconds>', 'how long --wait waits for the rows to be ingested', '900')
    .option(
      '--threshold <pounds>',
      'the amount the files publish spend from: 500, 250 or 0 (everything); default: the body’s registered one, else read from the rows',
    )
    .action(async (files: string[], options) => {
      const threshold =
        options.threshold === undefined ? undefined : publishingThreshold.safeParse(options.threshold);
      if (threshold && !threshold.success) {
        throw new UserError(
          'invalid-input',
          `--threshold ${options.threshold}: whole pounds, e.g. 500, 250 or 0 (publishes everything).`,
        );
      }
      const ok = await runUploads(loadConfig(), files, {
        bodyId: String(options.body),
        publishingThreshold: threshold?.data,
        wait: Boolean(options.wait),
        json: Boolean(options.json),
        timeoutMs: Number(options.timeout) * 1000,
      });
      if (!ok) process.exitCode = 1;
    });

  const uploads = program
    .command('uploads')
    .description('what was uploaded, and each upload’s reconciliation');
  uploads
    .command('list')
    .description('the uploads, oldest first')
    .option('--body <id>', 'only this body’s uploads')
    .option('--json', 'print as JSON')
    .action(async (options) => {
      const list = (await callOperation(loadConfig(), 'uploads.list', {
        ...(options.body ? { bodyId: String(options.body) } : {}),
      })) as UploadListing[];
      if (options.json) printJson({ uploads: list });
      else printTable(list);
    });
  uploads
    .command('show <uploadId>')
    .description('an upload’s reconciliation report')
    .option('--json', 'print the whole stored report as JSON')
    .option(
      '--rejections-csv <file>',
      'write every rejected row to a CSV file (safe to open in a spreadsheet)',
    )
    .action(async (uploadId: string, options) => {
      const config = loadConfig();
      const report = (await callOperation(config, 'uploads.report', { uploadId })) as UploadReport;
      if (options.rejectionsCsv) {
        const rows = (await callOperation(config, 'uploads.rejections', { uploadId })) as Row[];
        writeFileSync(
          String(options.rejectionsCsv),
          toCsv({ columns: REJECTION_COLUMNS, rows }, { quoteAll: true }),
        );
      }
      if (options.json) printJson(report);
      else process.stdout.write(`${formatReport(report)}\n`);
    });
}

type RunOptions = {
  bodyId: string;
  wait: boolean;
  json: boolean;
  timeoutMs: number;
  publishingThreshold: number | undefined;
};

/** Uploads every file; true when all went in (and, with --wait, reconcile in DuckDB). */
async function runUploads(config: Config, files: string[], options: RunOptions): Promise<boolean> {
  installCrashPoints(config);
  const log = createLogger(config.logLevel);
  const bodies = (await callOperation(config, 'bodies.list')) as Body[];
  const body = bodies.find((b) => b.bodyId === options.bodyId);
  if (!body) {
    throw new UserError(
      'not-found',
      `Body "${options.bodyId}" is not registered. Register it first: spend bodies add ${options.bodyId} --name "…" --joined YYYY-MM-DD`,
    );
  }
  const missing = files.filter((file) => !existsSync(file) || !statSync(file).isFile());
  if (missing.length > 0) throw new UserError('not-found', `No such file: ${missing.join(', ')}`);
  if (!(await probeCluster(config.kafkaBrokers, 5000, config.kafkaAuth))) {
    throw new UserError('unavailable', `No Kafka broker answers at ${config.kafkaBrokers.join(',')}.`);
  }
  let owner: Owner | undefined;
  const ownerRunning = await ownerAnswers(config.socketPath);
  if (!ownerRunning && options.wait) {
    process.stderr.write(
      'No "spend serve" or "spend ingest" is running: ingesting in this process until the upload is in.\n',
    );
    owner = await startOwnerUnlessOneIsStarting(config, log);
  }
  const producer = await connectUploadProducer(config, log);
  let ok = true;
  let sentMessages = 0;
  try {
    const store = operationStore((name, params) => callOperation(config, name, params as never));
    for (const file of files) {
      const report = await uploadOne(file, store, producer, config, {
        bodyId: options.bodyId,
        registeredThreshold: body.publishingThreshold,
        ...(options.publishingThreshold !== undefined
          ? { publishingThreshold: options.publishingThreshold }
          : {}),
      });
      if (report.status === 'failed' || report.status === 'partial') ok = false;
      sentMessages += report.messages.invoices + report.messages.purchaseOrders;
      if (options.wait && report.messages.invoices + report.messages.purchaseOrders > 0) {
        report.ingested = await checkIngested(config, report, options.timeoutMs);
        if (!report.ingested.agrees) ok = false;
      } else if (report.status === 'duplicate' || report.accepted > 0) {
        const totals = (await callOperation(config, 'uploads.ingested', {
          uploadId: report.duplicateOf ?? report.uploadId,
        })) as IngestedTotals;
        report.ingested = { ...totals, agrees: ingestedAgrees(report, totals) };
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify(summarise(report))}\n`);
        if (report.error) process.stderr.write(`${report.file}: ${report.error}\n`);
      } else process.stdout.write(`${formatReport(report)}\n\n`);
    }
    // Said only when something went to Kafka: a failed or duplicate upload sent nothing.
    if (!ownerRunning && !options.wait && sentMessages > 0) {
      process.stderr.write(
        'Nothing is ingesting yet: the rows are in Kafka and go into DuckDB when "spend ingest" or "spend serve" runs (or upload with --wait).\n',
      );
    }
  } finally {
    await producer.disconnect();
    await owner?.stop();
  }
  return ok;
}

/**
 * Starts the consumers in this process, unless an owner that was still starting when we looked
 * (it holds the file before its socket answers) got there first: then that owner ingests.
 */
async function startOwnerUnlessOneIsStarting(config: Config, log: Logger): Promise<Owner | undefined> {
  try {
    return await startOwner(config, log);
  } catch (error) {
    if (!(error instanceof UserError && error.code === 'conflict')) throw error;
    process.stderr.write('An owner started meanwhile: it ingests the upload.\n');
    return undefined;
  }
}

async function uploadOne(
  file: string,
  store: UploadStore,
  producer: ReturnType<typeof createProducer>,
  config: Config,
  options: Pick<UploadOptions, 'bodyId' | 'publishingThreshold' | 'registeredThreshold'>,
): Promise<UploadReport> {
  // per-body layout: the body's own topics, which only it (and the product) may write.
  const sink = new KafkaDocumentSink(producer, documentTopicsFor(config, options.bodyId));
  const bar = progressBar(basename(file));
  try {
    return await uploadFile(
      { name: basename(file), open: () => createReadStream(file, { highWaterMark: 256 * 1024 }) },
      { ...options, store, sink, limits: config.uploadLimits, onProgress: (p) => updateBar(bar, p) },
    );
  } catch (error) {
    if (isKafkaError(error)) {
      throw new UserError(
        'unavailable',
        `${basename(file)}: Kafka stopped taking the upload (${(error as Error).message}).`,
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    bar?.stop();
  }
}

async function checkIngested(
  config: Config,
  report: UploadReport,
  timeoutMs: number,
): Promise<IngestedTotals & { agrees: boolean }> {
  const uploadId = report.duplicateOf ?? report.uploadId;
  const expected = report.messages.invoices + report.messages.purchaseOrders;
  const bar = progressBar(`${report.file}: into DuckDB`, 'documents');
  bar?.start(expected, 0);
  try {
    const totals = await waitUntilIngested(
      uploadId,
      expected,
      async () => (await callOperation(config, 'uploads.ingested', { uploadId })) as IngestedTotals,
      { timeoutMs, onProgress: (done) => bar?.update(done) },
    );
    const ingested = { ...totals, agrees: ingestedAgrees(report, totals) };
    if (!report.duplicateOf) await callOperation(config, 'uploads.recordIngested', { uploadId, ingested });
    return ingested;
  } finally {
    bar?.stop();
  }
}

/**
 * The upload's records kept through operations: by the owner or the file (`call` is
 * callOperation), or in the owning process itself (runOperation, for uploads over HTTP).
 */
export function operationStore(call: (name: OperationName, params: object) => Promise<unknown>): UploadStore {
  return {
    savedMappings: async (bodyId) =>
      (
        (await call('mappings.list', { bodyId })) as {
          fingerprint: string;
          mapping: { fields: Record<string, string> };
        }[]
      ).map((m) => ({ fingerprint: m.fingerprint, mapping: m.mapping })),
    begin: async (start) => (await call('uploads.begin', start)) as { duplicateOf: UploadReport | null },
    finish: async (report, rejections) =>
      (await call('uploads.finish', { report, rejections })) as {
        overlaps: UploadReport['overlaps'];
      },
  };
}

/** A progress bar on stderr when it is a terminal (none in pipes, CI and tests). */
function progressBar(label: string, unit = 'bytes'): SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  return new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit}{rowInfo}`,
    stream: process.stderr,
    hideCursor: true,
  });
}

const started = new WeakSet<SingleBar>();

function updateBar(bar: SingleBar | undefined, progress: UploadProgress): void {
  if (!bar) return;
  const rowInfo =
    progress.phase === 'scanning'
      ? ' | checking'
      : ` | ${progress.rows.toLocaleString('en-GB')} rows, ${progress.accepted.toLocaleString('en-GB')} accepted, ${progress.rejected.toLocaleString('en-GB')} rejected`;
  if (!started.has(bar)) {
    bar.start(progress.totalBytes, progress.bytes, { rowInfo });
    started.add(bar);
  }
  bar.setTotal(progress.totalBytes);
  bar.update(progress.bytes, { rowInfo });
}

/**
 * The producer every upload sends through (CLI and HTTP): idempotent, one request in flight so a
 * retry can never reorder a document's versions, to topics made first if they are missing.
 */
export async function connectUploadProducer(config: Config, log: Logger): Promise<Producer> {
  const kafka = createKafka({
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    logger: log,
    auth: config.kafkaAuth,
  });
  // per-body layout: each body's topics are made when it is registered (spend bodies add).
  if (config.topicLayout === 'shared') {
    await ensureTopics(kafka, [
      { topic: config.topics.invoices, numPartitions: config.topicPartitions },
      { topic: config.topics.purchaseOrders, numPartitions: config.topicPartitions },
    ]);
  }
  const producer = createProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}

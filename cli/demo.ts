/**
 * `spend demo`: the whole pipeline on a realistic data set, end to end. Starts the project's
 * local broker when KAFKA_BROKERS is unset, owns the database in this process, registers the
 * demo bodies, publishes the generated messages, waits until every one is ingested, checks
 * `spend stats` against the generator's manifest, and serves the API until Ctrl-C.
 *
 * Ctrl-C (SIGINT, or SIGTERM) at any point stops the demo in order: the owner first, then the
 * broker it started, waiting until that has exited. The terminal signals the whole process group
 * and npm forwards the signal again, so later signals only say the stop is under way; the broker
 * runs in a process group of its own, so it outlives the signal until the owner is done with it,
 * and a watchdog stops it should this process be killed outright.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { DEFAULT_END_DATE, DEFAULT_START_DATE, type Demo, generateDemo } from '../demo/generate.ts';
import { writeManifest } from '../demo/manifest.ts';
import { registerDemoMembership, withDemoMembership } from '../demo/membership.ts';
import { withDemoProcurementSavings } from '../demo/procurement-savings.ts';
import { publishDemo } from '../demo/publish.ts';
import { buildDemoSavings } from '../demo/savings.ts';
import { chooseDemoTopics, type DemoTopics, dataSetFingerprint, isDemoTopicOf } from '../demo/topics.ts';
import {
  createKafka,
  createProducer,
  deleteTopics,
  type KafkaClient,
  retryingRetriable,
} from '../ingest/kafka/client.ts';
import { highWatermarks, type StoredOffset, waitForOffsets } from '../ingest/lag.ts';
import {
  isBrokerReachable,
  localBrokerStopping,
  startLocalBroker,
  stopLocalBroker,
} from '../kafka-local/broker.ts';
import { addBody } from '../lib/bodies.ts';
import { type Config, loadConfig } from '../lib/config.ts';
import { queryRows } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import { createLogger } from '../lib/log.ts';
import { readStats, type Stats } from '../lib/stats.ts';
import { ownerAnswers } from '../owner/control.ts';
import { type Owner, startOwner } from '../owner/process.ts';
import { runTransforms } from '../transforms/runner.ts';
import { createDemoKeys } from './demo-keys.ts';
import { loadDemoSavingsFiles, signOffDemoYears } from './demo-savings.ts';
import { printTable } from './output.ts';
import { serveApi } from './serve.ts';

type DemoOptions = { lines: string; seed?: string; fresh?: boolean; exit?: boolean };

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the whole pipeline on a realistic, generated data set, then serve the API')
    .option('--lines <n>', 'invoice lines to generate (about)', '1000000')
    .option('--seed <n>', 'random seed (the same seed gives the same data)')
    .option('--fresh', 'delete the demo topics and the database first')
    .option('--exit', 'stop after the checks instead of serving the API')
    .action(async (options: DemoOptions) => {
      const ok = await runDemo(loadConfig(), options);
      if (!ok) process.exitCode = 1;
    });
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function runDemo(config: Config, options: DemoOptions): Promise<boolean> {
  const targetInvoiceLines = Number(options.lines);
  if (!Number.isInteger(targetInvoiceLines) || targetInvoiceLines < 1000) {
    throw new UserError(
      'invalid-input',
      `--lines must be a whole number of at least 1000 (got ${options.lines})`,
    );
  }
  let owner: Owner | undefined;
  let brokerStart: Promise<boolean> | undefined;
  let stopping: Promise<void> | undefined;
  /** Idempotent: the owner, then the broker this demo started (once it is up), waiting for both. */
  const stop = () => {
    stopping ??= (async () => {
      await owner?.stop();
      if (await brokerStart?.catch(() => false)) {
        say('Stopping the local Kafka broker this demo started…');
        const { stopMs } = await stopLocalBroker();
        say(`Kafka stopped (${(stopMs / 1000).toFixed(1)} s).`);
      }
    })();
    return stopping;
  };
  // Before anything else: a signal while the broker starts or messages flow must still stop it.
  const signals = handleStopSignals(stop);
  const kafka = createKafka({
    brokers: config.kafkaBrokers,
    clientId: `${config.kafkaClientId}-demo`,
    auth: config.kafkaAuth,
  });
  try {
    brokerStart = ensureBroker(config);
    await brokerStart;
    if (await ownerAnswers(config.socketPath)) {
      throw new UserError(
        'conflict',
        `Another process owns ${config.dbPath}: stop it (spend serve/ingest) first.`,
      );
    }
    if (options.fresh) await startAfresh(config, kafka);

    const seed = options.seed ? Number(options.seed) : undefined;
    // baselines before each body joined (demo/procurement-savings.ts), and a prospective body and a
    // body that leaves, beside the generated partnership (demo/membership.ts)
    const generated = withDemoProcurementSavings(generateDemo({ targetInvoiceLines, seed }));
    const demo = withDemoMembership(generated, DEFAULT_START_DATE, DEFAULT_END_DATE);
    // The demo's own topics, never those `spend serve` reads: what it finds there is checked
    // against its manifest, and anything else is left alone (demo/topics.ts).
    const choice = await chooseDemoTopics(
      kafka,
      config.topics,
      dataSetFingerprint({ seed, lines: targetInvoiceLines }),
      () => demo.manifest.totals.byTopic,
    );
    for (const other of choice.passedOver) {
      say(
        `Topic ${other.topics.invoices} holds ${other.messages} messages that are not this data set's (another run's or foreign): left alone.`,
      );
    }
    const demoConfig: Config = {
      ...config,
      topics: choice.topics,
      consumerGroup: `${config.consumerGroup}-demo`,
    };
    const ownerLog = createLogger('warn');
    owner = await startOwner(demoConfig, ownerLog, {
      // the same API as `spend serve`: uploads from the dashboards go to this demo's own topics
      api: options.exit ? undefined : serveApi(demoConfig, ownerLog),
    });
    const ownerDb = owner.db;
    await ownerDb.withConnection(async (conn) => {
      for (const body of demo.bodies) await addBody(conn, { ...body, status: 'active' });
    });
    say(`Registered ${demo.bodies.length} bodies: ${demo.bodies.map((b) => b.bodyId).join(', ')}`);
    say(await ownerDb.withConnection((conn) => registerDemoMembership(conn, demo.membership)));

    const topics = [choice.topics.invoices, choice.topics.purchaseOrders];
    if (choice.published) {
      say(
        `The demo topics (${topics.join(', ')}) already hold this data set, ${demo.manifest.totals.messages} messages as its manifest says: not publishing again (--fresh starts over).`,
      );
    } else {
      await publish(choice.topics, kafka, demo, targetInvoiceLines);
    }

    await waitUntilIngested(owner, kafka, topics);
    const { startDate, endDate } = demo.manifest.generator;
    const savings = buildDemoSavings(demo.bodies, startDate, endDate, generated.procurementSavings);
    await loadDemoSavingsFiles(ownerDb, savings, dirname(config.dbPath));
    const transforms = await runTransforms(ownerDb, { codelistsDir: config.codelistsDir });
    for (const warning of transforms.warnings) say(`Warning:   ${warning}`);
    const seconds = (transforms.models.reduce((ms, m) => ms + m.durationMs, 0) / 1000).toFixed(1);
    say(
      `Transforms: ${transforms.models.length - transforms.failed - transforms.skipped} models built in ${seconds} s, ${transforms.failed} failed, ${transforms.skipped} skipped (spend transforms status).`,
    );

    const signedOff = await signOffDemoYears(ownerDb, savings);
    say(
      `Savings:   agreement and registers in ${join(dirname(config.dbPath), 'demo-savings')}; contract years ${signedOff.join(', ')} signed off (npx spend savings statement --year ${signedOff[0] ?? startDate.slice(0, 4)})`,
    );

    const manifestPath = join(dirname(config.dbPath), 'demo-manifest.json');
    demo.manifest.savings = savings.planted;
    demo.manifest.partnership = savings.partnership;
    await writeManifest(manifestPath, demo.manifest);
    const stats = await ownerDb.withConnection(readStats);
    const reconciled = reconcile(stats, demo.manifest.expectedStats);

    say('');
    say(`Database:  ${config.dbPath}`);
    say(`Manifest:  ${manifestPath} (everything the generator planted)`);
    say(`Topics:    ${topics.join(', ')} (this demo's own)`);
    say(`Rejected:  ${choice.topics.deadLetter} (topic) and the rejected_messages table, with reasons`);
    say('Try:       npx spend stats    npx spend bodies list    npx spend stats --json');
    say('           npx spend query fct_shared_suppliers    npx spend query fct_duplicate_payments');
    const demoKeys = await createDemoKeys(ownerDb, dirname(config.dbPath), demo.bodies[0]?.bodyId ?? '');
    say(`Keys:      ${demoKeys.path} (one API key per role, to log in to the dashboards)`);
    if (options.exit) return reconciled;
    say(`API:       http://${config.host}:${config.port}/api/v1/docs/`);
    say(`Dashboards: http://${config.host}:${config.port}/   (Ctrl-C to stop)`);
    await signals.untilSignalled();
    return reconciled;
  } finally {
    await stop();
    signals.dispose();
  }
}

/**
 * SIGINT and SIGTERM stop the demo. While it serves, the first one ends the wait (the normal way
 * out); before that, the work in hand is abandoned: `stop` runs and the process exits with the
 * signal's code. Later signals (npm forwards the one the terminal already sent to the whole group)
 * only say that the stop is under way.
 */
function handleStopSignals(stop: () => Promise<void>): {
  untilSignalled: () => Promise<NodeJS.Signals>;
  dispose: () => void;
} {
  let signalled = false;
  let serving: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return say(`${signal}: stopping, please wait…`);
    signalled = true;
    if (serving) return serving(signal);
    say(`${signal}: stopping the demo…`);
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    untilSignalled: () =>
      new Promise((resolve) => {
        serving = resolve;
      }),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Starts the project's local broker when KAFKA_BROKERS is unset and none answers; true when this
 * demo started it (and so must stop it). A broker already running (npm run kafka:start) is used
 * and left running.
 */
async function ensureBroker(config: Config): Promise<boolean> {
  if (!config.usesLocalBroker) return false;
  const alreadyRunning = `Using the Kafka broker already running on ${config.kafkaBrokers.join(',')} (left running).`;
  // a broker still stopping (a demo just interrupted) answers for a few seconds: start a new one
  if (!(await localBrokerStopping()) && (await isBrokerReachable(config.kafkaBrokers, 2000))) {
    say(alreadyRunning);
    return false;
  }
  say('Starting the local Kafka broker (its jars come from Maven Central on first use)…');
  const started = await startLocalBroker({ stopWhenGone: process.pid });
  say(started.started ? `Kafka is up on ${started.bootstrap} (log ${started.logFile}).` : alreadyRunning);
  return started.started;
}

async function startAfresh(config: Config, kafka: KafkaClient): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const demoTopics = (await retryingRetriable(() => admin.listTopics())).filter((topic) =>
    isDemoTopicOf(config.topics, topic),
  );
  await admin.disconnect();
  await deleteTopics(kafka, demoTopics).catch(() => undefined);
  // Topic deletion is asynchronous in Kafka: give the broker a moment before they are re-created.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  for (const suffix of ['', '.wal']) rmSync(`${config.dbPath}${suffix}`, { force: true });
  say('Deleted the demo topics and the database.');
}

async function publish(topics: DemoTopics, kafka: KafkaClient, demo: Demo, target: number): Promise<void> {
  const producer = createProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const bar = progressBar('Publishing', 'invoice lines');
  bar.start(target, 0);
  try {
    const sent = await publishDemo(producer, topics, demo.messages(), (p) => bar.update(p.invoiceLines));
    bar.update(sent.invoiceLines);
    bar.stop();
    say(`Published ${sent.sent} messages (${sent.invoiceLines} invoice lines).`);
  } finally {
    bar.stop();
    await producer.disconnect();
  }
}

async function waitUntilIngested(owner: Owner, kafka: KafkaClient, topics: string[]): Promise<void> {
  const targets = await highWatermarks(kafka, topics);
  const total = [...targets.values()].reduce((a, b) => a + b, 0n);
  const bar = progressBar('Ingesting ', 'messages');
  bar.start(Number(total), 0);
  const readStored = () =>
    owner.db.withConnection((conn) =>
      queryRows<StoredOffset>(
        conn,
        'select topic, kafka_partition as partition, next_offset::varchar as "nextOffset" from consumer_offsets',
      ),
    );
  // Ingest that cannot go on (issue 9) ends the wait with its reason instead of waiting for ever.
  let fatal: Error | undefined;
  owner.ingest.fatal.then((error) => {
    fatal = error;
  });
  try {
    await waitForOffsets(targets, readStored, {
      pollMs: 500,
      onProgress: (lag) => {
        if (fatal) throw fatal;
        bar.update(Number(lag.reduce((sum, p) => sum + (p.high - p.behind), 0n)));
      },
    });
  } finally {
    bar.stop();
  }
  const p = owner.ingest.progress;
  say(
    `Ingested ${p.accepted} documents (${p.lines} invoice and order lines), ${p.retracted} retractions, ${p.rejected} rejected.`,
  );
}

/** Compares what the database reports with what the generator planted, body by body. */
function reconcile(
  stats: Stats,
  expected: { bodies: Stats['bodies']; unattributedRejected: number },
): boolean {
  const keys = ['invoices', 'invoiceLines', 'purchaseOrders', 'rejected', 'netTotal'] as const;
  const rows = expected.bodies.map((want) => {
    const got = stats.bodies.find((b) => b.bodyId === want.bodyId);
    const differences = keys.filter((k) => String(got?.[k]) !== String(want[k]));
    if (JSON.stringify(got?.otherCurrencies) !== JSON.stringify(want.otherCurrencies))
      differences.push('otherCurrencies' as never);
    if (got?.firstInvoiceDate !== want.firstInvoiceDate || got?.lastInvoiceDate !== want.lastInvoiceDate) {
      differences.push('dates' as never);
    }
    return { ...got, check: differences.length === 0 ? 'as planted' : `DIFFERS: ${differences.join(', ')}` };
  });
  say('');
  printTable(rows, ['bodyId', 'invoices', 'invoiceLines', 'purchaseOrders', 'rejected', 'netTotal', 'check']);
  const unattributedOk = stats.unattributedRejected === expected.unattributedRejected;
  const ok = rows.every((r) => r.check === 'as planted') && unattributedOk;
  say(
    ok
      ? `Reconciled: every body's counts and exact GBP totals equal what the generator planted (${stats.unattributedRejected} rejected for unregistered bodies).`
      : `NOT reconciled: see the rows marked DIFFERS (unattributed rejections ${stats.unattributedRejected}, expected ${expected.unattributedRejected}).`,
  );
  return ok;
}

function progressBar(label: string, unit: string): SingleBar {
  return new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    etaBuffer: 50,
  });
}

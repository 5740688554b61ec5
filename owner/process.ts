/**
 * The process that owns the database file: it hosts the control socket (so other commands
 * can reach the database), the Kafka consumers and, for `serve`, the HTTP API.
 */
import type { Server } from 'node:http';
import type { Server as ControlServer } from 'node:net';
import { prepareBodyTopics } from '../ingest/body-topics.ts';
import { IngestService } from '../ingest/consumer.ts';
import { createKafka, ensureTopics, probeCluster } from '../ingest/kafka/client.ts';
import type { Config } from '../lib/config.ts';
import { installCrashPoints } from '../lib/crash-points.ts';
import type { Database } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { startTransformSchedule } from '../transforms/schedule.ts';
import { openDatabaseForOwner } from './call-operation.ts';
import { DEFAULT_CONTROL_LIMITS, ownedElsewhere, ownerAnswers, startControlServer } from './control.ts';
import { bodyRegistrations } from './operations.ts';

/**
 * Starts the HTTP API on the owner's database. `serve` passes one in (api/ sits above owner/,
 * so the owner is handed the API rather than importing it); `ingest` and uploads pass none.
 */
export type ApiStarter = (db: Database, ingest: IngestService) => Promise<Server>;

export type OwnerOptions = { api?: ApiStarter | undefined };

/** After a fatal ingest error, how long a clean stop may take before the process exits anyway. */
const FORCED_EXIT_MS = 15_000;

export type Owner = {
  db: Database;
  ingest: IngestService;
  api: Server | undefined;
  stop(): Promise<void>;
};

export async function startOwner(config: Config, log: Logger, options: OwnerOptions = {}): Promise<Owner> {
  if (!(await probeCluster(config.kafkaBrokers, 5000, config.kafkaAuth))) {
    throw new UserError(
      'unavailable',
      config.usesLocalBroker
        ? `No Kafka broker answers at ${config.kafkaBrokers.join(',')}. Start the project's local broker with "npm run kafka:start", or set KAFKA_BROKERS.`
        : `No Kafka broker answers at KAFKA_BROKERS=${config.kafkaBrokers.join(',')}.`,
    );
  }
  if (await ownerAnswers(config.socketPath)) {
    throw ownedElsewhere(config.socketPath);
  }
  installCrashPoints(config);
  const db = await openDatabaseForOwner(config);
  let control: ControlServer | undefined;
  let api: Server | undefined;
  const ingest = new IngestService(config, db, log);
  // per-body layout: a body registered through this owner gets its topics, and is read at once.
  function onBodyAdded(bodyId: string): void {
    if (config.topicLayout !== 'per-body') return;
    prepareBodyTopics(config, bodyId, log)
      .then(() => ingest.refreshTopics())
      .catch((error) =>
        log.warn(
          { err: error, bodyId },
          'could not prepare the new body’s topics; `spend kafka provision` will',
        ),
      );
  }
  try {
    control = await startControlServer(config.socketPath, db, log, {
      ...DEFAULT_CONTROL_LIMITS,
      ...config.control,
    });
    await ensureTopics(
      createKafka({
        brokers: config.kafkaBrokers,
        clientId: config.kafkaClientId,
        logger: log,
        auth: config.kafkaAuth,
      }),
      [
        // per-body layout: the bodies' own topics are made when they are registered.
        ...(config.topicLayout === 'shared'
          ? [
              { topic: config.topics.invoices, numPartitions: config.topicPartitions },
              { topic: config.topics.purchaseOrders, numPartitions: config.topicPartitions },
            ]
          : []),
        { topic: config.topics.deadLetter, numPartitions: 1 },
      ],
    );
    await ingest.start();
    bodyRegistrations.on('added', onBodyAdded);
    if (options.api) api = await options.api(db, ingest);
  } catch (error) {
    bodyRegistrations.off('added', onBodyAdded);
    await ingest.stop().catch(() => undefined);
    control?.close();
    db.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      bodyRegistrations.off('added', onBodyAdded);
      await ingest.stop();
      await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
      db.close();
    })();
    return stopping;
  };
  return { db, ingest, api, stop };
}

/** Runs the owner until SIGTERM/SIGINT, logging progress while messages flow. */
export async function runOwnerUntilSignalled(
  config: Config,
  log: Logger,
  options: OwnerOptions = {},
): Promise<void> {
  // Listen for the stop signal before starting: the control socket answers (and a supervisor may
  // signal) while the consumer is still joining its group, and a SIGTERM then must still mean
  // "stop cleanly", not the default kill.
  let signalled = false;
  let wake: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'shutting down: finishing the batch in hand');
    signalled = true;
    wake?.();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const owner = await startOwner(config, log, options);
  // `serve` also refreshes the transforms on TRANSFORMS_CRON (UTC); `ingest` only ingests.
  const schedule = options.api
    ? startTransformSchedule(owner.db, config.transformsCron, log, { codelistsDir: config.codelistsDir })
    : undefined;
  log.info(
    {
      db: config.dbPath,
      socket: config.socketPath,
      ...(owner.api ? { api: `http://${config.host}:${config.port}` } : {}),
    },
    'owning the database',
  );
  let last = 0;
  const progress = setInterval(() => {
    const p = owner.ingest.progress;
    if (p.messages === last) return;
    log.info({ ...p, perSecond: Math.round((p.messages - last) / 5) }, 'ingest progress');
    last = p.messages;
  }, 5000);
  progress.unref();

  // Ingest that cannot go on ends the process non-zero (a supervisor restarts it), never idles.
  const fatal = await Promise.race([
    new Promise<undefined>((resolve) => {
      wake = () => resolve(undefined);
      if (signalled) resolve(undefined);
    }),
    owner.ingest.fatal,
  ]);
  clearInterval(progress);
  if (fatal) {
    process.stderr.write(
      `spend: ${fatal.message}\nspend: exiting with code 1 so that a supervisor restarts it.\n`,
    );
    process.exitCode = 1;
    // Whatever still holds the event loop after the clean stop below must not keep us alive.
    setTimeout(() => process.exit(1), FORCED_EXIT_MS).unref();
  }
  await schedule?.stop();
  await owner.stop();
  if (fatal) return;
  log.info('stopped cleanly');
}

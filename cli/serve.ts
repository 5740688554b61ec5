import type { Command } from 'commander';
import { consumedTopics } from '../ingest/body-topics.ts';
import { createKafka, probeCluster } from '../ingest/kafka/client.ts';
import { consumerLag, type StoredOffset } from '../ingest/lag.ts';
import { type Config, loadConfig } from '../lib/config.ts';
import type { Database } from '../lib/db.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { runOperation } from '../owner/operations.ts';
import { type ApiStarter, runOwnerUntilSignalled } from '../owner/process.ts';

/**
 * The API as `spend serve` runs it: its limits from the configuration, uploads through the CLI's
 * upload path with one producer (disconnected when the server closes), readiness probing the
 * broker, and the ingest service's own progress.
 */
/** Consumer lag per partition of the configured topics, offsets as decimal strings (the API's lag route). */
export function consumerLagFor(
  config: Pick<Config, 'kafkaBrokers' | 'kafkaClientId' | 'kafkaAuth' | 'topics' | 'topicLayout'>,
  db: Database,
) {
  return async () => {
    const stored = (await runOperation(db, 'offsets', {})) as StoredOffset[];
    const kafka = createKafka({
      brokers: config.kafkaBrokers,
      clientId: `${config.kafkaClientId}-lag`,
      auth: config.kafkaAuth,
    });
    const lag = await consumerLag(kafka, await consumedTopics(kafka, config), stored);
    return lag.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      stored: p.stored.toString(),
      high: p.high.toString(),
      behind: p.behind.toString(),
    }));
  };
}

export function serveApi(config: Config, log: Logger): ApiStarter {
  return async (db, ingest) => {
    // Loaded here, not at the top: express and the upload readers stay out of every other
    // `spend` process (spend ingest among them; BENCHMARKS.md "Ingest memory").
    const [{ startApi }, { startHttpUploads }] = await Promise.all([
      import('../api/app.ts'),
      import('./http-uploads.ts'),
    ]);
    const uploads = await startHttpUploads(config, db, log);
    try {
      const server = await startApi(db, config.port, log, config.host, {
        settings: { ...config.api, codelistsDir: config.codelistsDir },
        uploader: uploads.uploader,
        brokerReachable: () => probeCluster(config.kafkaBrokers, 2000, config.kafkaAuth),
        ingestStatus: async () => ({ running: true, ...ingest.progress }),
        topics: config.topics,
        consumerLag: consumerLagFor(config, db),
      });
      server.on('close', () => {
        uploads
          .close()
          .catch((error: unknown) => log.warn({ err: error }, 'upload producer did not disconnect'));
      });
      return server;
    } catch (error) {
      await uploads.close().catch(() => undefined);
      throw error;
    }
  };
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('own the database: Kafka consumers, control socket, HTTP API and scheduled transforms')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      await runOwnerUntilSignalled(config, log, {
        api: serveApi(config, log),
      });
    });
}

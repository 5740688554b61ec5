/**
 * npm run kafka:start | kafka:stop | kafka:status — the project's local Kafka broker (see
 * broker.ts and docs/kafka.md). `start` also creates the project's topics, so a fresh broker is
 * ready for `spend serve` at once. Options: --port N (default 19092; the controller takes N+1).
 */
import { createKafka, ensureTopics, type TopicSpec } from '../ingest/kafka/client.ts';
import { loadConfig } from '../lib/config.ts';
import { type LocalBrokerOptions, localBrokerStatus, startLocalBroker, stopLocalBroker } from './broker.ts';

const USAGE = 'usage: kafka-local start|stop|status [--port N]';

function parseArgs(argv: string[]): { command: string | undefined; options: LocalBrokerOptions } {
  const [command, ...rest] = argv;
  const options: LocalBrokerOptions = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--port' || arg?.startsWith('--port=')) {
      const value = arg === '--port' ? rest[++i] : arg.slice('--port='.length);
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65534) throw new UsageError(`bad --port: ${value}`);
      options.port = port;
    } else {
      throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  return { command, options };
}

class UsageError extends Error {}

/** The project's topics, named as configured (SPEND_TOPIC_*), on the local broker. */
async function createProjectTopics(bootstrap: string): Promise<void> {
  const config = loadConfig();
  const specs: TopicSpec[] = [
    { topic: config.topics.invoices, numPartitions: config.topicPartitions },
    { topic: config.topics.purchaseOrders, numPartitions: config.topicPartitions },
    { topic: config.topics.deadLetter, numPartitions: 1 },
  ];
  const kafka = createKafka({ brokers: [bootstrap], clientId: `${config.kafkaClientId}-kafka-local` });
  const { created, existing } = await ensureTopics(kafka, specs);
  if (created.length > 0) console.log(`created topics: ${created.join(', ')}`);
  if (existing.length > 0) console.log(`topics already there: ${existing.join(', ')}`);
}

async function main(argv: string[]): Promise<number> {
  const { command, options } = parseArgs(argv);
  switch (command) {
    case 'start': {
      const result = await startLocalBroker(options);
      if (result.started) {
        const seconds = ((result.startMs ?? 0) / 1000).toFixed(1);
        console.log(
          `started pid ${result.pid} in ${seconds} s, bootstrap ${result.bootstrap} (log ${result.logFile})`,
        );
      } else if (result.pid !== undefined) {
        console.log(`already running pid ${result.pid}, bootstrap ${result.bootstrap}`);
      } else {
        console.log(`a broker not started by kafka-local already answers on ${result.bootstrap}; using it`);
      }
      await createProjectTopics(result.bootstrap);
      return 0;
    }
    case 'stop': {
      const result = await stopLocalBroker(options);
      console.log(
        result.stopped
          ? `stopped pid ${result.pid} in ${(result.stopMs / 1000).toFixed(1)} s`
          : 'not running',
      );
      return 0;
    }
    case 'status': {
      const status = await localBrokerStatus(options);
      if (status.running && status.reachable) {
        console.log(`running pid ${status.pid}, bootstrap ${status.bootstrap}`);
        return 0;
      }
      if (status.running) {
        console.log(
          `pid ${status.pid} is alive but ${status.bootstrap} does not answer yet (log ${status.logFile})`,
        );
        return 1;
      }
      if (status.reachable) {
        console.log(`a broker not started by kafka-local answers on ${status.bootstrap}`);
        return 0;
      }
      console.log('not running');
      return 1;
    }
    default:
      throw new UsageError(command ? `unknown command: ${command}` : 'no command');
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`kafka-local: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

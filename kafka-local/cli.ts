/**
 * npm run kafka:start | kafka:stop | kafka:status — the project's local Kafka broker (see
 * broker.ts and docs/kafka.md). `start` also creates the project's topics, so a fresh broker is
 * ready for `spend serve` at once. Options: --port N (default 19092; the controller takes N+1);
 * --sasl: clients must log in (SASL/SCRAM) and ACLs decide what each may do (docs/kafka.md).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKafka, ensureTopics, grantAcls, type TopicSpec } from '../ingest/kafka/client.ts';
import { type KafkaAuth, loadConfig } from '../lib/config.ts';
import {
  brokerAdminAuth,
  type LocalBrokerOptions,
  localBrokerStatus,
  type SaslSetup,
  startLocalBroker,
  stopLocalBroker,
} from './broker.ts';

const USAGE = 'usage: kafka-local start|stop|status [--port N] [--sasl]';

function parseArgs(argv: string[]): {
  command: string | undefined;
  options: LocalBrokerOptions;
  saslWanted: boolean;
} {
  const [command, ...rest] = argv;
  const options: LocalBrokerOptions = {};
  let saslWanted = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--port' || arg?.startsWith('--port=')) {
      const value = arg === '--port' ? rest[++i] : arg.slice('--port='.length);
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65534) throw new UsageError(`bad --port: ${value}`);
      options.port = port;
    } else if (arg === '--sasl') {
      saslWanted = true;
    } else {
      throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  return { command, options, saslWanted };
}

class UsageError extends Error {}

/** The product's own login on a --sasl broker; its ACLs cover the default topic and group names. */
const PRODUCT_USER = 'spend';

/**
 * The SCRAM users of a --sasl broker: made once per runtime dir (0600 files there), since KRaft
 * takes users only when the storage is first formatted.
 */
async function saslSetup(runtimeDir: string): Promise<{ sasl: SaslSetup; passwordFile: string }> {
  await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
  const adminFile = join(runtimeDir, 'admin.password');
  const passwordFile = join(runtimeDir, `${PRODUCT_USER}.password`);
  const secret = async (file: string) => {
    if (!existsSync(file))
      await writeFile(file, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
    return (await readFile(file, 'utf8')).trim();
  };
  if (existsSync(join(runtimeDir, 'data', 'meta.properties')) && !existsSync(adminFile)) {
    throw new UsageError(
      `the broker in ${runtimeDir} was first started without --sasl (its users are fixed then): use another --port`,
    );
  }
  const sasl = {
    adminPassword: await secret(adminFile),
    users: [{ name: PRODUCT_USER, password: await secret(passwordFile) }],
  };
  return { sasl, passwordFile };
}

/** What the product's user may do: read and write the spend.* topics, read as a spend-* group. */
async function grantProductAcls(bootstrap: string, auth: KafkaAuth): Promise<void> {
  const kafka = createKafka({ brokers: [bootstrap], clientId: 'kafka-local-acls', auth });
  await grantAcls(kafka, [
    {
      principal: `User:${PRODUCT_USER}`,
      resource: 'topic',
      name: 'spend.',
      prefixed: true,
      operations: ['READ', 'WRITE', 'DESCRIBE', 'CREATE'],
    },
    {
      principal: `User:${PRODUCT_USER}`,
      resource: 'group',
      name: 'spend-',
      prefixed: true,
      operations: ['READ'],
    },
  ]);
}

/** The project's topics, named as configured (SPEND_TOPIC_*), on the local broker. */
async function createProjectTopics(bootstrap: string, auth?: KafkaAuth): Promise<void> {
  const config = loadConfig();
  const specs: TopicSpec[] = [
    { topic: config.topics.invoices, numPartitions: config.topicPartitions },
    { topic: config.topics.purchaseOrders, numPartitions: config.topicPartitions },
    { topic: config.topics.deadLetter, numPartitions: 1 },
  ];
  const kafka = createKafka({ brokers: [bootstrap], clientId: `${config.kafkaClientId}-kafka-local`, auth });
  const { created, existing } = await ensureTopics(kafka, specs);
  if (created.length > 0) console.log(`created topics: ${created.join(', ')}`);
  if (existing.length > 0) console.log(`topics already there: ${existing.join(', ')}`);
}

async function main(argv: string[]): Promise<number> {
  const { command, options, saslWanted } = parseArgs(argv);
  switch (command) {
    case 'start': {
      let adminAuth: KafkaAuth | undefined;
      let passwordFile: string | undefined;
      if (saslWanted) {
        const setup = await saslSetup((await localBrokerStatus(options)).runtimeDir);
        options.sasl = setup.sasl;
        passwordFile = setup.passwordFile;
        adminAuth = brokerAdminAuth(setup.sasl);
      }
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
      await createProjectTopics(result.bootstrap, adminAuth);
      if (adminAuth) {
        await grantProductAcls(result.bootstrap, adminAuth);
        console.log(
          `SASL/SCRAM with ACLs; the product logs in with:\n  KAFKA_BROKERS=${result.bootstrap} KAFKA_SASL_MECHANISM=scram-sha-512 ` +
            `KAFKA_SASL_USERNAME=${PRODUCT_USER} KAFKA_SASL_PASSWORD_FILE=${passwordFile}`,
        );
      }
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

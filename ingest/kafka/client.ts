/**
 * The one module that imports kafkajs. kafkajs 2.2.4 is unmaintained (last release Feb 2023), so
 * everything else imports the client, its types and helpers from here: swapping the client later
 * touches this folder only. Importing this module also registers the Snappy, LZ4 and ZSTD codecs
 * (codecs.ts), each made tolerant of undecodable batches (undecodable.ts).
 *
 * kafkajs is CommonJS whose named exports Node cannot detect, hence the default import.
 */
import type {
  IHeaders,
  Kafka,
  Admin as KafkaJsAdmin,
  CompressionTypes as KafkaJsCompressionTypes,
  Consumer as KafkaJsConsumer,
  ConsumerConfig as KafkaJsConsumerConfig,
  EachBatchPayload as KafkaJsEachBatchPayload,
  EachMessagePayload as KafkaJsEachMessagePayload,
  KafkaMessage as KafkaJsKafkaMessage,
  logLevel as KafkaJsLogLevel,
  Message as KafkaJsMessage,
  Producer as KafkaJsProducer,
  ProducerConfig as KafkaJsProducerConfig,
  RecordMetadata as KafkaJsRecordMetadata,
  SASLOptions as KafkaJsSaslOptions,
  LogEntry,
} from 'kafkajs';
import kafkajs from 'kafkajs';
import pino from 'pino';
import type { KafkaAuth } from '../../lib/config.ts';
import type { Logger } from '../../lib/log.ts';
import { type Codec, lz4Codec, snappyCodec, zstdCodec } from './codecs.ts';
import { tolerateUndecodable } from './undecodable.ts';

registerCodecs();

export type KafkaClient = Kafka;
export type Admin = KafkaJsAdmin;
export type Producer = KafkaJsProducer;
export type ProducerConfig = KafkaJsProducerConfig;
export type Consumer = KafkaJsConsumer;
export type ConsumerConfig = KafkaJsConsumerConfig;
export type EachBatchPayload = KafkaJsEachBatchPayload;
export type EachMessagePayload = KafkaJsEachMessagePayload;
export type KafkaMessage = KafkaJsKafkaMessage;
export type OutgoingMessage = KafkaJsMessage;
export type MessageHeaders = IHeaders;
export type RecordMetadata = KafkaJsRecordMetadata;

export const CompressionTypes = kafkajs.CompressionTypes;
export type CompressionTypes = KafkaJsCompressionTypes;
export const logLevel = kafkajs.logLevel;
export type logLevel = KafkaJsLogLevel;

/** True for errors kafkajs raises (connection, protocol, retries exhausted…). */
export const isKafkaError = (error: unknown): boolean => error instanceof kafkajs.KafkaJSError;

export type CreateKafkaOptions = {
  brokers: string[];
  clientId: string;
  /** kafkajs' own threshold; WARN unless told otherwise (INFO logs every connect and rebalance). */
  logLevel?: logLevel;
  /** Where kafkajs logs go; defaults to a pino logger on stderr. */
  logger?: Logger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** SASL credentials and TLS (config.kafkaAuth); none: plaintext without a login. */
  auth?: KafkaAuth;
};

/** kafkajs' `sasl` and `ssl` settings for these credentials. */
function securitySettings(auth: KafkaAuth | undefined) {
  return {
    // kafkajs types each mechanism apart; the three take the same username and password.
    ...(auth?.sasl ? { sasl: { ...auth.sasl } as KafkaJsSaslOptions } : {}),
    ...(auth?.tls ? { ssl: auth.tls.ca ? { ca: [auth.tls.ca] } : true } : {}),
  };
}

const PINO_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [kafkajs.logLevel.ERROR]: 'error',
  [kafkajs.logLevel.WARN]: 'warn',
  [kafkajs.logLevel.INFO]: 'info',
  [kafkajs.logLevel.DEBUG]: 'debug',
};

/**
 * Routes kafkajs log entries into pino. kafkajs' Connection logs every error response at ERROR,
 * including the routine ones of a rebalance ("The group is rebalancing, so a rejoin is needed"):
 * those go to debug, since the layer that handles the error logs what matters (or throws).
 */
function pinoLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _source, ...fields } = log;
      const routine = namespace === 'Connection' && message.startsWith('Response ');
      const method = routine ? 'debug' : PINO_LEVEL[level];
      if (method) logger[method]({ kafkajs: namespace, ...fields }, message);
    };
}

export function createKafka(options: CreateKafkaOptions): KafkaClient {
  const logger =
    options.logger?.child({ component: 'kafkajs' }) ??
    pino({ name: 'kafkajs', level: 'warn' }, pino.destination(2));
  return new kafkajs.Kafka({
    brokers: options.brokers,
    clientId: options.clientId,
    logLevel: options.logLevel ?? kafkajs.logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    ...securitySettings(options.auth),
  });
}

/**
 * A producer that partitions keys like the Java client (murmur2), so a key lands on the same
 * partition whichever client sent it. Also silences kafkajs' "default partitioner changed" notice.
 */
export function createProducer(kafka: KafkaClient, config: ProducerConfig = {}): Producer {
  return kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, ...config });
}

export type TopicSpec = {
  topic: string;
  numPartitions: number;
  replicationFactor?: number;
  /** Topic-level settings, e.g. { name: 'max.message.bytes', value: '65536' }. */
  configEntries?: { name: string; value: string }[];
};

/**
 * Creates the topics that do not exist yet; existing ones are left as they are (their partition
 * count is not changed). Safe to run concurrently: a lost creation race counts as "existing".
 */
export async function ensureTopics(
  kafka: KafkaClient,
  specs: TopicSpec[],
): Promise<{ created: string[]; existing: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await retryingRetriable(() => admin.listTopics()));
    const missing = specs.filter((spec) => !present.has(spec.topic));
    const existing = specs.filter((spec) => present.has(spec.topic)).map((spec) => spec.topic);
    if (missing.length === 0) return { created: [], existing };
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.numPartitions,
          replicationFactor: spec.replicationFactor ?? -1,
          ...(spec.configEntries ? { configEntries: spec.configEntries } : {}),
        })),
      });
    } catch (error) {
      // A fresh or busy KRaft broker may answer the leader check with "unknown topic" for a topic
      // it has just created: wait for the leaders ourselves instead of failing.
      const topics = missing.map((spec) => spec.topic);
      if (isUnknownTopic(error)) await waitForLeaders(admin, topics);
      else if (!onlyAlreadyExists(error)) throw error;
    }
    const after = new Set(await retryingRetriable(() => admin.listTopics()));
    const created = missing.filter((spec) => after.has(spec.topic)).map((spec) => spec.topic);
    return { created, existing };
  } finally {
    await admin.disconnect();
  }
}

function isUnknownTopic(error: unknown): boolean {
  const e = error as { type?: string; originalError?: { type?: string } };
  return (e.type ?? e.originalError?.type) === 'UNKNOWN_TOPIC_OR_PARTITION';
}

/** Until every partition of these topics has a leader (30 s at most, then the last error). */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (!isUnknownTopic(error) || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`no leaders for ${topics.join(', ')} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A partition's log start (`low`) and high watermark (`high`), as kafkajs gives them. */
export type PartitionOffsets = { partition: number; offset: string; low: string; high: string };

/**
 * Runs an admin request again while kafkajs marks its error retriable: right after a broker
 * restarts it answers NOT_LEADER_FOR_PARTITION (or LEADER_NOT_AVAILABLE) until it has taken back
 * its partitions, and kafkajs' admin throws those instead of retrying them (a second `npm run
 * demo` on the same machine died of it). Up to 10 tries, 200 ms doubling to 2 s apart (~13 s).
 * Only for requests that are safe to repeat (reads).
 */
export async function retryingRetriable<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
    }
  }
}

/** Each partition's offsets, retried while the cluster settles (retryingRetriable). */
export async function fetchTopicOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  return retryingRetriable(() => admin.fetchTopicOffsets(topic));
}

function onlyAlreadyExists(error: unknown): boolean {
  const errors = (error as { errors?: Array<{ type?: string }> }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
}

/**
 * The largest record batch the cluster accepts on `topic`: the topic's `max.message.bytes`
 * (which defaults to the broker's `message.max.bytes`) and the broker's own `message.max.bytes`,
 * whichever is smaller, as the cluster reports them (admin DescribeConfigs).
 */
export async function readMaxMessageBytes(
  kafka: KafkaClient,
  topic: string,
): Promise<{ bytes: number; topicLimit: number; brokerLimit: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await retryingRetriable(() => admin.describeCluster());
    const brokerId = String(cluster.brokers[0]?.nodeId ?? 0);
    const described = await retryingRetriable(() =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] },
          { type: kafkajs.ConfigResourceTypes.BROKER, name: brokerId, configNames: ['message.max.bytes'] },
        ],
      }),
    );
    const value = (type: number, name: string): number | undefined => {
      const resource = described.resources.find((r) => r.resourceType === type);
      const entry = resource?.configEntries.find((e) => e.configName === name);
      const parsed = Number(entry?.configValue);
      return Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
    };
    // Kafka's defaults (1 MiB and a bit) when the cluster withholds a value (e.g. no DescribeConfigs ACL).
    const topicLimit = value(kafkajs.ConfigResourceTypes.TOPIC, 'max.message.bytes') ?? 1_048_588;
    const brokerLimit = value(kafkajs.ConfigResourceTypes.BROKER, 'message.max.bytes') ?? 1_048_588;
    return { bytes: Math.min(topicLimit, brokerLimit), topicLimit, brokerLimit };
  } finally {
    await admin.disconnect();
  }
}

/** True for the broker's refusal of a record batch larger than the topic allows. */
export function isMessageTooLarge(error: unknown): boolean {
  for (let e = error as { type?: string; cause?: unknown; originalError?: unknown } | undefined; e; ) {
    if (e.type === 'MESSAGE_TOO_LARGE') return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/** The topics this client may see (with ACLs: those it may DESCRIBE). */
export async function listTopics(kafka: KafkaClient): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await retryingRetriable(() => admin.listTopics());
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: KafkaClient, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Whether a Kafka cluster answers a metadata request within timeoutMs and names at least one
 * broker. Logs nothing and never throws: meant for "is it up yet?" loops.
 */
export async function probeCluster(brokers: string[], timeoutMs: number, auth?: KafkaAuth): Promise<boolean> {
  return (await probeClusterId(brokers, timeoutMs, auth)) !== undefined;
}

/**
 * The id of the Kafka cluster answering at these addresses within timeoutMs (it tells one broker
 * from another on the same address), or undefined when none answers. Logs nothing, never throws.
 */
export async function probeClusterId(
  brokers: string[],
  timeoutMs: number,
  auth?: KafkaAuth,
): Promise<string | undefined> {
  const kafka = new kafkajs.Kafka({
    brokers,
    clientId: 'collective-spend-probe',
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    ...securitySettings(auth),
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const probe = (async () => {
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 ? cluster.clusterId : undefined;
    } catch {
      return undefined;
    }
  })();
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => {});
  }
}

/**
 * kafkajs ships GZIP only. Every codec, kafkajs' own GZIP included, turns an undecodable batch into
 * flagged records instead of failing the fetch (see undecodable.ts).
 */
function registerCodecs(): void {
  const { CompressionCodecs, CompressionTypes: types } = kafkajs;
  const gzipCodec = (CompressionCodecs[types.GZIP] as () => Codec)();
  const registered: [1 | 2 | 3 | 4, string, Codec][] = [
    [types.GZIP, 'gzip', gzipCodec],
    [types.Snappy, 'snappy', snappyCodec],
    [types.LZ4, 'lz4', lz4Codec],
    [types.ZSTD, 'zstd', zstdCodec],
  ];
  for (const [type, name, codec] of registered) {
    const tolerant = tolerateUndecodable(name, codec);
    CompressionCodecs[type] = () => tolerant;
  }
}

/** An ACL granting `principal` ("User:name") these operations on a topic or group (or a name prefix). */
export type AclGrant = {
  principal: string;
  resource: 'topic' | 'group' | 'cluster';
  /** The cluster's is "kafka-cluster". */
  name: string;
  /** The name is a prefix ("spend." covers every topic starting so). */
  prefixed?: boolean;
  operations: ('READ' | 'WRITE' | 'DESCRIBE' | 'CREATE' | 'DESCRIBE_CONFIGS')[];
};

const ACL_RESOURCE_TYPES = {
  topic: kafkajs.AclResourceTypes.TOPIC,
  group: kafkajs.AclResourceTypes.GROUP,
  cluster: kafkajs.AclResourceTypes.CLUSTER,
};

/** Creates ALLOW ACLs (needs a broker with an authorizer and an admin login). */
export async function grantAcls(kafka: KafkaClient, grants: AclGrant[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: grants.flatMap((grant) =>
        grant.operations.map((operation) => ({
          resourceType: ACL_RESOURCE_TYPES[grant.resource],
          resourceName: grant.name,
          resourcePatternType: grant.prefixed
            ? kafkajs.ResourcePatternTypes.PREFIXED
            : kafkajs.ResourcePatternTypes.LITERAL,
          principal: grant.principal,
          host: '*',
          operation: kafkajs.AclOperationTypes[operation],
          permissionType: kafkajs.AclPermissionTypes.ALLOW,
        })),
      ),
    });
  } finally {
    await admin.disconnect();
  }
}

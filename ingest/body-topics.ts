/**
 * The per-body topic layout on the broker (lib/topics.ts says what it is): which topics the
 * ingest consumer reads, and the topics and ACLs that let each body's principal write its own
 * topics and nothing else, while the ingest principal reads them all. Creating topics and ACLs
 * needs the admin principal (config.kafkaAdminAuth).
 */
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/log.ts';
import { bodyPrincipal, bodyTopic, bodyTopicPattern, documentTopicsFor } from '../lib/topics.ts';
import {
  type AclGrant,
  createKafka,
  ensureTopics,
  grantAcls,
  type KafkaClient,
  listTopics,
  type TopicSpec,
} from './kafka/client.ts';

type LayoutConfig = Pick<Config, 'topics' | 'topicLayout'>;

/**
 * The topics the ingest consumer reads: the shared pair, or every per-body topic on the broker now
 * (a body registered later is picked up by IngestService.refreshTopics).
 */
export async function consumedTopics(kafka: KafkaClient, config: LayoutConfig): Promise<string[]> {
  const { invoices, purchaseOrders } = config.topics;
  if (config.topicLayout === 'shared') return [invoices, purchaseOrders];
  const patterns = [bodyTopicPattern(invoices), bodyTopicPattern(purchaseOrders)];
  return (await listTopics(kafka)).filter((topic) => patterns.some((p) => p.test(topic))).sort();
}

/** A body's own topics (per-body layout). */
export function bodyTopicSpecs(
  config: Pick<Config, 'topics' | 'topicPartitions'>,
  bodyId: string,
): TopicSpec[] {
  const own = documentTopicsFor({ topics: config.topics, topicLayout: 'per-body' }, bodyId);
  return [own.invoices, own.purchaseOrders].map((topic) => ({
    topic,
    numPartitions: config.topicPartitions,
  }));
}

/** `body-<id>` may write (and describe) its two topics, by literal name: no prefix reaches another body's. */
export function bodyGrants(config: Pick<Config, 'topics'>, bodyId: string): AclGrant[] {
  const principal = `User:${bodyPrincipal(bodyId)}`;
  return [config.topics.invoices, config.topics.purchaseOrders].map((base) => ({
    principal,
    resource: 'topic',
    name: bodyTopic(base, bodyId),
    operations: ['WRITE', 'DESCRIBE'],
  }));
}

/**
 * The ingest principal reads every body's topics (a prefix: bodies registered later included) in
 * its consumer group, and writes the dead-letter topic. It may write no body's topic.
 */
export function ingestGrants(config: Pick<Config, 'topics' | 'consumerGroup'>, username: string): AclGrant[] {
  const principal = `User:${username}`;
  return [
    ...[config.topics.invoices, config.topics.purchaseOrders].map(
      (base): AclGrant => ({
        principal,
        resource: 'topic',
        name: bodyTopic(base, ''),
        prefixed: true,
        operations: ['READ', 'DESCRIBE'],
      }),
    ),
    { principal, resource: 'group', name: config.consumerGroup, operations: ['READ'] },
    // DESCRIBE_CONFIGS: the dead-letter sender reads the topic's and the broker's size limits.
    {
      principal,
      resource: 'topic',
      name: config.topics.deadLetter,
      operations: ['WRITE', 'DESCRIBE', 'DESCRIBE_CONFIGS'],
    },
    { principal, resource: 'cluster', name: 'kafka-cluster', operations: ['DESCRIBE_CONFIGS'] },
  ];
}

export type ProvisionResult = { topicsCreated: string[]; grants: AclGrant[] };

/** A Kafka client logged in as the admin principal; refuses when none is configured. */
export function adminKafka(config: Config): KafkaClient {
  if (!config.kafkaAdminAuth) {
    throw new Error('no Kafka admin login: set KAFKA_ADMIN_SASL_USERNAME and KAFKA_ADMIN_SASL_PASSWORD_FILE');
  }
  return createKafka({
    brokers: config.kafkaBrokers,
    clientId: `${config.kafkaClientId}-admin`,
    auth: config.kafkaAdminAuth,
  });
}

/** Creates a body's topics (if missing) and its ACLs (creating an existing ACL changes nothing). */
export async function provisionBody(
  admin: KafkaClient,
  config: Pick<Config, 'topics' | 'topicPartitions'>,
  bodyId: string,
): Promise<ProvisionResult> {
  const { created } = await ensureTopics(admin, bodyTopicSpecs(config, bodyId));
  const grants = bodyGrants(config, bodyId);
  await grantAcls(admin, grants);
  return { topicsCreated: created, grants };
}

/** Creates the dead-letter topic (if missing) and the ingest principal's ACLs. */
export async function provisionIngest(
  admin: KafkaClient,
  config: Pick<Config, 'topics' | 'consumerGroup'>,
  username: string,
): Promise<ProvisionResult> {
  const { created } = await ensureTopics(admin, [{ topic: config.topics.deadLetter, numPartitions: 1 }]);
  const grants = ingestGrants(config, username);
  await grantAcls(admin, grants);
  return { topicsCreated: created, grants };
}

/**
 * per-body layout: makes a newly registered body's topics ready. With the admin login configured,
 * its topics and ACLs (provisionBody); without, its topics only, as the product's own principal
 * (the plaintext dev broker, or a principal allowed to create them): ACLs are then the operator's.
 * Shared layout: nothing to do. Idempotent; returns what it did, in one sentence.
 */
export async function prepareBodyTopics(
  config: Config,
  bodyId: string,
  log?: Logger,
): Promise<string | undefined> {
  if (config.topicLayout !== 'per-body') return undefined;
  if (config.kafkaAdminAuth) {
    const { topicsCreated, grants } = await provisionBody(adminKafka(config), config, bodyId);
    return `Kafka: topics ${bodyTopicSpecs(config, bodyId)
      .map((t) => t.topic)
      .join(
        ', ',
      )} ready (${topicsCreated.length} created); ${grants[0]?.principal} may write them and no other topic.`;
  }
  const kafka = createKafka({
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    ...(log ? { logger: log } : {}),
    auth: config.kafkaAuth,
  });
  const specs = bodyTopicSpecs(config, bodyId);
  const { created } = await ensureTopics(kafka, specs);
  return `Kafka: topics ${specs.map((t) => t.topic).join(', ')} ready (${created.length} created); no admin login (KAFKA_ADMIN_SASL_*), so no ACLs were set: \`spend kafka provision\` with one does it.`;
}

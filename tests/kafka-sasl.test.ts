/**
 * Kafka authentication and authorisation on a broker of the test's own (SASL/SCRAM-SHA-512 with
 * ACLs, free ports; never the shared broker): a wrong password and no login are refused, a user
 * with the right password but no ACL may not write, and the product's own configuration
 * (KAFKA_SASL_*) reaches the client, which then writes and reads.
 *
 * Then per-body topics and principals on the same broker (one broker per file: its start is most
 * of the time): each body's principal writes its own topics and no other body's, the ingest
 * principal reads them all (and writes none), a document on body A's topic that claims body B is
 * dead-lettered, and a body registered while the owner runs is read without a restart. The topics
 * and ACLs are made by the product's own provisioning (ingest/body-topics.ts) with the admin
 * login, as `spend kafka provision` and `spend bodies add` make them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKafka, prepareBodyTopics, provisionBody, provisionIngest } from '../ingest/body-topics.ts';
import {
  createKafka,
  createProducer,
  grantAcls,
  type KafkaClient,
  logLevel,
  probeCluster,
} from '../ingest/kafka/client.ts';
import { highWatermarks, type StoredOffset, waitForOffsets } from '../ingest/lag.ts';
import {
  brokerAdminAuth,
  type PrivateBroker,
  type SaslSetup,
  startPrivateBroker,
} from '../kafka-local/broker.ts';
import { type Config, loadConfig } from '../lib/config.ts';
import { queryRows } from '../lib/db.ts';
import { createLogger } from '../lib/log.ts';
import { bodyPrincipal, bodyTopic } from '../lib/topics.ts';
import { runOperation } from '../owner/operations.ts';
import { type Owner, startOwner } from '../owner/process.ts';
import { uniqueName } from './helpers/kafka.ts';
import { invoice } from './helpers/messages.ts';

const A = 'acl-alpha';
const B = 'acl-beta';
const C = 'acl-gamma';
const secret = () => randomBytes(12).toString('hex');
const sasl: SaslSetup = {
  adminPassword: secret(),
  users: [
    { name: 'ingest', password: secret() },
    { name: 'stranger', password: secret() },
    ...[A, B, C].map((id) => ({ name: bodyPrincipal(id), password: secret() })),
  ],
};
const password = (name: string) => sasl.users?.find((user) => user.name === name)?.password ?? '';
const TOPIC = uniqueName('spend.invoices.sasl');

let broker: PrivateBroker;
beforeAll(async () => {
  broker = await startPrivateBroker({ sasl, log: () => undefined });
  const admin = createKafka({
    brokers: [broker.bootstrap],
    clientId: 'sasl-admin',
    auth: brokerAdminAuth(sasl),
  });
  const setup = admin.admin();
  await setup.connect();
  await setup.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1 }] });
  await setup.disconnect();
  await grantAcls(admin, [
    {
      principal: 'User:ingest',
      resource: 'topic',
      name: 'spend.',
      prefixed: true,
      operations: ['READ', 'WRITE', 'DESCRIBE'],
    },
    { principal: 'User:ingest', resource: 'group', name: 'spend-', prefixed: true, operations: ['READ'] },
  ]);
});
afterAll(async () => {
  await broker?.stop();
});

const login = (username: string, pass: string) =>
  ({ sasl: { mechanism: 'scram-sha-512', username, password: pass } }) as const;

describe('Kafka with SASL/SCRAM and ACLs', () => {
  it('refuses a wrong password and a client without a login', async () => {
    expect(await probeCluster([broker.bootstrap], 5000, login('ingest', 'not-the-password'))).toBe(false);
    expect(await probeCluster([broker.bootstrap], 5000)).toBe(false);
    const producer = createProducer(
      createKafka({
        brokers: [broker.bootstrap],
        clientId: 'sasl-wrong',
        auth: login('ingest', 'wrong'),
        logLevel: logLevel.NOTHING,
      }),
    );
    await expect(producer.connect()).rejects.toThrow(/SASL|authentication/i);
    // The same client with the right password gets in: the refusal was the password's.
    expect(await probeCluster([broker.bootstrap], 5000, login('ingest', password('ingest')))).toBe(true);
  });

  it('lets a user with the right password but no ACL write nothing', async () => {
    const producer = createProducer(
      createKafka({
        brokers: [broker.bootstrap],
        clientId: 'sasl-stranger',
        auth: login('stranger', password('stranger')),
      }),
      { retry: { retries: 0 } },
    );
    await producer.connect();
    try {
      await expect(
        producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'x:1', value: 'not allowed' }] }),
      ).rejects.toThrow(/authoriz/i);
    } finally {
      await producer.disconnect();
    }
  });

  it('passes the configured credentials (KAFKA_SASL_*) to the client, which writes and reads', async () => {
    const config = loadConfig({
      KAFKA_BROKERS: broker.bootstrap,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ingest',
      KAFKA_SASL_PASSWORD: password('ingest'),
    });
    const kafka = createKafka({
      brokers: config.kafkaBrokers,
      clientId: 'sasl-ingest',
      auth: config.kafkaAuth,
    });
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'k:1', value: 'hello' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: uniqueName('spend-sasl') });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    const received = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });
    await consumer.disconnect();
    expect(received).toBe('hello');
  });
});

let config: Config;
let owner: Owner;
let admin: KafkaClient;
const dir = mkdtempSync(join(tmpdir(), 'spend-body-acl-'));
// Not under `spend.`: the first part grants User:ingest every `spend.` topic.
const base = uniqueName('acl');

/** A client logged in as one SCRAM user of the test broker. */
const clientAs = (username: string) =>
  createKafka({
    brokers: [broker.bootstrap],
    clientId: uniqueName(username),
    logLevel: logLevel.NOTHING,
    auth: { sasl: { mechanism: 'scram-sha-512', username, password: password(username) } },
  });

/** Sends one invoice as `username`; resolves, or rejects with the broker's refusal. */
async function sendAs(username: string, topic: string, doc: ReturnType<typeof invoice>): Promise<void> {
  const producer = createProducer(clientAs(username), { retry: { retries: 0 } });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: `${doc.bodyId}:${doc.invoiceId}`, value: JSON.stringify(doc) }],
    });
  } finally {
    await producer.disconnect();
  }
}

const register = (bodyId: string) =>
  runOperation(owner.db, 'bodies.add', {
    bodyId,
    name: `Body ${bodyId}`,
    kind: 'council',
    joinedOn: '2024-01-01',
  });

async function waitUntilIngested(topics: string[]): Promise<void> {
  const targets = await highWatermarks(admin, topics);
  await waitForOffsets(targets, async () => (await runOperation(owner.db, 'offsets', {})) as StoredOffset[], {
    timeoutMs: 60_000,
  });
}

describe('per-body topics and principals (SASL/SCRAM with ACLs)', () => {
  beforeAll(async () => {
    const adminPasswordFile = join(dir, 'admin.password');
    writeFileSync(adminPasswordFile, `${sasl.adminPassword}\n`, { mode: 0o600 });
    config = loadConfig({
      KAFKA_BROKERS: broker.bootstrap,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ingest',
      KAFKA_SASL_PASSWORD: password('ingest'),
      KAFKA_ADMIN_SASL_USERNAME: 'admin',
      KAFKA_ADMIN_SASL_PASSWORD_FILE: adminPasswordFile,
      SPEND_TOPIC_LAYOUT: 'per-body',
      SPEND_TOPIC_INVOICES: `${base}.invoices`,
      SPEND_TOPIC_PURCHASE_ORDERS: `${base}.purchase-orders`,
      SPEND_TOPIC_DEAD_LETTER: `${base}.dead-letter`,
      SPEND_TOPIC_PARTITIONS: '1',
      // Far away: the test asks for the refresh itself, so it waits on it rather than on a timer.
      SPEND_TOPIC_REFRESH_MS: '600000',
      SPEND_CONSUMER_GROUP: uniqueName('spend-acl'),
      KAFKA_SESSION_TIMEOUT_MS: '3000',
      SPEND_DB: join(dir, 'spend.duckdb'),
    });
    admin = adminKafka(config);
    await provisionIngest(admin, config, 'ingest');
    for (const bodyId of [A, B]) await provisionBody(admin, config, bodyId);
    owner = await startOwner(config, createLogger('warn'));
    for (const bodyId of [A, B]) await register(bodyId);
  }, 120_000);

  afterAll(async () => {
    await owner?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const topicOf = (bodyId: string) => bodyTopic(config.topics.invoices, bodyId);

  it("lets a body's principal write its own topic and refuses it another body's", async () => {
    await sendAs(bodyPrincipal(A), topicOf(A), invoice({ bodyId: A, invoiceId: 'A-OWN-1' }));
    await expect(
      sendAs(bodyPrincipal(A), topicOf(B), invoice({ bodyId: A, invoiceId: 'A-INTRUDES-1' })),
    ).rejects.toThrow(/authoriz/i);
    // Nor the dead-letter topic, nor a purchase-order topic of another body.
    await expect(
      sendAs(bodyPrincipal(A), bodyTopic(config.topics.purchaseOrders, B), invoice({ bodyId: A })),
    ).rejects.toThrow(/authoriz/i);
    await expect(
      sendAs(bodyPrincipal(B), config.topics.deadLetter, invoice({ bodyId: B, invoiceId: 'B-DL' })),
    ).rejects.toThrow(/authoriz/i);
  });

  it('lets the ingest principal write no body topic', async () => {
    await expect(sendAs('ingest', topicOf(A), invoice({ bodyId: A, invoiceId: 'FORGED' }))).rejects.toThrow(
      /authoriz/i,
    );
  });

  it("reads every body's topic as the ingest principal, and dead-letters a document on A's topic that claims B", async () => {
    await sendAs(
      bodyPrincipal(B),
      topicOf(B),
      invoice({ bodyId: B, invoiceId: 'B-OWN-1', netAmount: '150.50' }),
    );
    await sendAs(bodyPrincipal(A), topicOf(A), invoice({ bodyId: B, invoiceId: 'B-FORGED-BY-A' }));
    await waitUntilIngested([topicOf(A), topicOf(B)]);

    const invoices = await owner.db.withConnection((conn) =>
      queryRows<{ body_id: string; invoice_id: string; topic: string }>(
        conn,
        'select body_id, invoice_id, topic from invoices order by invoice_id',
      ),
    );
    expect(invoices).toEqual([
      { body_id: A, invoice_id: 'A-OWN-1', topic: topicOf(A) },
      { body_id: B, invoice_id: 'B-OWN-1', topic: topicOf(B) },
    ]);
    const rejected = await owner.db.withConnection((conn) =>
      queryRows<{ topic: string; body_id: string; reason_code: string; reason: string }>(
        conn,
        'select topic, body_id, reason_code, reason from rejected_messages',
      ),
    );
    expect(rejected).toHaveLength(1);
    // Attributed to A, the only principal that can write A's topic, not to the B it claimed.
    expect(rejected[0]).toMatchObject({ topic: topicOf(A), body_id: A, reason_code: 'body-topic-mismatch' });
    expect(rejected[0]?.reason).toContain(`body "${B}" on the topic of body "${A}"`);
    // And it went to the dead-letter topic, which the ingest principal may write.
    const deadLetters = await highWatermarks(admin, [config.topics.deadLetter]);
    expect([...deadLetters.values()]).toEqual([1n]);
  });

  it('reads the topics of a body registered while the owner runs, without a restart', async () => {
    expect(owner.ingest.topics).not.toContain(topicOf(C));
    await register(C);
    // What the owner does on the registration (idempotent, so doing it here too is harmless and
    // lets the test wait on it): C's topics and ACLs, then the consumer's new subscription.
    await prepareBodyTopics(config, C);
    await owner.ingest.refreshTopics();
    expect(owner.ingest.topics).toContain(topicOf(C));
    await sendAs(bodyPrincipal(C), topicOf(C), invoice({ bodyId: C, invoiceId: 'C-OWN-1' }));
    await expect(
      sendAs(bodyPrincipal(C), topicOf(A), invoice({ bodyId: C, invoiceId: 'C-INTRUDES' })),
    ).rejects.toThrow(/authoriz/i);
    await waitUntilIngested([topicOf(A), topicOf(B), topicOf(C)]);
    const ids = await owner.db.withConnection((conn) =>
      queryRows<{ invoice_id: string }>(conn, 'select invoice_id from invoices order by invoice_id'),
    );
    expect(ids.map((row) => row.invoice_id)).toEqual(['A-OWN-1', 'B-OWN-1', 'C-OWN-1']);
  });
});

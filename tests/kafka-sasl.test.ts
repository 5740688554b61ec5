/**
 * Kafka authentication and authorisation on a broker of the test's own (SASL/SCRAM-SHA-512 with
 * ACLs, free ports; never the shared broker): a wrong password and no login are refused, a user
 * with the right password but no ACL may not write, and the product's own configuration
 * (KAFKA_SASL_*) reaches the client, which then writes and reads.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createProducer, grantAcls, logLevel, probeCluster } from '../ingest/kafka/client.ts';
import {
  brokerAdminAuth,
  type PrivateBroker,
  type SaslSetup,
  startPrivateBroker,
} from '../kafka-local/broker.ts';
import { loadConfig } from '../lib/config.ts';
import { uniqueName } from './helpers/kafka.ts';

const secret = () => randomBytes(12).toString('hex');
const sasl: SaslSetup = {
  adminPassword: secret(),
  users: [
    { name: 'ingest', password: secret() },
    { name: 'stranger', password: secret() },
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

/**
 * kafkajs 2.2.4 (unmaintained since 2023) against the Kafka 4.x broker the project runs: the
 * consumer-group behaviour the ingest relies on, checked on a real broker, with timings printed.
 * Run: npx vitest run tests/kafka-compat.test.ts (results recorded in docs/kafka.md).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect, onTestFinished, test } from 'vitest';
import { type Consumer, createProducer, type KafkaClient } from '../ingest/kafka/client.ts';
import { createTestTopics, testBrokers, testKafka, uniqueName } from './helpers/kafka.ts';

const SESSION_TIMEOUT_MS = 6000;
/**
 * kafkajs heartbeats from its fetch loop, not from a timer: a member idling in a long-poll fetch
 * learns of a rebalance only when the fetch returns. The default (5000) adds up to 5 s to every
 * takeover and to every disconnect; 1000 keeps both short.
 */
const MAX_WAIT_MS = 1000;

type Received = { partition: number; offset: number; value: string };

/** Longer than any wait in these tests: a member with it is never replaced by session expiry. */
const A_SESSION_TIMEOUT_MS = 120_000;

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const report = (line: string) => console.log(`kafka-compat: ${line}`);

async function waitUntil(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<number> {
  const began = Date.now();
  while (!condition()) {
    if (Date.now() - began > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - began;
}

/** A group member that records what it gets, commits as told, and tracks its assignment. */
async function startMember(
  kafka: KafkaClient,
  groupId: string,
  topic: string,
  commitAfter: (message: Received) => boolean = () => true,
  sessionTimeout = SESSION_TIMEOUT_MS,
): Promise<{ consumer: Consumer; received: Received[]; assigned: () => number[]; joins: () => number }> {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout,
    heartbeatInterval: 500,
    maxWaitTimeInMs: MAX_WAIT_MS,
  });
  const received: Received[] = [];
  let assigned: number[] = [];
  let joins = 0;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = [...(payload.memberAssignment[topic] ?? [])].sort();
    joins++;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      for (const message of batch.messages) {
        const entry = {
          partition: batch.partition,
          offset: Number(message.offset),
          value: String(message.value),
        };
        received.push(entry);
        if (commitAfter(entry)) {
          await consumer.commitOffsets([
            { topic, partition: batch.partition, offset: String(entry.offset + 1) },
          ]);
        }
      }
      await heartbeat();
    },
  });
  return { consumer, received, assigned: () => assigned, joins: () => joins };
}

async function committedOffsets(kafka: KafkaClient, groupId: string, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (result?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset);
  } finally {
    await admin.disconnect();
  }
}

async function produce(
  kafka: KafkaClient,
  topic: string,
  messages: Array<{ partition: number; value: string }>,
) {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

test('manual commits in eachBatch: a rejoining member resumes right after the committed offset', async () => {
  const kafka = testKafka();
  const [topic = ''] = await createTestTopics(
    [{ topic: uniqueName('compat-resume'), numPartitions: 1 }],
    kafka,
  );
  const groupId = uniqueName('compat-resume');
  await produce(
    kafka,
    topic,
    range(100).map((i) => ({ partition: 0, value: `m-${i}` })),
  );

  const began = Date.now();
  const first = await startMember(kafka, groupId, topic, (m) => m.offset === 59);
  await waitUntil('100 messages', () => first.received.length >= 100);
  report(`first member joined and read 100 messages in ${Date.now() - began} ms`);
  await first.consumer.disconnect();
  expect(first.received.map((m) => m.value)).toEqual(range(100).map((i) => `m-${i}`));
  expect(await committedOffsets(kafka, groupId, topic)).toEqual(['60']);

  // An end marker after the new messages: once it arrives, everything before it on the partition
  // has (ordering), so what was received is complete without waiting for a quiet moment.
  await produce(kafka, topic, [
    ...range(10, 100).map((i) => ({ partition: 0, value: `m-${i}` })),
    { partition: 0, value: 'end' },
  ]);
  const second = await startMember(kafka, groupId, topic);
  await waitUntil('the end marker', () => second.received.some((m) => m.value === 'end'));
  await second.consumer.disconnect();
  const beforeEnd = second.received.filter((m) => m.value !== 'end');
  expect(beforeEnd.map((m) => m.offset)).toEqual(range(50, 60));
  expect(beforeEnd.map((m) => m.value)).toEqual(range(50, 60).map((i) => `m-${i}`));
  expect(second.received.at(-1)?.value).toBe('end');
  // past the 110 messages and the end marker
  expect(await committedOffsets(kafka, groupId, topic)).toEqual(['111']);
});

test('a member that leaves cleanly hands its partitions over at once', async () => {
  const kafka = testKafka();
  const [topic = ''] = await createTestTopics(
    [{ topic: uniqueName('compat-leave'), numPartitions: 4 }],
    kafka,
  );
  const groupId = uniqueName('compat-leave');

  // A's session would outlive the wait below: B can only take over because A left cleanly, which
  // shows the hand-over without timing it.
  const a = await startMember(kafka, groupId, topic, () => true, A_SESSION_TIMEOUT_MS);
  await waitUntil('A owns 4 partitions', () => a.assigned().length === 4);
  const joinedAt = Date.now();
  const b = await startMember(kafka, groupId, topic);
  await waitUntil(
    'a 2 + 2 split',
    () => a.assigned().length === 2 && b.assigned().length === 2 && b.joins() > 0,
  );
  report(`second member started, group rebalanced to 2 + 2 partitions in ${Date.now() - joinedAt} ms`);

  const leftAt = Date.now();
  await a.consumer.disconnect();
  const takeoverMs = await waitUntil(
    'B owns 4 partitions',
    () => b.assigned().length === 4,
    A_SESSION_TIMEOUT_MS / 2,
  );
  report(
    `after a clean disconnect (${Date.now() - leftAt - takeoverMs} ms) B owned all 4 in ${takeoverMs} ms`,
  );

  await produce(
    kafka,
    topic,
    range(40).map((i) => ({ partition: i % 4, value: `after-leave-${i}` })),
  );
  await waitUntil('B reads all 40', () => b.received.length >= 40);
  await b.consumer.disconnect();
  expect(new Set(b.received.map((m) => m.value)).size).toBe(40);
});

test('a killed member is replaced after the session timeout, from its committed offsets', async () => {
  const kafka = testKafka();
  const [topic = ''] = await createTestTopics(
    [{ topic: uniqueName('compat-kill'), numPartitions: 4 }],
    kafka,
  );
  const groupId = uniqueName('compat-kill');

  const child = spawn(
    process.execPath,
    [
      'bin/run-ts.js',
      'tests/fixtures/group-consumer.ts',
      testBrokers().join(','),
      topic,
      groupId,
      `${SESSION_TIMEOUT_MS}`,
      `${MAX_WAIT_MS}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  let childAssigned: number[] = [];
  const childLast = new Map<number, number>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as { assigned?: number[]; batch?: number; last?: number };
    if (event.assigned) childAssigned = event.assigned;
    if (event.batch !== undefined && event.last !== undefined) childLast.set(event.batch, event.last);
  });
  await waitUntil('the child owns 4 partitions', () => childAssigned.length === 4);

  const b = await startMember(kafka, groupId, topic);
  await waitUntil('a 2 + 2 split', () => childAssigned.length === 2 && b.assigned().length === 2);
  const childPartitions = childAssigned;

  await produce(
    kafka,
    topic,
    range(40).map((i) => ({ partition: i % 4, value: `before-kill-${i}` })),
  );
  await waitUntil('B reads its 20', () => b.received.length >= 20);
  await waitUntil('the child commits its 20', () =>
    childPartitions.every((p) => (childLast.get(p) ?? -1) >= 9),
  );

  child.kill('SIGKILL');
  const killedAt = Date.now();
  const takeoverMs = await waitUntil('B owns 4 partitions', () => b.assigned().length === 4, 30_000);
  await produce(
    kafka,
    topic,
    range(40).map((i) => ({ partition: i % 4, value: `after-kill-${i}` })),
  );
  await waitUntil(
    'B reads the 40 sent after the kill',
    () => b.received.filter((m) => m.value.startsWith('after-kill')).length >= 40,
  );
  const readMs = Date.now() - killedAt;
  report(
    `SIGKILLed member (session timeout ${SESSION_TIMEOUT_MS} ms): B owned its partitions after ${takeoverMs} ms, ` +
      `read new messages on them ${readMs} ms after the kill`,
  );
  await b.consumer.disconnect();

  const fromChildPartitions = b.received.filter((m) => childPartitions.includes(m.partition));
  expect(fromChildPartitions.some((m) => m.value.startsWith('before-kill'))).toBe(false);
  expect(takeoverMs).toBeGreaterThan(SESSION_TIMEOUT_MS / 2);
});

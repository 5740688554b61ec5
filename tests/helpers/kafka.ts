/**
 * Kafka helpers for tests: the broker the global setup made sure of, unique names so test files
 * never share topics or groups, and topics that delete themselves when the test or file ends.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject, onTestFinished } from 'vitest';
import {
  createKafka,
  deleteTopics,
  ensureTopics,
  type KafkaClient,
  type TopicSpec,
} from '../../ingest/kafka/client.ts';

/** Bootstrap addresses of the broker provided by tests/global-setup.ts. */
export function testBrokers(): string[] {
  return inject('kafkaBrokers');
}

/** A name no other test run uses: "<prefix>-<time>-<random>" (valid for topics and groups). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export function testKafka(clientId = uniqueName('test')): KafkaClient {
  return createKafka({ brokers: testBrokers(), clientId });
}

/** Creates topics for the current test and deletes them when it finishes. Call inside a test. */
export async function createTestTopics(
  specs: TopicSpec[],
  kafka: KafkaClient = testKafka(),
): Promise<string[]> {
  const topics = specs.map((spec) => spec.topic);
  onTestFinished(() => deleteTopics(kafka, topics));
  await ensureTopics(kafka, specs);
  return topics;
}

/**
 * Topics for a whole file or describe block: created in beforeAll, deleted in afterAll.
 * Call at file or describe level; the names are known at once.
 */
export function useTestTopics(specs: TopicSpec[]): string[] {
  const kafka = testKafka();
  const topics = specs.map((spec) => spec.topic);
  beforeAll(async () => {
    await ensureTopics(kafka, specs);
  });
  afterAll(async () => {
    await deleteTopics(kafka, topics);
  });
  return topics;
}

/**
 * End-to-end helpers: an isolated pipeline (own topics, consumer group and database file),
 * the real `spend` CLI as a child process, a producer, and "wait until ingested" by comparing
 * the offsets stored in DuckDB with the topics' high watermarks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onTestFinished } from 'vitest';
import { createKafka, createProducer, type KafkaClient, type Producer } from '../../ingest/kafka/client.ts';
import { highWatermarks, type StoredOffset, waitForOffsets } from '../../ingest/lag.ts';
import { type Config, loadConfig } from '../../lib/config.ts';
import type { Stats } from '../../lib/stats.ts';
import { callOperation } from '../../owner/call-operation.ts';
import { waitForOwner } from '../../owner/control.ts';
import { createTestTopics, testBrokers, testKafka, uniqueName } from './kafka.ts';

const SPEND_BIN = resolve(import.meta.dirname, '../../bin/spend.js');

export type Pipeline = {
  env: Record<string, string>;
  config: Config;
  kafka: KafkaClient;
  /** Runs `spend <args>` to completion and returns its output. */
  cli(
    args: string[],
    extraEnv?: Record<string, string>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Starts `spend ingest` (or serve) in the background; killed when the test ends. */
  startOwner(command?: 'ingest' | 'serve', extraEnv?: Record<string, string>): OwnerProcess;
  producer(): Promise<Producer>;
  stats(): Promise<Stats>;
  /** Resolves once every message now in the topics has been written to DuckDB. */
  waitUntilIngested(timeoutMs?: number): Promise<void>;
};

export type OwnerProcess = {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /**
   * Resolves once the owner answers on its control socket (it then holds the database and has
   * its signal handlers installed); rejects if it exits first. A socket file alone proves
   * nothing: a killed owner leaves a stale one behind.
   */
  ready(timeoutMs?: number): Promise<void>;
};

export async function createPipeline(overrides: Record<string, string> = {}): Promise<Pipeline> {
  const id = uniqueName('e2e');
  const dir = mkdtempSync(join(tmpdir(), 'spend-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    // A test that brings its own broker (a fault test stopping it) passes KAFKA_BROKERS.
    KAFKA_BROKERS: testBrokers().join(','),
    SPEND_DB: join(dir, 'spend.duckdb'),
    SPEND_TOPIC_INVOICES: `${id}.invoices`,
    SPEND_TOPIC_PURCHASE_ORDERS: `${id}.purchase-orders`,
    SPEND_TOPIC_DEAD_LETTER: `${id}.dead-letter`,
    SPEND_TOPIC_PARTITIONS: '4',
    SPEND_CONSUMER_GROUP: id,
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'warn',
    PORT: '0',
    ...overrides,
  };
  const config = loadConfig(env);
  const kafka = overrides.KAFKA_BROKERS
    ? createKafka({ brokers: config.kafkaBrokers, clientId: uniqueName('test') })
    : testKafka();
  await createTestTopics(
    [
      { topic: config.topics.invoices, numPartitions: config.topicPartitions },
      { topic: config.topics.purchaseOrders, numPartitions: config.topicPartitions },
      { topic: config.topics.deadLetter, numPartitions: 1 },
    ],
    kafka,
  );
  const childEnv = (extra: Record<string, string> = {}) => ({ ...process.env, ...env, ...extra });
  const owners: OwnerProcess[] = [];

  const pipeline: Pipeline = {
    env,
    config,
    kafka,
    cli: (args, extraEnv) =>
      new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, [SPEND_BIN, ...args], { env: childEnv(extraEnv) });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
      }),
    startOwner: (command = 'ingest', extraEnv) => {
      // Owners log at info: their progress lines explain a stalled ingest (see waitUntilIngested).
      const child = spawn(process.execPath, [SPEND_BIN, command], {
        env: childEnv({ LOG_LEVEL: 'info', ...extraEnv }),
      });
      let stderr = '';
      child.stderr?.on('data', (d) => (stderr += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
        child.on('exit', (code, signal) => r({ code, signal })),
      );
      onTestFinished(async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      });
      const ready = (timeoutMs = 60_000) =>
        waitForOwner(config.socketPath, {
          timeoutMs,
          gone: () => child.exitCode !== null || child.signalCode !== null,
          describe: () => `spend ${command}:\n${stderr}`,
        });
      const owner = { child, exited, stderr: () => stderr, ready };
      owners.push(owner);
      return owner;
    },
    producer: async () => {
      const producer = createProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      onTestFinished(() => producer.disconnect());
      return producer;
    },
    stats: async () => (await callOperation(config, 'stats')) as Stats,
    waitUntilIngested: async (timeoutMs = 60_000) => {
      const targets = await highWatermarks(kafka, [config.topics.invoices, config.topics.purchaseOrders]);
      try {
        await waitForOffsets(
          targets,
          async () => (await callOperation(config, 'offsets')) as StoredOffset[],
          {
            timeoutMs,
          },
        );
      } catch (error) {
        // The owners' logs say why ingest stalled: keep them with the failure.
        const logs = owners.map((o, i) => `--- owner ${i + 1} stderr (tail) ---\n${o.stderr().slice(-4000)}`);
        throw new Error(`${(error as Error).message}\n${logs.join('\n')}`);
      }
    },
  };
  return pipeline;
}

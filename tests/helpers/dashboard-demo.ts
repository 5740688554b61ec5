/**
 * A demo data set served with the dashboards, for the browser tests and the first-paint
 * benchmark: `spend demo --exit` (the real CLI, a child process) builds a database of its own on
 * topics of its own and writes its keys file (one API key per role, the body key for the first
 * demo body), then a `spend serve` owner (consumers, scheduler, API with uploads and the
 * dashboards) opens that file in this process on a free port. The tests log in with the demo's
 * own keys; one more body key, for another body, is made here to be refused. No vitest imports:
 * bench/dashboards.ts uses it too.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serveApi } from '../../cli/serve.ts';
import type { DemoManifest } from '../../demo/manifest.ts';
import { isDemoTopicOf } from '../../demo/topics.ts';
import { createKafka, deleteTopics } from '../../ingest/kafka/client.ts';
import { type Config, loadConfig } from '../../lib/config.ts';
import type { Role } from '../../lib/keys.ts';
import { createLogger } from '../../lib/log.ts';
import { runOperation } from '../../owner/operations.ts';
import { type Owner, startOwner } from '../../owner/process.ts';

const SPEND_BIN = resolve(import.meta.dirname, '../../bin/spend.js');

/** The demo body the demo's `body` key acts for (its first), and another one it must not see. */
export const OWN_BODY = 'north-shire-cc';
export const OTHER_BODY = 'westmoor-dc';

export type DashboardDemo = {
  baseUrl: string;
  config: Config;
  owner: Owner;
  /** The demo's key per role (`body` acts for OWN_BODY), and `otherBody`, a body key for OTHER_BODY. */
  keys: Record<Role | 'otherBody', string>;
  /** What `spend demo` printed (its reconciliation table among it). */
  demoOutput: string;
  /** What the generator planted (demo-manifest.json beside the database). */
  manifest: DemoManifest;
  /** Stops the owner, deletes the topics and the folder; safe to call twice. */
  stop(): Promise<void>;
};

export type DemoOptions = { brokers: string[]; lines?: number; seed?: number };

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SPEND_BIN, ...args], { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

export async function startDashboardDemo(options: DemoOptions): Promise<DashboardDemo> {
  const { brokers, lines = 2000, seed = 11 } = options;
  const dir = mkdtempSync(join(tmpdir(), 'spend-dashboards-'));
  const id = `dash-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    KAFKA_BROKERS: brokers.join(','),
    SPEND_DB: join(dir, 'spend.duckdb'),
    SPEND_TOPIC_INVOICES: `${id}.invoices`,
    SPEND_TOPIC_PURCHASE_ORDERS: `${id}.purchase-orders`,
    SPEND_TOPIC_DEAD_LETTER: `${id}.dead-letter`,
    SPEND_TOPIC_PARTITIONS: '2',
    SPEND_CONSUMER_GROUP: id,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    LOG_LEVEL: 'warn',
    PORT: '0',
  };
  const config = loadConfig(env);
  const kafka = createKafka({ brokers, clientId: `${id}-cleanup` });
  let owner: Owner | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await owner?.stop();
      const admin = kafka.admin();
      await admin.connect();
      const topics = (await admin.listTopics()).filter(
        (topic) => Object.values(config.topics).includes(topic) || isDemoTopicOf(config.topics, topic),
      );
      await admin.disconnect();
      await deleteTopics(kafka, topics).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    const demo = await runCli(['demo', '--lines', String(lines), '--seed', String(seed), '--exit'], env);
    if (demo.code !== 0)
      throw new Error(`spend demo failed (exit ${demo.code}):\n${demo.output.slice(-4000)}`);
    const log = createLogger('warn');
    owner = await startOwner(config, log, { api: serveApi(config, log) });
    const address = owner.api?.address() as AddressInfo | undefined;
    if (!address) throw new Error('spend serve started no API');
    const other = (await runOperation(owner.db, 'keys.create', {
      name: 'e2e other body',
      role: 'body',
      bodyId: OTHER_BODY,
    })) as { key: string };
    const keys = { ...readDemoKeys(dir), otherBody: other.key };
    return {
      baseUrl: `http://127.0.0.1:${address.port}`,
      config,
      owner,
      keys,
      demoOutput: demo.output,
      manifest: JSON.parse(readFileSync(join(dir, 'demo-manifest.json'), 'utf8')) as DemoManifest,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** The keys `spend demo` wrote beside its database: `<role>  <key>  (<bodyId>)` per line. */
function readDemoKeys(dir: string): Record<Role, string> {
  const keys: Partial<Record<Role, string>> = {};
  for (const line of readFileSync(join(dir, 'demo-keys.txt'), 'utf8').split('\n')) {
    const match = /^(body|procurement|finance|admin)\s+(cs_\S+)(?:\s+\((.+)\))?$/.exec(line.trim());
    if (!match) continue;
    if (match[1] === 'body' && match[3] !== OWN_BODY) {
      throw new Error(`the demo's body key is for ${match[3]}, the tests expect ${OWN_BODY}`);
    }
    keys[match[1] as Role] = match[2] as string;
  }
  for (const role of ['body', 'procurement', 'finance', 'admin'] as const) {
    if (!keys[role]) throw new Error(`demo-keys.txt has no ${role} key`);
  }
  return keys as Record<Role, string>;
}

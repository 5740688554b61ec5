/**
 * A newcomer's first steps, on a clone of this commit in a folder of its own outside the workspace
 * (under the system's temporary folder, where no ../shared exists): `npm ci`, the demo on a small
 * data set, then the tests of one directory and one broker test. The categories must come out labelled from the code
 * lists shipped in reference/, and nothing may depend on ../shared.
 *
 * The clone uses this run's broker (KAFKA_BROKERS, with topics and group of its own), never one of
 * its own on the fixed local port and never a stray one. It runs what is committed (HEAD): commit
 * before running this test locally; CI runs on a clean clone anyway.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteTopics } from '../ingest/kafka/client.ts';
import { testBrokers, testKafka, uniqueName } from './helpers/kafka.ts';

const REPO = resolve(import.meta.dirname, '..');

type Run = { code: number; stdout: string; stderr: string };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/**
 * What a newcomer's shell would have: no SPEND_* or KAFKA_* settings of ours, no VITEST_* of this
 * run, no CI (the clone's own test run is not the CI run); then this run's broker and names.
 */
function newcomerEnv(id: string): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'JAVA_HOME', 'XDG_CACHE_HOME'];
  const proxies = Object.keys(process.env).filter((k) =>
    /^(https?_proxy|no_proxy|npm_config_(cache|registry))$/i.test(k),
  );
  const env: NodeJS.ProcessEnv = {};
  for (const key of [...keep, ...proxies]) if (process.env[key] !== undefined) env[key] = process.env[key];
  return {
    ...env,
    KAFKA_BROKERS: testBrokers().join(','),
    SPEND_TOPIC_INVOICES: `${id}.invoices`,
    SPEND_TOPIC_PURCHASE_ORDERS: `${id}.purchase-orders`,
    SPEND_TOPIC_DEAD_LETTER: `${id}.dead-letter`,
    SPEND_CONSUMER_GROUP: id,
    PORT: '0',
  };
}

/** ProClass code → level-1 label, read from the shipped list here (not through the transforms). */
function proclassLevel1(): Map<string, string> {
  const rows = parse(readFileSync(join(REPO, 'reference/codelists/proclass_17.csv')), {
    columns: true,
  }) as Array<{ code: string; level1: string }>;
  return new Map(rows.map((row) => [row.code.trim(), row.level1.trim()]));
}

describe('a newcomer on a fresh clone outside the workspace', () => {
  const root = mkdtempSync(join(tmpdir(), 'spend-newcomer-'));
  const clone = join(root, 'collective-spend');
  const id = uniqueName('newcomer');
  const env = newcomerEnv(id);
  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
    await deleteTopics(testKafka(), [
      env.SPEND_TOPIC_INVOICES,
      env.SPEND_TOPIC_PURCHASE_ORDERS,
      env.SPEND_TOPIC_DEAD_LETTER,
    ] as string[]).catch(() => undefined);
  });

  it(
    'installs, runs the demo with labelled categories, and passes the tests of lib/',
    async () => {
      const cloned = await run('git', ['clone', '--quiet', REPO, clone], root, env);
      expect(cloned.code, cloned.stderr).toBe(0);
      // the clone sits where a newcomer's would: no shared datasets beside it
      expect(existsSync(join(clone, '..', 'shared'))).toBe(false);
      expect(existsSync(join(clone, 'reference', 'SOURCES.md'))).toBe(true);

      const installed = await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], clone, env);
      expect(installed.code, installed.stderr).toBe(0);
      // npm ci ran the "prepare" script: the demo below runs the compiled build, current
      const { buildIsCurrent } = await import('../bin/build-state.js');
      expect(buildIsCurrent(clone, join(clone, 'dist'))).toBe(true);

      const demo = await run('npm', ['run', 'demo', '--', '--lines', '20000', '--exit'], clone, env);
      const demoOutput = demo.stdout + demo.stderr;
      expect(demo.code, demoOutput).toBe(0);
      expect(demo.stdout).toContain('Reconciled: every body');
      expect(demo.stdout).toMatch(/Transforms: \d+ models built in [\d.]+ s, 0 failed, 0 skipped/);
      // no "code lists not found …", nor any other warning of the transforms
      expect(demo.stdout).not.toContain('Warning:');
      expect(demoOutput).not.toContain('/shared/');
      // it used this run's broker, not one of its own
      expect(demo.stdout).not.toContain('Starting the local Kafka broker');

      const db = await DuckDBInstance.create(join(clone, 'data', 'spend.duckdb'), {
        access_mode: 'READ_ONLY',
      });
      const conn = await db.connect();
      try {
        const reader = await conn.runAndReadAll(
          `select proclass_code, proclass_level1, count(*)::integer as cells
           from fct_spend_cube where proclass_code is not null group by all order by all`,
        );
        const categories = reader.getRowObjectsJson() as Array<{
          proclass_code: string;
          proclass_level1: string | null;
          cells: number;
        }>;
        expect(categories.length).toBeGreaterThan(5);
        const labels = proclassLevel1();
        const wrong = categories.filter((c) => c.proclass_level1 !== (labels.get(c.proclass_code) ?? null));
        expect(wrong).toEqual([]);
        expect(categories.filter((c) => c.proclass_level1 === null)).toEqual([]);
      } finally {
        conn.closeSync();
        db.closeSync();
      }

      // lib's tests are unit tests (no broker); the kafkajs → broker codec tests make the run use one.
      const tests = await run(
        'npx',
        ['vitest', 'run', 'lib', 'ingest/kafka/codecs.broker.test.ts'],
        clone,
        env,
      );
      const testOutput = tests.stdout + tests.stderr;
      expect(tests.code, testOutput).toBe(0);
      expect(testOutput).toContain(`tests: using KAFKA_BROKERS=${env.KAFKA_BROKERS}`);
      expect(testOutput).toMatch(/tests: [1-9]\d* passed, 0 failed/);
    },
    15 * 60_000,
  );
});

/**
 * Smoke runs of the benchmarks (issue 9): each one end to end on a small data set, with every
 * peer and every check it makes, but BENCHMARKS.md left alone. Not a measurement (nothing is
 * timed here): it only keeps the harness from rotting. The benchmarks themselves stay out of
 * `npm test`.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testBrokers } from '../tests/helpers/kafka.ts';

const ROOT = resolve(import.meta.dirname, '..');

function runBench(script: string, extraArgs: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', script, '--smoke', ...extraArgs], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: testBrokers().join(','), LOG_LEVEL: 'warn' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

describe('benchmark smoke runs', () => {
  // bench:ingest's --memory-sweep is left out here: it reruns the same ingest under other
  // settings, and the suite must stay well under 15 minutes on two cores.
  const benches: [script: string, args: string[], printed: string[]][] = [
    [
      'bench/ingest.ts',
      [],
      ['| C: DuckDB read_json load', 'peak RSS of the ingest process, SPEND_MEMORY_PROFILE=small'],
    ],
    ['bench/upload.ts', [], ['| C: bare kafkajs producer', 'serial csv-parse + bare producer']],
    ['bench/transforms.ts', [], []],
    ['bench/api.ts', [], ['| cube by month and body', 'peak RSS of spend serve']],
  ];
  for (const [script, extraArgs, printed] of benches) {
    it(`${script} --smoke ${extraArgs.join(' ')} runs to the end`, async () => {
      const run = await runBench(script, extraArgs);
      expect(run.code, run.output.slice(-4000)).toBe(0);
      expect(run.output).toContain('smoke run: BENCHMARKS.md left alone');
      for (const text of printed) expect(run.output).toContain(text);
    }, 600_000);
  }
});

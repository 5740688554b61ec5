/**
 * `npm run test:load` (vitest.load.config.ts, outside `npm test`): sustained load into a real
 * `spend serve`, LOAD_MINUTES (default 15) of steady production at LOAD_FRACTION (default 0.8) of
 * the capacity measured at the start, or at LOAD_RATE msg/s when given, while marts are queried
 * over the API. Zero loss is asserted; the lag/RSS table goes into docs/reliability.md
 * ("Sustained load: last run") unless LOAD_WRITE_DOCS=0.
 */
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { writeSection } from '../../bench/report.ts';
import { loadReport, runSustainedLoad } from './sustained.ts';

const minutes = Number(process.env.LOAD_MINUTES ?? 15);
const rate = process.env.LOAD_RATE ? Number(process.env.LOAD_RATE) : undefined;
const fraction = Number(process.env.LOAD_FRACTION ?? 0.8);

it(`sustained load: ${minutes} min of steady production while marts are queried, nothing lost`, async () => {
  const began = new Date();
  const result = await runSustainedLoad({
    seconds: Math.round(minutes * 60),
    ...(rate === undefined ? {} : { rate }),
    fraction,
    sampleMs: 10_000,
    drainTimeoutMs: Number(process.env.LOAD_DRAIN_MINUTES ?? 15) * 60_000,
    ...(process.env.LOAD_SERVER_LOG ? { serverLog: process.env.LOAD_SERVER_LOG } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const report = loadReport(result, minutes >= 5 ? 60 : 10);
  process.stdout.write(`\n${report.join('\n')}\n`);

  if (process.env.LOAD_WRITE_DOCS !== '0') {
    const body = [
      `\`npm run test:load\` (\`tests/load/sustained.test.ts\`), ${began.toISOString().slice(0, 16).replace('T', ' ')} UTC, LOAD_MINUTES=${minutes}: a real \`spend serve\` on ${process.env.KAFKA_BROKERS ? 'the broker of KAFKA_BROKERS' : "a broker of the run's own"} (4 partitions, its own topics, group and database file), the transform schedule every 3 minutes; ${availableParallelism()} cores, load average ${(loadavg()[2] ?? 0).toFixed(1)} over the last 15 minutes of the run.`,
      '',
      ...report,
    ].join('\n');
    writeSection(
      '## Sustained load: last run',
      body,
      resolve(import.meta.dirname, '../../docs/reliability.md'),
    );
  }

  expect(result.notDrained).toBeNull();
  expect(result.serveExitCode, 'spend serve stopped cleanly').toBe(0);
  expect(result.stored.invoices).toBe(result.produced.valid);
  expect(result.stored.distinctOffsets).toBe(result.produced.valid);
  expect(result.stored.lines).toBe(result.produced.lines);
  expect(result.stored.netPence).toBe(result.produced.netPence);
  expect(result.stored.rejected).toBe(result.produced.bad);
  expect(result.api.failures).toBe(0);
}, 3_600_000);

/**
 * A short run of the sustained load test (tests/load/sustained.ts) in the suite: 12 s of steady
 * production at 150 msg/s into a real `spend serve` while marts are queried over its API, then
 * the same exact zero-loss checks. The long run is `npm run test:load`.
 */
import { expect, it } from 'vitest';
import { loadReport, runSustainedLoad } from './load/sustained.ts';

it('sustained load smoke: every produced message ingested or dead-lettered, exact totals, marts answered', async () => {
  const result = await runSustainedLoad({
    seconds: 12,
    rate: 150,
    badEvery: 50,
    sampleMs: 5000,
    // no scheduled run inside 12 s: the marts are built once before the queries start
    transformsCron: '0 0 1 1 *',
    // Checkpoint after nearly every flush: with the checkpoint awaited in the flush chain (as it
    // was), that path deadlocked ingest under steady production; the 15-minute run found it.
    serverEnv: { SPEND_INGEST_CHECKPOINT_WAL_BYTES: '65536' },
    drainTimeoutMs: 60_000,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${loadReport(result, 5).join('\n')}\n`);
  expect(result.produced.bad).toBeGreaterThan(0);
  expect(result.serveExitCode).toBe(0);
  expect(result.stored.invoices).toBe(result.produced.valid);
  expect(result.stored.distinctOffsets).toBe(result.produced.valid);
  expect(result.stored.lines).toBe(result.produced.lines);
  expect(result.stored.netPence).toBe(result.produced.netPence);
  expect(result.stored.rejected).toBe(result.produced.bad);
  expect(result.api.requests).toBeGreaterThan(0);
  expect(result.api.failures).toBe(0);
}, 300_000);

/**
 * The broker killed with SIGKILL (no clean shutdown: no controlled shutdown, log recovery on the
 * next start) in the middle of an ingest, twice, and started again at once. A broker of the
 * test's own (free ports, own state), never the shared one. The same `spend serve` must stay up
 * through both, and the database must then hold every invoice exactly once, row for row.
 *   1. half the invoices are in Kafka; once some are in DuckDB, the broker is killed and started;
 *   2. the second half is produced; once more of them are in DuckDB, it is killed and started again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateBroker, startPrivateBroker } from '../../kafka-local/broker.ts';
import { brokerFaultPipeline, expectRowForRow, ingestedPast, say } from './support.ts';

const BODY = 'broker-kill-council';
const INVOICES = 6000;

let broker: PrivateBroker;
beforeAll(async () => {
  broker = await startPrivateBroker({ log: (message) => say(`own broker: ${message}`) });
  say(`own broker at ${broker.bootstrap}`);
});
afterAll(async () => {
  await broker?.stop();
});

describe('broker killed with SIGKILL mid-ingest', () => {
  it('ingests everything exactly once after two kill -9s of the broker', async ({ task }) => {
    task.meta.faults = { tried: 2, survived: 0 };
    const { pipeline, invoices, produce } = await brokerFaultPipeline(broker.bootstrap, BODY, INVOICES);
    await produce(0, INVOICES / 2);

    const owner = pipeline.startOwner('serve');
    await owner.ready();
    const killAndRestart = async (kill: number) => {
      const before = await ingestedPast(pipeline, kill === 1 ? 0 : INVOICES / 2);
      await broker.kill();
      const began = performance.now();
      await broker.resume();
      say(
        `kill ${kill}: broker killed with ${before} invoices in; started again after ${Math.round(performance.now() - began)} ms`,
      );
      expect(owner.child.exitCode, `the owner gave up:\n${owner.stderr().slice(-3000)}`).toBe(null);
      task.meta.faults = { tried: 2, survived: kill - 1 };
    };

    await killAndRestart(1);
    await produce(INVOICES / 2, INVOICES);
    await killAndRestart(2);
    await pipeline.waitUntilIngested(300_000);
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    expect(await expectRowForRow(pipeline.config.dbPath, invoices)).toBe(INVOICES);
    say(`after two broker kills: all ${INVOICES} invoices in exactly once, row for row`);
    task.meta.faults = { tried: 2, survived: 2 };
  });
});

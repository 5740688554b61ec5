/**
 * The broker stopped for BROKER_OUTAGE_MS (default 30 s) in the middle of an ingest, then started
 * again. A broker of the test's own (free ports, own state), never the shared one: half the
 * invoices are in Kafka when `spend serve` starts; once some are in DuckDB the broker is stopped
 * cleanly; after the outage it starts again with the same state, the other half is produced, and
 * the same owner (it must have stayed up) ingests everything exactly once, row for row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateBroker, startPrivateBroker } from '../../kafka-local/broker.ts';
import { brokerFaultPipeline, expectRowForRow, ingestedPast, say } from './support.ts';

const BODY = 'outage-council';
const INVOICES = 6000;
const OUTAGE_MS = Number(process.env.SPEND_FAULTS_BROKER_OUTAGE_MS ?? 30_000);

let broker: PrivateBroker;
beforeAll(async () => {
  broker = await startPrivateBroker({ log: (message) => say(`own broker: ${message}`) });
  say(`own broker at ${broker.bootstrap}`);
});
afterAll(async () => {
  await broker?.stop();
});

describe('broker outage mid-ingest', () => {
  it(`ingests everything exactly once after the broker is down for ${OUTAGE_MS / 1000} s`, async ({
    task,
  }) => {
    task.meta.faults = { tried: 1, survived: 0 };
    const { pipeline, invoices, produce } = await brokerFaultPipeline(broker.bootstrap, BODY, INVOICES);
    await produce(0, INVOICES / 2);

    const owner = pipeline.startOwner('serve');
    await owner.ready();
    const atStop = await ingestedPast(pipeline, 0);
    await broker.pause();
    say(`broker stopped with ${atStop} of ${INVOICES / 2} produced invoices in; down for ${OUTAGE_MS} ms`);
    // The outage itself is the fault being tested: its length is the point, not a wait for an event.
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    expect(owner.child.exitCode, `the owner gave up during the outage:\n${owner.stderr().slice(-3000)}`).toBe(
      null,
    );
    await broker.resume();
    say('broker started again');
    await produce(INVOICES / 2, INVOICES);
    await pipeline.waitUntilIngested(300_000);
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    expect(await expectRowForRow(pipeline.config.dbPath, invoices)).toBe(INVOICES);
    say(`after the outage: all ${INVOICES} invoices in exactly once, row for row`);
    task.meta.faults = { tried: 1, survived: 1 };
  });
});

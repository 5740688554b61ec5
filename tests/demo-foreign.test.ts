/**
 * The demo owns its data (issue 9): run against topics that already hold messages it did not
 * write, it must still reconcile exactly to its manifest. Foreign messages sit both in the
 * topics `spend serve` reads (the configured ones) and in the demo's own first-choice topics.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { generateDemo } from '../demo/generate.ts';
import { dataSetFingerprint, demoTopicNames, isDemoTopicOf } from '../demo/topics.ts';
import { deleteTopics, ensureTopics } from '../ingest/kafka/client.ts';
import { invoice } from './helpers/messages.ts';
import { createPipeline } from './helpers/pipeline.ts';

const LINES = 20_000;

describe('spend demo against topics holding foreign messages', () => {
  it('leaves them alone and reconciles to its manifest', async () => {
    const pipeline = await createPipeline();
    const { config, kafka } = pipeline;
    onTestFinished(async () => {
      const admin = kafka.admin();
      await admin.connect();
      const leftovers = (await admin.listTopics()).filter((t) => isDemoTopicOf(config.topics, t));
      await admin.disconnect();
      await deleteTopics(kafka, leftovers);
    });
    const demoBody = generateDemo({ targetInvoiceLines: LINES }).bodies[0]?.bodyId as string;
    const firstChoice = demoTopicNames(config.topics, dataSetFingerprint({ seed: undefined, lines: LINES }));
    await ensureTopics(kafka, [{ topic: firstChoice.invoices, numPartitions: 1 }]);
    const foreign = (id: string) => ({
      key: `${demoBody}:${id}`,
      value: JSON.stringify(
        invoice({ bodyId: demoBody, invoiceId: id, netAmount: '1000000.00', lines: undefined }),
      ),
    });
    const producer = await pipeline.producer();
    await producer.send({
      topic: config.topics.invoices,
      acks: -1,
      messages: [foreign('FOREIGN-1'), foreign('FOREIGN-2')],
    });
    await producer.send({ topic: firstChoice.invoices, acks: -1, messages: [foreign('FOREIGN-3')] });

    const run = await pipeline.cli(['demo', '--lines', String(LINES), '--exit']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain(
      `Topic ${firstChoice.invoices} holds 1 messages that are not this data set's`,
    );
    expect(run.stdout).toMatch(/Published \d+ messages/);
    expect(run.stdout).toContain('Reconciled: every body');
    expect(run.stdout).not.toContain('DIFFERS');
  }, 600_000);
});

/**
 * `spend demo` end to end on a small data set: it must register the bodies, publish, ingest,
 * and reconcile the database against the generator's manifest; run again, it must not publish
 * twice and must still reconcile.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { isDemoTopicOf } from '../demo/topics.ts';
import { deleteTopics } from '../ingest/kafka/client.ts';
import { createPipeline } from './helpers/pipeline.ts';

describe('spend demo', () => {
  it('reconciles what it ingested with what it planted, and is safe to run twice', async () => {
    const pipeline = await createPipeline();
    // The demo publishes to topics of its own, named after the configured ones.
    onTestFinished(async () => {
      const admin = pipeline.kafka.admin();
      await admin.connect();
      const demoTopics = (await admin.listTopics()).filter((t) => isDemoTopicOf(pipeline.config.topics, t));
      await admin.disconnect();
      await deleteTopics(pipeline.kafka, demoTopics);
    });
    const first = await pipeline.cli(['demo', '--lines', '20000', '--exit']);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toContain('Registered 8 bodies');
    expect(first.stdout).toMatch(/Published \d+ messages \(2\d{4} invoice lines\)/);
    expect(first.stdout).toContain('Reconciled: every body');
    expect(first.stdout).not.toContain('DIFFERS');

    const again = await pipeline.cli(['demo', '--lines', '20000', '--exit']);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(again.stdout).toContain('not publishing again');
    expect(again.stdout).toContain('Reconciled: every body');
  });
});

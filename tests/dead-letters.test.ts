/**
 * The wedge of issue 9, on the real broker: many rejections in one flush (more than 1 MiB of
 * them) and one rejected message larger than the dead-letter topic allows (the topic is made
 * with a small max.message.bytes). Every message must end either ingested or dead-lettered,
 * counted exactly, and the owner must keep consuming. Then replay: once the body is registered,
 * the rejected messages go in exactly once, and replaying twice adds nothing.
 */
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../ingest/dead-letter.ts';
import { ensureTopics, type KafkaClient } from '../ingest/kafka/client.ts';
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import { testKafka, uniqueName } from './helpers/kafka.ts';
import { invoice, manyInvoices, penceToString } from './helpers/messages.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';

const REGISTERED = 'dl-council';
const LATE = 'dl-late-joiner';
/** The dead-letter topic's limit: far below what the rejections add up to. */
const DEAD_LETTER_MAX_MESSAGE_BYTES = 64 * 1024;
const REJECTED = 1500;

/** Exact pence of invoices, computed here (not by the code under test). */
function totalOf(invoices: InvoiceV1[]): { invoices: number; lines: number; netTotal: string } {
  let pence = 0n;
  let lines = 0;
  for (const inv of invoices) {
    const negative = inv.netAmount.startsWith('-');
    const [whole = '0', frac = '00'] = inv.netAmount.replace('-', '').split('.');
    const value = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
    pence += negative ? -value : value;
    lines += inv.lines?.length ?? 0;
  }
  return { invoices: invoices.length, lines, netTotal: penceToString(pence) };
}

/** A valid invoice whose value alone is larger than the dead-letter topic's limit. */
function hugeInvoice(bodyId: string): InvoiceV1 {
  const lines = Array.from({ length: 60 }, (_, i) => ({
    lineNo: i + 1,
    description: `${'long description '.repeat(117)}${i}`.slice(0, 2000),
    netAmount: '10.01',
  }));
  return invoice({ bodyId, invoiceId: 'HUGE-1', netAmount: '600.60', lines });
}

async function addBody(pipeline: Pipeline, id: string): Promise<void> {
  const added = await pipeline.cli(['bodies', 'add', id, '--name', id, '--joined', '2023-04-01']);
  expect(added.code, added.stderr).toBe(0);
}

/** Every message of a topic, read by a consumer of its own until the high watermark. */
async function readAll(kafka: KafkaClient, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  const high = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName('dl-reader') });
  const seen: { key: string | null; value: Buffer | null; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve) => {
    if (high === 0) resolve();
    consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        seen.push({ key: message.key?.toString() ?? null, value: message.value, headers });
        if (seen.length >= high) resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

describe('dead letters never block ingestion', () => {
  it('ingests or dead-letters every message of a flush with > 1 MiB of rejections and one too large for the topic, keeps consuming, and replays exactly once', async () => {
    const deadLetterTopic = uniqueName('dl-small');
    // Made here for its small limit; createPipeline finds it existing, uses it and deletes it.
    await ensureTopics(testKafka(), [
      {
        topic: deadLetterTopic,
        numPartitions: 1,
        configEntries: [{ name: 'max.message.bytes', value: String(DEAD_LETTER_MAX_MESSAGE_BYTES) }],
      },
    ]);
    // One partition: every rejection lands in the same few fetches, hence the same flush.
    const pipeline = await createPipeline({
      SPEND_TOPIC_DEAD_LETTER: deadLetterTopic,
      SPEND_TOPIC_PARTITIONS: '1',
    });
    const { config } = pipeline;
    await addBody(pipeline, REGISTERED);
    const producer = await pipeline.producer();

    const accepted = manyInvoices(REGISTERED, 300, 'OK');
    // Valid invoices of a body that has not joined yet, padded to ~1 KiB each.
    const early = manyInvoices(LATE, REJECTED, 'EARLY').map((inv) => ({
      ...inv,
      description: `padding ${'x'.repeat(900)}`,
    }));
    const huge = hugeInvoice(LATE);
    const rejectedValues = [...early, huge].map((inv) => JSON.stringify(inv));
    const rejectedBytes = rejectedValues.reduce((n, v) => n + Buffer.byteLength(v), 0);
    expect(rejectedBytes).toBeGreaterThan(1024 * 1024);
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeGreaterThan(DEAD_LETTER_MAX_MESSAGE_BYTES);

    // Produced before the owner starts, so the first fetches hold them all.
    const messages = [
      ...accepted.map((inv) => ({ key: `${REGISTERED}:${inv.invoiceId}`, value: JSON.stringify(inv) })),
      ...[...early, huge].map((inv, i) => ({
        key: `${LATE}:${inv.invoiceId}`,
        value: rejectedValues[i] as string,
      })),
    ];
    for (let i = 0; i < messages.length; i += 200) {
      await producer.send({ topic: config.topics.invoices, acks: -1, messages: messages.slice(i, i + 200) });
    }

    const owner = pipeline.startOwner('ingest');
    await owner.ready();
    await pipeline.waitUntilIngested(180_000);

    const afterIngest = await pipeline.stats();
    const ok = totalOf(accepted);
    expect(afterIngest.bodies).toEqual([
      expect.objectContaining({
        bodyId: REGISTERED,
        invoices: ok.invoices,
        invoiceLines: ok.lines,
        netTotal: ok.netTotal,
        rejected: 0,
      }),
    ]);
    expect(afterIngest.unattributedRejected).toBe(REJECTED + 1);

    // The dead-letter topic holds every rejection once, the huge one as a reference to the table.
    const dead = await readAll(pipeline.kafka, deadLetterTopic);
    const origins = new Set(dead.map((m) => m.headers[DEAD_LETTER_HEADERS.offset]));
    expect(origins.size).toBe(REJECTED + 1);
    const references = dead.filter((m) => m.headers[DEAD_LETTER_HEADERS.valueKeptIn] === 'rejected_messages');
    expect(references.map((m) => m.key)).toEqual([`${LATE}:HUGE-1`]);
    const listed = await pipeline.cli(['dead-letters', 'list', '--body', LATE, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const list = JSON.parse(listed.stdout) as { total: number; deadLetters: { valueBytes: number }[] };
    expect(list.total).toBe(REJECTED + 1);

    // The owner keeps consuming after all that.
    const later = manyInvoices(REGISTERED, 40, 'LATER');
    await producer.send({
      topic: config.topics.invoices,
      acks: -1,
      messages: later.map((inv) => ({ key: `${REGISTERED}:${inv.invoiceId}`, value: JSON.stringify(inv) })),
    });
    await pipeline.waitUntilIngested(120_000);
    const stillConsuming = await pipeline.stats();
    expect(stillConsuming.bodies.find((b) => b.bodyId === REGISTERED)?.invoices).toBe(
      accepted.length + later.length,
    );
    expect(owner.child.exitCode).toBeNull();

    // `spend status` shows no lag and the outstanding rejections.
    const status = await pipeline.cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const statusJson = JSON.parse(status.stdout) as { behind: string; outstandingDeadLetters: number };
    expect(statusJson.behind).toBe('0');
    expect(statusJson.outstandingDeadLetters).toBe(REJECTED + 1);

    // The body joins; replay puts its rejected invoices in exactly once (the huge one whole).
    await addBody(pipeline, LATE);
    const replay = await pipeline.cli(['dead-letters', 'replay', '--body', LATE, '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual({
      considered: REJECTED + 1,
      ingested: REJECTED + 1,
      stillRejected: 0,
      byReason: {},
    });
    const late = totalOf([...early, huge]);
    const replayed = await pipeline.stats();
    expect(replayed.bodies.find((b) => b.bodyId === LATE)).toEqual(
      expect.objectContaining({
        invoices: late.invoices,
        invoiceLines: late.lines,
        netTotal: late.netTotal,
        rejected: 0,
      }),
    );
    expect(replayed.unattributedRejected).toBe(0);

    const again = await pipeline.cli(['dead-letters', 'replay', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ considered: 0, ingested: 0 });
    expect(await pipeline.stats()).toEqual(replayed);
  }, 600_000);

  it('ends the owner with exit code 1 and the reason when a write keeps failing (never idle, never spinning)', async () => {
    // A dead-letter topic that cannot take even a reference: every flush with a rejection fails.
    const deadLetterTopic = uniqueName('dl-tiny');
    await ensureTopics(testKafka(), [
      {
        topic: deadLetterTopic,
        numPartitions: 1,
        configEntries: [{ name: 'max.message.bytes', value: '200' }],
      },
    ]);
    const pipeline = await createPipeline({
      SPEND_TOPIC_DEAD_LETTER: deadLetterTopic,
      SPEND_TOPIC_PARTITIONS: '1',
    });
    const producer = await pipeline.producer();
    await producer.send({
      topic: pipeline.config.topics.invoices,
      acks: -1,
      messages: [
        { key: 'nobody:INV-1', value: JSON.stringify(invoice({ bodyId: 'nobody', invoiceId: 'INV-1' })) },
      ],
    });
    const owner = pipeline.startOwner('ingest');
    const exit = await owner.exited;
    expect(exit.code, owner.stderr()).toBe(1);
    expect(owner.stderr()).toContain('spend: ingest stopped: 5 writes in a row failed');
    expect(owner.stderr()).toContain('exiting with code 1');
    expect(owner.stderr()).toContain(
      `the dead-letter topic ${deadLetterTopic} takes record batches of at most 200 bytes`,
    );
  }, 300_000);
});

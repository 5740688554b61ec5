/**
 * End to end through the real broker and a real DuckDB file: what was produced is exactly
 * what `spend stats` reports, whether the owner is running (control socket) or not (file).
 */
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../ingest/dead-letter.ts';
import { CompressionTypes, createProducer } from '../ingest/kafka/client.ts';
import { uniqueName } from './helpers/kafka.ts';
import { invoice, manyInvoices, penceToString, purchaseOrder } from './helpers/messages.ts';
import { createPipeline } from './helpers/pipeline.ts';

const BODY = 'e2e-council';
const OTHER = 'e2e-fire';

/** Exact expected totals, computed here from what the test sends (not by the code under test). */
function expectedTotals(invoices: ReturnType<typeof manyInvoices>) {
  let pence = 0n;
  let lines = 0;
  for (const inv of invoices) {
    const [whole = '0', frac = '00'] = inv.netAmount.replace('-', '').split('.');
    const value = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
    pence += inv.netAmount.startsWith('-') ? -value : value;
    lines += inv.lines?.length ?? 0;
  }
  return { invoices: invoices.length, lines, netTotal: penceToString(pence) };
}

describe('Kafka → DuckDB end to end', () => {
  it('ingests every codec, dead-letters bad messages, and reports exact totals', async () => {
    const pipeline = await createPipeline();
    const { config } = pipeline;
    for (const [id, name, kind] of [
      [BODY, 'E2E Council', 'council'],
      [OTHER, 'E2E Fire and Rescue', 'fire'],
    ]) {
      const added = await pipeline.cli([
        'bodies',
        'add',
        id as string,
        '--name',
        name as string,
        '--kind',
        kind as string,
        '--joined',
        '2023-04-01',
      ]);
      expect(added.code, added.stderr).toBe(0);
    }
    const owner = pipeline.startOwner('ingest');
    const producer = await pipeline.producer();

    const councilInvoices = manyInvoices(BODY, 2000);
    const fireInvoices = manyInvoices(OTHER, 300, 'FIRE');
    const codecs = [
      CompressionTypes.None,
      CompressionTypes.GZIP,
      CompressionTypes.Snappy,
      CompressionTypes.LZ4,
      CompressionTypes.ZSTD,
    ];
    const chunk = Math.ceil(councilInvoices.length / codecs.length);
    for (const [i, compression] of codecs.entries()) {
      await producer.send({
        topic: config.topics.invoices,
        compression,
        acks: -1,
        messages: councilInvoices
          .slice(i * chunk, (i + 1) * chunk)
          .map((inv) => ({ key: `${BODY}:${inv.invoiceId}`, value: JSON.stringify(inv) })),
      });
    }
    await producer.send({
      topic: config.topics.invoices,
      acks: -1,
      messages: fireInvoices.map((inv) => ({ key: `${OTHER}:${inv.invoiceId}`, value: JSON.stringify(inv) })),
    });
    // A correction (supersedes FIRE-0), a retraction (removes FIRE-1), a EUR invoice, and bad ones.
    const corrected = invoice({ bodyId: OTHER, invoiceId: 'FIRE-0', netAmount: '999.99', lines: undefined });
    const euro = invoice({
      bodyId: OTHER,
      invoiceId: 'FIRE-EUR',
      currency: 'EUR',
      netAmount: '10.00',
      lines: undefined,
    });
    const bad = [
      { key: `${OTHER}:BAD-1`, value: '{"schema":"invoice.v1",' },
      {
        key: `${OTHER}:BAD-2`,
        value: JSON.stringify(
          invoice({ bodyId: OTHER, invoiceId: 'BAD-2', netAmount: '1.001', lines: undefined }),
        ),
      },
      {
        key: `${OTHER}:BAD-3`,
        value: JSON.stringify(invoice({ bodyId: OTHER, invoiceId: 'BAD-3', invoiceDate: '2024-02-30' })),
      },
      {
        key: `${OTHER}:BAD-4`,
        value: JSON.stringify(invoice({ bodyId: OTHER, invoiceId: 'BAD-4', netAmount: '150.51' })),
      },
      { key: 'nobody:BAD-5', value: JSON.stringify(invoice({ bodyId: 'nobody', invoiceId: 'BAD-5' })) },
    ];
    await producer.send({
      topic: config.topics.invoices,
      acks: -1,
      messages: [
        { key: `${OTHER}:FIRE-0`, value: JSON.stringify(corrected) },
        { key: `${OTHER}:FIRE-1`, value: null },
        { key: `${OTHER}:FIRE-EUR`, value: JSON.stringify(euro) },
        ...bad,
      ],
    });
    await producer.send({
      topic: config.topics.purchaseOrders,
      acks: -1,
      messages: [1, 2, 3].map((n) => ({
        key: `${BODY}:PO-${n}`,
        value: JSON.stringify(purchaseOrder({ bodyId: BODY, poNumber: `PO-${n}` })),
      })),
    });

    await pipeline.waitUntilIngested();
    const fireCurrent = [corrected, ...fireInvoices.slice(2)];
    const council = expectedTotals(councilInvoices);
    const fire = expectedTotals(fireCurrent);
    const expected = {
      bodies: [
        {
          bodyId: BODY,
          invoices: council.invoices,
          invoiceLines: council.lines,
          purchaseOrders: 3,
          rejected: 0,
          netTotal: council.netTotal,
          otherCurrencies: [],
        },
        {
          bodyId: OTHER,
          invoices: fire.invoices + 1,
          invoiceLines: fire.lines,
          purchaseOrders: 0,
          rejected: 4,
          netTotal: fire.netTotal,
          otherCurrencies: [{ currency: 'EUR', netTotal: '10.00' }],
        },
      ],
      unattributedRejected: 1,
    };
    // While the owner runs, stats go through its control socket…
    const viaOwner = await pipeline.cli(['stats', '--json']);
    expect(viaOwner.code, viaOwner.stderr).toBe(0);
    expect(JSON.parse(viaOwner.stdout)).toMatchObject(expected);

    // …and after a clean shutdown they come from the file itself, unchanged.
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    expect(await pipeline.stats()).toMatchObject(expected);

    // Every rejection is on the dead-letter topic with its reason in the headers.
    const consumer = pipeline.kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: config.topics.deadLetter, fromBeginning: true });
    const reasons: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          reasons.push(String(message.headers?.[DEAD_LETTER_HEADERS.reasonCode]));
          if (reasons.length === bad.length) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(reasons.sort()).toEqual([
      'lines-do-not-sum',
      'malformed-json',
      'schema-violation',
      'schema-violation',
      'unregistered-body',
    ]);
  });

  it('ingests committed transactions only, and never waits on transaction markers', async () => {
    const pipeline = await createPipeline();
    const { config } = pipeline;
    const added = await pipeline.cli([
      'bodies',
      'add',
      BODY,
      '--name',
      'E2E Council',
      '--joined',
      '2023-04-01',
    ]);
    expect(added.code, added.stderr).toBe(0);
    await pipeline.startOwner('ingest').ready();
    const producer = createProducer(pipeline.kafka, {
      transactionalId: uniqueName('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const committed = manyInvoices(BODY, 300, 'TX');
    const aborted = manyInvoices(BODY, 50, 'ABORTED');
    const asMessages = (invoices: typeof committed) =>
      invoices.map((inv) => ({ key: `${BODY}:${inv.invoiceId}`, value: JSON.stringify(inv) }));
    try {
      for (let i = 0; i < committed.length; i += 100) {
        const tx = await producer.transaction();
        await tx.send({ topic: config.topics.invoices, messages: asMessages(committed.slice(i, i + 100)) });
        await tx.commit();
      }
      const tx = await producer.transaction();
      await tx.send({ topic: config.topics.invoices, messages: asMessages(aborted) });
      await tx.abort();
    } finally {
      await producer.disconnect();
    }

    // The high watermark counts the markers and the aborted records: the stored offsets must too.
    await pipeline.waitUntilIngested();
    const stats = await pipeline.stats();
    const expected = expectedTotals(committed);
    expect(stats.bodies).toEqual([
      expect.objectContaining({
        bodyId: BODY,
        invoices: 300,
        invoiceLines: expected.lines,
        netTotal: expected.netTotal,
      }),
    ]);
  });
});

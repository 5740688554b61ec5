/**
 * `spend demo` end to end on a small data set: it must register the bodies, publish, ingest,
 * and reconcile the database against the generator's manifest; run again, it must not publish
 * twice and must still reconcile. The figures in the DuckDB file are also checked here against
 * the generator's messages, recomputed in the test (latest document per key, retractions, bad
 * records and unregistered bodies left out, money summed with the test's own arithmetic), so the
 * product's "Reconciled" line is not the only witness.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_END_DATE, DEFAULT_START_DATE, generateDemo } from '../demo/generate.ts';
import { withDemoMembership } from '../demo/membership.ts';
import { withDemoProcurementSavings } from '../demo/procurement-savings.ts';
import { isDemoTopicOf } from '../demo/topics.ts';
import { deleteTopics } from '../ingest/kafka/client.ts';
import { decimalToUnits, unitsToDecimal } from './helpers/messages.ts';
import { createPipeline } from './helpers/pipeline.ts';

const SEED = 7;
const LINES = 20_000;

/** Per body: current invoices and their GBP net total, from the messages alone. */
function expectedFromMessages(): Map<string, { invoices: number; gbp: string }> {
  // the messages `spend demo` sends: the generated partnership, the baselines before each body
  // joined, then a prospective body's and a leaver's documents (both registered by the demo too)
  const demo = withDemoMembership(
    withDemoProcurementSavings(generateDemo({ seed: SEED, targetInvoiceLines: LINES })),
    DEFAULT_START_DATE,
    DEFAULT_END_DATE,
  );
  const registered = new Set([
    ...demo.bodies.map((body) => body.bodyId),
    demo.membership.prospective.bodyId,
    demo.membership.leaver.bodyId,
  ]);
  const bad = new Set(demo.manifest.badRecords.map((record) => `${record.topic}|${record.key}`));
  const current = new Map<string, { bodyId: string; currency: string; netAmount: string }>();
  for (const message of demo.messages()) {
    if (message.topic !== 'invoices' || bad.has(`${message.topic}|${message.key}`)) continue;
    if (message.value === null) current.delete(message.key);
    else current.set(message.key, JSON.parse(message.value));
  }
  const totals = new Map<string, { invoices: number; pence: bigint }>();
  for (const doc of current.values()) {
    if (!registered.has(doc.bodyId)) continue;
    const body = totals.get(doc.bodyId) ?? { invoices: 0, pence: 0n };
    body.invoices++;
    if (doc.currency === 'GBP') body.pence += decimalToUnits(doc.netAmount, 2);
    totals.set(doc.bodyId, body);
  }
  return new Map(
    [...totals].map(([bodyId, t]) => [bodyId, { invoices: t.invoices, gbp: unitsToDecimal(t.pence, 2) }]),
  );
}

/** The same figures read from the database file with SQL of the test's own (not the product's views). */
async function figuresInDatabase(path: string): Promise<Map<string, { invoices: number; gbp: string }>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    const reader = await conn.runAndReadAll(`
      with latest as (
        select *, row_number() over (partition by body_id, invoice_id order by kafka_offset desc) as nth
        from invoices
      )
      select body_id, count(*)::integer as invoices,
             coalesce(sum(net_amount) filter (where currency = 'GBP'), 0)::decimal(18, 2)::varchar as gbp
      from latest where nth = 1 and not retracted group by body_id`);
    const rows = reader.getRowObjectsJson() as { body_id: string; invoices: number; gbp: string }[];
    conn.closeSync();
    return new Map(rows.map((r) => [r.body_id, { invoices: r.invoices, gbp: r.gbp }]));
  } finally {
    instance.closeSync();
  }
}

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
    const args = ['demo', '--lines', String(LINES), '--seed', String(SEED), '--exit'];
    const first = await pipeline.cli(args);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toContain('Registered 8 bodies');
    expect(first.stdout).toMatch(/Published \d+ messages \(2\d{4} invoice lines\)/);
    expect(first.stdout).toContain('Reconciled: every body');
    expect(first.stdout).not.toContain('DIFFERS');
    const expected = expectedFromMessages();
    expect(expected.size).toBe(10);
    expect(await figuresInDatabase(pipeline.config.dbPath)).toEqual(expected);

    const again = await pipeline.cli(args);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(again.stdout).toContain('not publishing again');
    expect(again.stdout).toContain('Reconciled: every body');
    expect(await figuresInDatabase(pipeline.config.dbPath)).toEqual(expected);
  });
});

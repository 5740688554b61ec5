/**
 * Shared parts of the fault tests (`npm run test:faults`, vitest.faults.config.ts): the seed and
 * round count, a seeded random source, how a test reports the faults it put the pipeline through
 * (read by tests/faults/reporter.ts for the closing "faults survived N/N" line), and the
 * row-for-row check of the database against what the test produced.
 */
import { expect } from 'vitest';
import { MIGRATIONS_DIR } from '../../ingest/schema-migrations.ts';
import type { InvoiceV1 } from '../../ingest/topics/invoices/schema.ts';
import { Database, queryRows } from '../../lib/db.ts';
import { manyInvoices, sendInvoices } from '../helpers/messages.ts';
import { createPipeline, type Pipeline } from '../helpers/pipeline.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** Faults this test put the pipeline through, and how many it came through intact. */
    faults?: { tried: number; survived: number };
  }
}

/** SPEND_FAULTS_SEED picks the random kill points (printed, so a failing run can be replayed). */
export const FAULT_SEED = Number(process.env.SPEND_FAULTS_SEED ?? 20261204);
/** SPEND_FAULTS_ROUNDS: kill -9 rounds (default 10). */
export const FAULT_ROUNDS = Number(process.env.SPEND_FAULTS_ROUNDS ?? 10);

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export const say = (line: string) => process.stderr.write(`faults: ${line}\n`);

type StoredInvoice = {
  body_id: string;
  invoice_id: string;
  document_type: string;
  invoice_date: string | null;
  net_amount: string;
  vat_amount: string;
};
type StoredLine = { invoice_id: string; line_no: number; net_amount: string };

function expectedRows(produced: readonly InvoiceV1[]): { invoices: StoredInvoice[]; lines: StoredLine[] } {
  const invoices = produced
    .map((inv) => ({
      body_id: inv.bodyId,
      invoice_id: inv.invoiceId,
      document_type: inv.documentType,
      invoice_date: inv.invoiceDate ?? null,
      net_amount: inv.netAmount,
      vat_amount: inv.vatAmount ?? '',
    }))
    .sort((a, b) => a.invoice_id.localeCompare(b.invoice_id));
  const lines = produced
    .flatMap((inv) =>
      (inv.lines ?? []).map((line) => ({
        invoice_id: inv.invoiceId,
        line_no: line.lineNo,
        net_amount: line.netAmount,
      })),
    )
    .sort((a, b) => a.invoice_id.localeCompare(b.invoice_id) || a.line_no - b.line_no);
  return { invoices, lines };
}

async function storedRows(dbPath: string): Promise<{
  invoices: StoredInvoice[];
  lines: StoredLine[];
  offsets: { rows: number; distinct: number };
}> {
  const db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
  try {
    return await db.withConnection(async (conn) => {
      const invoices = await queryRows<StoredInvoice>(
        conn,
        `select body_id, invoice_id, document_type, invoice_date::varchar as invoice_date,
                net_amount::varchar as net_amount, coalesce(vat_amount::varchar, '') as vat_amount
           from invoices order by invoice_id`,
      );
      const lines = await queryRows<StoredLine>(
        conn,
        `select invoice_id, line_no, net_amount::varchar as net_amount
           from invoice_lines order by invoice_id, line_no`,
      );
      const [offsets] = await queryRows<{ rows: number; distinct: number }>(
        conn,
        `select count(*)::integer as rows,
                count(distinct (topic, kafka_partition, kafka_offset))::integer as distinct
           from invoices`,
      );
      return { invoices, lines, offsets: offsets ?? { rows: -1, distinct: -1 } };
    });
  } finally {
    db.close();
  }
}

const byId = <T extends { invoice_id: string }>(rows: T[]) =>
  [...rows].sort((a, b) => a.invoice_id.localeCompare(b.invoice_id));

/**
 * The database holds exactly the produced invoices and lines, field for field: nothing lost,
 * nothing twice (every Kafka offset once). With `partial`, a subset is allowed (a state after a
 * kill): whatever is there is exact and nothing is there twice. Returns how many invoices are in.
 */
export async function expectRowForRow(
  dbPath: string,
  produced: readonly InvoiceV1[],
  { partial = false } = {},
): Promise<number> {
  const expected = expectedRows(produced);
  const stored = await storedRows(dbPath);
  const storedInvoices = byId(stored.invoices);
  expect(stored.offsets.distinct, 'an invoice offset stored twice').toBe(stored.offsets.rows);
  expect(new Set(storedInvoices.map((r) => r.invoice_id)).size, 'an invoice stored twice').toBe(
    storedInvoices.length,
  );
  if (!partial) {
    expect(storedInvoices).toEqual(expected.invoices);
    expect(byLine(stored.lines)).toEqual(expected.lines);
    return storedInvoices.length;
  }
  const wanted = new Map(expected.invoices.map((r) => [r.invoice_id, r]));
  for (const row of storedInvoices) expect(row).toEqual(wanted.get(row.invoice_id));
  // Lines go in with their invoice, in the same transaction: exactly the stored invoices' lines.
  const storedIds = new Set(storedInvoices.map((r) => r.invoice_id));
  expect(byLine(stored.lines)).toEqual(expected.lines.filter((line) => storedIds.has(line.invoice_id)));
  return storedInvoices.length;
}

/**
 * A pipeline on a broker of the test's own (small fetches and flushes, so a fault lands mid-ingest),
 * one body registered, `count` invoices for it and a producer of any slice of them.
 */
export async function brokerFaultPipeline(bootstrap: string, body: string, count: number) {
  const pipeline = await createPipeline({
    KAFKA_BROKERS: bootstrap,
    KAFKA_MAX_BYTES_PER_PARTITION: '16384',
    SPEND_INGEST_FLUSH_DOCUMENTS: '300',
  });
  const added = await pipeline.cli(['bodies', 'add', body, '--name', body, '--joined', '2023-04-01']);
  expect(added.code, added.stderr).toBe(0);
  const invoices = manyInvoices(body, count);
  const produce = async (from: number, to: number) => {
    const producer = await pipeline.producer();
    await sendInvoices(producer, pipeline.config.topics.invoices, invoices, { from, to, chunk: 500 });
    await producer.disconnect();
  };
  return { pipeline, invoices, produce };
}

/** Waits until more than `than` invoices of the pipeline's one body are in DuckDB; returns how many. */
export async function ingestedPast(pipeline: Pipeline, than: number): Promise<number> {
  for (;;) {
    const now = (await pipeline.stats()).bodies[0]?.invoices ?? 0;
    if (now > than) return now;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const byLine = (rows: StoredLine[]) =>
  [...rows].sort((a, b) => a.invoice_id.localeCompare(b.invoice_id) || a.line_no - b.line_no);

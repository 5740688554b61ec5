/**
 * Writes demo messages into a DuckDB through the ingest batch writer, as the consumers would
 * after reading them from Kafka (the Kafka path itself is `spend demo`'s, tested in
 * transforms-demo.test.ts and demo.test.ts): offsets counted per topic, 2,000 a batch.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { expect } from 'vitest';
import { loadDemoSavingsFiles, signOffDemoYears } from '../../cli/demo-savings.ts';
import type { DemoMessage } from '../../demo/messages.ts';
import type { DemoSavings } from '../../demo/savings.ts';
import { writeBatch } from '../../ingest/batch-writer.ts';
import { invoicesHandler } from '../../ingest/topics/invoices/handler.ts';
import { purchaseOrdersHandler } from '../../ingest/topics/purchase-orders/handler.ts';
import type { Database } from '../../lib/db.ts';
import { runTransforms } from '../../transforms/runner.ts';

type Topic = DemoMessage['topic'];

function asConsumed(key: string, value: string | null, offset: number) {
  return {
    offset: String(offset),
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: String(Date.UTC(2026, 0, 1)),
  };
}

export async function writeDemoMessages(
  conn: DuckDBConnection,
  messages: Iterable<DemoMessage>,
): Promise<void> {
  const offsets: Record<Topic, number> = { invoices: 0, purchaseOrders: 0 };
  const pending: Record<Topic, ReturnType<typeof asConsumed>[]> = { invoices: [], purchaseOrders: [] };
  const flush = async (topic: Topic) => {
    if (pending[topic].length === 0) return;
    if (topic === 'invoices') await writeBatch(conn, invoicesHandler, 'demo.invoices', 0, pending[topic]);
    else await writeBatch(conn, purchaseOrdersHandler, 'demo.orders', 0, pending[topic]);
    pending[topic] = [];
  };
  for (const m of messages) {
    pending[m.topic].push(asConsumed(m.key, m.value, offsets[m.topic]++));
    if (pending[m.topic].length >= 2000) await flush(m.topic);
  }
  await flush('invoices');
  await flush('purchaseOrders');
}

/** `spend demo`'s savings step: the agreement and registers loaded, the transforms run (none may fail), years signed off. */
export async function loadDemoSavingsAndSignOff(db: Database, savings: DemoSavings): Promise<void> {
  await loadDemoSavingsFiles(db, savings);
  const run = await runTransforms(db);
  expect(run.failed, JSON.stringify(run.models.filter((m) => m.error))).toBe(0);
  await signOffDemoYears(db, savings);
}

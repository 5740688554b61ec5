import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database, queryRows } from '../lib/db.ts';
import { asMessage, invoice } from '../tests/helpers/messages.ts';
import { writeBatch } from './batch-writer.ts';
import { listDeadLetters, replayDeadLetters } from './replay.ts';
import { MIGRATIONS_DIR } from './schema-migrations.ts';
import { invoicesHandler } from './topics/invoices/handler.ts';

const TOPICS = { invoices: 'spend.invoices.v1', purchaseOrders: 'spend.purchase-orders.v1' };

let db: Database;
let conn: DuckDBConnection;

beforeEach(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
  conn = await db.connect();
});
afterEach(() => {
  conn.closeSync();
  db.close();
});

const register = (id: string) =>
  conn.run(
    `insert into bodies (body_id, name, kind, status, joined_on) values ('${id}', '${id}', 'council', 'active', '2023-04-01')`,
  );

const current = async () =>
  (
    await queryRows<{
      invoices: number;
      lines: number;
      net: string | null;
      outstanding: number;
      batches: number;
    }>(
      conn,
      `select (select count(*) from current_invoices)::integer as invoices,
              (select count(*) from current_invoice_lines)::integer as lines,
              (select sum(net_amount)::varchar from current_invoices) as net,
              (select count(*) from rejected_messages where replayed_at is null)::integer as outstanding,
              (select count(*) from ingest_batches)::integer as batches`,
    )
  )[0];

describe('replayDeadLetters', () => {
  it('ingests the messages of a body registered late exactly once; a second replay adds nothing', async () => {
    const long = 'x'.repeat(1900);
    // A value longer than raw_value keeps (64 KiB): replayed from raw_value_whole.
    const bigLines = Array.from({ length: 40 }, (_, i) => ({
      lineNo: i + 1,
      description: long,
      netAmount: '2.50',
    }));
    const batch = [
      asMessage('late:INV-1', invoice({ bodyId: 'late', invoiceId: 'INV-1' }), 0),
      asMessage(
        'late:INV-2',
        invoice({ bodyId: 'late', invoiceId: 'INV-2', netAmount: '100.00', lines: bigLines }),
        1,
      ),
      asMessage(
        'late:INV-3',
        invoice({ bodyId: 'late', invoiceId: 'INV-3', netAmount: '1.005', lines: undefined }),
        2,
      ),
      asMessage('other:INV-4', invoice({ bodyId: 'other', invoiceId: 'INV-4' }), 3),
      asMessage('late:INV-1', null, 4),
    ];
    await writeBatch(conn, invoicesHandler, TOPICS.invoices, 0, batch);
    expect(await current()).toMatchObject({ invoices: 0, outstanding: 5, batches: 1 });
    expect((await listDeadLetters(conn, { bodyId: 'late' })).total).toBe(4);

    // Still unregistered: nothing goes in, nothing changes but the replay's batch record.
    expect(await replayDeadLetters(conn, TOPICS, { bodyId: 'late' })).toMatchObject({
      considered: 4,
      ingested: 0,
      stillRejected: 4,
    });

    await register('late');
    const replayed = await replayDeadLetters(conn, TOPICS, { bodyId: 'late' });
    // INV-1 in, then retracted by its tombstone (offset 4); INV-2 in whole; INV-3 is still bad.
    expect(replayed).toEqual({
      considered: 4,
      ingested: 3,
      stillRejected: 1,
      byReason: { 'schema-violation': 1 },
    });
    expect(await current()).toMatchObject({ invoices: 1, lines: 40, net: '100.00', outstanding: 2 });
    const [stillBad] = await queryRows<{ reason_code: string; body_id: string }>(
      conn,
      "select reason_code, body_id from rejected_messages where message_key = 'late:INV-3'",
    );
    expect(stillBad).toEqual({ reason_code: 'schema-violation', body_id: 'late' });

    const before = await current();
    expect(await replayDeadLetters(conn, TOPICS, {})).toMatchObject({ considered: 2, ingested: 0 });
    expect(await current()).toEqual(before);
    expect((await queryRows<{ n: number }>(conn, 'select count(*)::integer as n from invoices'))[0]?.n).toBe(
      3,
    );
  });

  it('filters by reason', async () => {
    await writeBatch(conn, invoicesHandler, TOPICS.invoices, 0, [
      asMessage('late:INV-1', invoice({ bodyId: 'late', invoiceId: 'INV-1' }), 0),
      asMessage('late:INV-2', '{bad json', 1),
    ]);
    const listed = await listDeadLetters(conn, { reasons: ['malformed-json'] });
    expect(listed.deadLetters.map((d) => [d.key, d.reasonCode])).toEqual([['late:INV-2', 'malformed-json']]);
    await register('late');
    expect(await replayDeadLetters(conn, TOPICS, { reasons: ['malformed-json'] })).toMatchObject({
      considered: 1,
      ingested: 0,
    });
    expect(await replayDeadLetters(conn, TOPICS, { reasons: ['unregistered-body'] })).toMatchObject({
      considered: 1,
      ingested: 1,
    });
  });
});

import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../lib/db.ts';
import { openTestDatabase } from '../tests/helpers/database.ts';
import { asMessage, invoice } from '../tests/helpers/messages.ts';
import { flushPending, PendingWrite, readNextOffset, stageBatch, writeBatch } from './batch-writer.ts';
import { TABLE_COLUMNS } from './rows.ts';
import { invoicesHandler } from './topics/invoices/handler.ts';

let db: Database;
let conn: DuckDBConnection;

beforeEach(async () => {
  ({ db, conn } = await openTestDatabase());
});
afterEach(() => {
  conn.closeSync();
  db.close();
});

const totals = async () =>
  (
    await queryRows<{ invoices: string; lines: string; net: string | null; rejected: string }>(
      conn,
      `select (select count(*) from current_invoices)::varchar as invoices,
              (select count(*) from current_invoice_lines)::varchar as lines,
              (select sum(net_amount)::varchar from current_invoices) as net,
              (select count(*) from rejected_messages)::varchar as rejected`,
    )
  )[0];

describe('writeBatch', () => {
  it('declares every appended table column in table order', async () => {
    for (const [table, columns] of Object.entries(TABLE_COLUMNS)) {
      const rows = await queryRows<{ column_name: string }>(
        conn,
        'select column_name from information_schema.columns where table_name = $table order by ordinal_position',
        { table },
      );
      expect(
        rows.map((r) => r.column_name),
        table,
      ).toEqual([...columns]);
    }
  });

  it('ingests valid messages, rejects bad ones, and stores the next offset', async () => {
    const batch = [
      asMessage('test-council:INV-1', invoice(), 0),
      asMessage(
        'test-council:INV-2',
        invoice({ invoiceId: 'INV-2', netAmount: '1.005', lines: undefined }),
        1,
      ),
      asMessage('test-council:INV-3', '{not json', 2),
      asMessage('other-body:INV-4', invoice({ bodyId: 'other-body', invoiceId: 'INV-4' }), 3),
    ];
    const result = await writeBatch(conn, invoicesHandler, 'spend.invoices.v1', 0, batch);
    expect(result).toMatchObject({ accepted: 1, rejected: 3, lines: 2, nextOffset: 4n });
    expect(await totals()).toEqual({ invoices: '1', lines: '2', net: '150.50', rejected: '3' });
    const reasons = await queryRows<{ reason_code: string; reason: string; body_id: string | null }>(
      conn,
      'select reason_code, reason, body_id from rejected_messages order by kafka_offset',
    );
    expect(reasons.map((r) => r.reason_code)).toEqual([
      'schema-violation',
      'malformed-json',
      'unregistered-body',
    ]);
    expect(reasons[0]?.reason).toContain('netAmount: a decimal string with at most 2 decimal places');
    expect(reasons[0]?.reason).toContain('"1.005"');
    expect(reasons.map((r) => r.body_id)).toEqual(['test-council', 'test-council', null]);
    expect(await readNextOffset(conn, 'spend.invoices.v1', 0)).toBe(4n);
  });

  it('ignores a redelivered batch and the already-ingested head of an overlapping one', async () => {
    const first = [0, 1, 2].map((o) =>
      asMessage(`test-council:INV-${o}`, invoice({ invoiceId: `INV-${o}` }), o),
    );
    await writeBatch(conn, invoicesHandler, 't', 0, first);
    const again = await writeBatch(conn, invoicesHandler, 't', 0, first);
    expect(again).toMatchObject({ alreadyIngested: 3, accepted: 0 });
    const overlapping = [1, 2, 3].map((o) =>
      asMessage(`test-council:INV-${o}`, invoice({ invoiceId: `INV-${o}` }), o),
    );
    const third = await writeBatch(conn, invoicesHandler, 't', 0, overlapping);
    expect(third).toMatchObject({ alreadyIngested: 2, accepted: 1, nextOffset: 4n });
    expect(await totals()).toMatchObject({ invoices: '4', net: '602.00' });
  });

  it('stages nothing from a batch that starts past the next offset (the records between were never seen)', async () => {
    const messages = (offsets: number[]) =>
      offsets.map((o) => asMessage(`test-council:INV-${o}`, invoice({ invoiceId: `INV-${o}` }), o));
    await writeBatch(conn, invoicesHandler, 't', 0, messages([0, 1]));
    const pending = await PendingWrite.open(conn);
    const ahead = await stageBatch(pending, invoicesHandler, 't', 0, messages([5, 6]), 2n);
    expect(ahead).toMatchObject({ gap: true, accepted: 0, nextOffset: null });
    // Skipped records (transaction markers) past a gap move nothing on either.
    const skipped = await stageBatch(pending, invoicesHandler, 't', 0, [], 2n, {}, '9', '7');
    expect(skipped).toMatchObject({ gap: true, nextOffset: null });
    expect(pending.isEmpty).toBe(true);
    // A batch whose fetch began at the next offset with a skipped record is contiguous.
    const contiguous = await stageBatch(pending, invoicesHandler, 't', 0, messages([3]), 2n, {}, '3', '2');
    expect(contiguous).toMatchObject({ gap: false, accepted: 1, nextOffset: 4n });
  });

  it('stages a batch whole or not at all: one interrupted part-way and read again is written once', async () => {
    // 2,500 messages: a bad one at offset 100, a tombstone for INV-5 last, valid two-line invoices
    // (150.50 each) elsewhere. kafkajs' heartbeat throws once the group rebalances; staging
    // heartbeats every 2,000 messages, so the first try stops after validating 2,000 of them and
    // the consumer reads the batch again from the same offset.
    const count = 2_500;
    const batch = Array.from({ length: count }, (_, o) => {
      if (o === 100) return asMessage('test-council:BAD', '{not json', o);
      if (o === count - 1) return asMessage('test-council:INV-5', null, o);
      return asMessage(`test-council:INV-${o}`, invoice({ invoiceId: `INV-${o}` }), o);
    });
    const rebalance = new Error('The coordinator is not aware of this member');
    const pending = await PendingWrite.open(conn);
    await expect(
      stageBatch(pending, invoicesHandler, 't', 0, batch, null, {
        heartbeat: async () => {
          throw rebalance;
        },
      }),
    ).rejects.toBe(rebalance);
    expect(pending.isEmpty).toBe(true);

    const again = await stageBatch(pending, invoicesHandler, 't', 0, batch, null, {
      heartbeat: async () => {},
    });
    expect(again).toMatchObject({ accepted: count - 2, retracted: 1, rejected: 1, nextOffset: 2500n });
    await flushPending(pending, new Map([['t', invoicesHandler as never]]));

    // Current: every valid invoice but the retracted INV-5; 2 lines and 150.50 each.
    const current = count - 3;
    expect(await totals()).toEqual({
      invoices: String(current),
      lines: String(current * 2),
      net: (current * 150.5).toFixed(2),
      rejected: '1',
    });
    const stored = await queryRows<{ rows: string; offsets: string; lines: string }>(
      conn,
      `select (select count(*) from invoices)::varchar as rows,
              (select count(distinct kafka_offset) from invoices)::varchar as offsets,
              (select count(*) from invoice_lines)::varchar as lines`,
    );
    // every version once: the valid invoices, and the tombstone's retraction row
    expect(stored[0]).toEqual({
      rows: String(count - 1),
      offsets: String(count - 1),
      lines: String((count - 2) * 2),
    });
    expect(await readNextOffset(conn, 't', 0)).toBe(2500n);
  });

  it('keeps history: a correction supersedes, a tombstone retracts', async () => {
    await writeBatch(conn, invoicesHandler, 't', 0, [
      asMessage('test-council:INV-1', invoice(), 0),
      asMessage('test-council:INV-2', invoice({ invoiceId: 'INV-2' }), 1),
      asMessage(
        'test-council:INV-1',
        invoice({ netAmount: '100.50', lines: [{ lineNo: 1, netAmount: '100.50' }] }),
        2,
      ),
      asMessage('test-council:INV-2', null, 3),
    ]);
    expect(await totals()).toMatchObject({ invoices: '1', lines: '1', net: '100.50' });
    const history = await queryRows<{ n: string }>(conn, 'select count(*)::varchar as n from invoices');
    expect(history[0]?.n).toBe('4');
  });

  it('rolls back everything when the process fails before COMMIT', async () => {
    const boom = new Error('crash before commit');
    await expect(
      writeBatch(conn, invoicesHandler, 't', 0, [asMessage('test-council:INV-1', invoice(), 0)], {
        crashPoint: (point) => {
          if (point === 'before-duckdb-commit') throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(await totals()).toMatchObject({ invoices: '0', lines: '0', rejected: '0' });
    expect(await readNextOffset(conn, 't', 0)).toBeNull();
  });

  it('stages batches of several partitions and writes them in one transaction, or not at all', async () => {
    const handlers = new Map([['t', invoicesHandler as never]]);
    const batch = (partition: number, offsets: number[]) =>
      offsets.map((o) =>
        asMessage(`test-council:P${partition}-${o}`, invoice({ invoiceId: `P${partition}-${o}` }), o),
      );
    const pending = await PendingWrite.open(conn);
    await stageBatch(pending, invoicesHandler, 't', 0, batch(0, [0, 1]), null);
    // The next batch of partition 0 starts where the staged one ended: only offsets ≥ 2 are fresh.
    const redelivered = await stageBatch(pending, invoicesHandler, 't', 0, batch(0, [1, 2]), 2n);
    expect(redelivered).toMatchObject({ alreadyIngested: 1, accepted: 1, nextOffset: 3n });
    await stageBatch(pending, invoicesHandler, 't', 1, batch(1, [0]), null);
    expect(await totals()).toMatchObject({ invoices: '0' });

    const boom = new Error('crash before commit');
    await expect(
      flushPending(pending, handlers, {
        crashPoint: (point) => {
          if (point === 'before-duckdb-commit') throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(await totals()).toMatchObject({ invoices: '0' });
    expect(await readNextOffset(conn, 't', 0)).toBeNull();

    const spans = await flushPending(pending, handlers);
    expect(spans.map((s) => [s.partition, s.firstOffset, s.lastOffset, s.messages])).toEqual([
      [0, 0n, 2n, 3],
      [1, 0n, 0n, 1],
    ]);
    expect(await totals()).toMatchObject({ invoices: '4' });
    expect(await readNextOffset(conn, 't', 0)).toBe(3n);
    expect(await readNextOffset(conn, 't', 1)).toBe(1n);
    const batches = await queryRows<{ n: string; at: string }>(
      conn,
      'select count(*)::varchar as n, count(distinct committed_at)::varchar as at from ingest_batches',
    );
    expect(batches[0]).toEqual({ n: '2', at: '1' });
  });
});

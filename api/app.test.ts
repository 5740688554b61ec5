import type { AddressInfo } from 'node:net';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBatch } from '../ingest/batch-writer.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { invoicesHandler } from '../ingest/topics/invoices/handler.ts';
import { addBody } from '../lib/bodies.ts';
import { Database } from '../lib/db.ts';
import { createKey } from '../lib/keys.ts';
import { createLogger } from '../lib/log.ts';
import { asMessage, invoice } from '../tests/helpers/messages.ts';
import { startApi } from './app.ts';

let db: Database;
let base: string;
let close: () => void;
// /api/stats names every body beside its totals: it needs a key (a staff role) now
let authorization: { authorization: string };

beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
  await db.withConnection(async (conn) => {
    await addBody(conn, { bodyId: 'test-council', name: 'Test Council', joinedOn: '2023-04-01' });
    await writeBatch(conn, invoicesHandler, 't', 0, [
      asMessage('test-council:INV-1', invoice(), 0),
      asMessage(
        'test-council:INV-2',
        invoice({ invoiceId: 'INV-2', netAmount: '0.10', lines: undefined }),
        1,
      ),
    ]);
    authorization = {
      authorization: `Bearer ${(await createKey(conn, { name: 'test', role: 'procurement' })).key}`,
    };
  });
  const server = await startApi(db, 0, createLogger('silent'));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => {
  close();
  db.close();
});

describe('GET /api/stats', () => {
  it('answers JSON with exact decimal strings', async () => {
    const response = await fetch(`${base}/api/stats`, { headers: authorization });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { bodies: unknown[] };
    expect(body.bodies).toEqual([
      expect.objectContaining({ bodyId: 'test-council', invoices: 2, invoiceLines: 2, netTotal: '150.60' }),
    ]);
  });

  it('answers Arrow IPC when asked, with the same figures', async () => {
    const response = await fetch(`${base}/api/stats`, {
      headers: { accept: 'application/vnd.apache.arrow.stream', ...authorization },
    });
    expect(response.headers.get('content-type')).toContain('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    expect(table.numRows).toBe(1);
    expect(table.getChild('netTotal')?.get(0)).toBe('150.60');
    expect(table.getChild('invoices')?.get(0)).toBe(2);
  });
});

describe('GET /healthz', () => {
  it('says ok', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});

/**
 * Sessions that outlive a restart, the per-process cache of verified keys, the gate on concurrent
 * DuckDB queries, and the cube's refusal to add up different currencies: over a listening server
 * on a real DuckDB file (no Kafka: the invoices are written as the consumer writes them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBatch } from '../ingest/batch-writer.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { invoicesHandler } from '../ingest/topics/invoices/handler.ts';
import { addBody } from '../lib/bodies.ts';
import { loadConfig } from '../lib/config.ts';
import { Database } from '../lib/db.ts';
import { createKey } from '../lib/keys.ts';
import { createLogger } from '../lib/log.ts';
import { runOperation } from '../owner/operations.ts';
import { asMessage, invoice } from '../tests/helpers/messages.ts';
import { runTransforms } from '../transforms/runner.ts';
import { startApi } from './app.ts';
import { SESSION_COOKIE } from './auth.ts';
import { ClientGoneError } from './problem.ts';
import { QueryGate } from './query-gate.ts';

let dir: string;
let dbPath: string;
let db: Database;
let server: Server;
let base: string;
const keys: Record<string, { key: string; keyId: string }> = {};
const log = createLogger('silent');

async function start(settings: { maxConcurrentQueries?: number } = {}): Promise<void> {
  db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
  server = await startApi(db, 0, log, '127.0.0.1', { settings });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(): Promise<void> {
  await new Promise((resolve) => server?.close(resolve));
  db?.close();
}

const bearer = (name: string) => ({ authorization: `Bearer ${keys[name]?.key}` });
const get = (path: string, headers: Record<string, string>) => fetch(`${base}${path}`, { headers });

async function login(name: string): Promise<{ cookie: string; csrfToken: string }> {
  const response = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: keys[name]?.key }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = new RegExp(`${SESSION_COOKIE}=[^;]+`).exec(setCookie)?.[0];
  expect(cookie, setCookie).toBeDefined();
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie: cookie as string, csrfToken };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spend-api-sessions-'));
  dbPath = join(dir, 'spend.duckdb');
  db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
  await db.withConnection(async (conn) => {
    for (const bodyId of ['body-a', 'body-b'])
      await addBody(conn, { bodyId, name: `Council ${bodyId}`, joinedOn: '2023-04-01' });
    // body-a: 150.50 GBP and 80.00 EUR; body-b: 150.50 GBP
    const documents = [
      invoice({ bodyId: 'body-a', invoiceId: 'A-GBP' }),
      invoice({
        bodyId: 'body-a',
        invoiceId: 'A-EUR',
        currency: 'EUR',
        netAmount: '80.00',
        vatAmount: '0.00',
        lines: [{ lineNo: 1, description: 'Hotel', netAmount: '80.00' }],
      }),
      invoice({ bodyId: 'body-b', invoiceId: 'B-GBP' }),
    ];
    await writeBatch(
      conn,
      invoicesHandler,
      't',
      0,
      documents.map((doc, i) => asMessage(`${doc.bodyId}:${doc.invoiceId}`, doc, i)),
    );
    for (const role of ['admin', 'procurement'] as const) {
      const created = await createKey(conn, { name: role, role });
      keys[role] = { key: created.key, keyId: created.keyId };
    }
  });
  await runTransforms(db, { codelistsDir: loadConfig().codelistsDir, log });
  db.close();
  await start();
});

afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('sessions', () => {
  it('survive a restart of the server on the same database file, and end when their key is revoked', async () => {
    const other = await db.withConnection((conn) =>
      createKey(conn, { name: 'analyst', role: 'procurement' }),
    );
    keys.analyst = { key: other.key, keyId: other.keyId };
    const { cookie, csrfToken } = await login('analyst');
    const before = await get('/api/v1/session', { cookie });
    expect(before.status).toBe(200);
    expect(((await before.json()) as { keyId: string }).keyId).toBe(other.keyId);

    await stop();
    await start();
    const after = await get('/api/v1/session', { cookie });
    expect(after.status, await after.clone().text()).toBe(200);
    expect(((await after.json()) as { keyId: string }).keyId).toBe(other.keyId);
    // the CSRF token survives too: a change without it is refused, with it gets past the check
    // (to the route's own validation: procurement may not create keys, so 403 by role)
    const withoutToken = await fetch(`${base}/api/v1/session`, { method: 'DELETE', headers: { cookie } });
    expect(withoutToken.status).toBe(204); // logging out is public: no token needed, checked below
    const again = await login('analyst');
    const noToken = await fetch(`${base}/api/v1/keys`, {
      method: 'POST',
      headers: { cookie: again.cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { detail: string }).detail).toContain('X-CSRF-Token');
    const badToken = await fetch(`${base}/api/v1/keys`, {
      method: 'POST',
      headers: { cookie: again.cookie, 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: '{}',
    });
    expect(((await badToken.json()) as { detail: string }).detail).toContain('X-CSRF-Token');
    const goodToken = await fetch(`${base}/api/v1/keys`, {
      method: 'POST',
      headers: { cookie: again.cookie, 'content-type': 'application/json', 'x-csrf-token': again.csrfToken },
      body: '{}',
    });
    expect(goodToken.status).toBe(403);
    expect(((await goodToken.json()) as { detail: string }).detail).toContain('A procurement key may not');

    // the first session was logged out, the second still works until its key is revoked
    expect((await get('/api/v1/session', { cookie })).status).toBe(401);
    expect((await get('/api/v1/session', { cookie: again.cookie })).status).toBe(200);
    const revoked = await fetch(`${base}/api/v1/keys/${other.keyId}`, {
      method: 'DELETE',
      headers: bearer('admin'),
    });
    expect(revoked.status).toBe(200);
    const ended = await get('/api/v1/session', { cookie: again.cookie });
    expect(ended.status).toBe(401);
    // and stays ended after another restart (the key is revoked in the file, its sessions deleted)
    await stop();
    await start();
    expect((await get('/api/v1/session', { cookie: again.cookie })).status).toBe(401);
  });
});

describe('verified keys', () => {
  it('are remembered between requests, and a revocation through the owner takes effect on the next request', async () => {
    const created = (await runOperation(db, 'keys.create', { name: 'temp', role: 'procurement' })) as {
      key: string;
      keyId: string;
    };
    const auth = { authorization: `Bearer ${created.key}` };
    // a key made a moment ago works at once (failures are never cached)
    expect((await get('/api/v1/bodies', auth)).status).toBe(200);
    // A change made behind the API's back (plain SQL, not lib/keys.ts) is not seen while the
    // verified key is remembered: this shows the cache answers, not DuckDB.
    await db.withConnection((conn) =>
      conn.run('update api_keys set revoked_at = current_timestamp where key_id = $id', {
        id: created.keyId,
      }),
    );
    expect((await get('/api/v1/bodies', auth)).status).toBe(200);
    // Revoking through the owner's operation (as `spend keys revoke` does over the control
    // socket) empties the cache: the very next request is refused.
    await runOperation(db, 'keys.revoke', { keyId: created.keyId });
    const refused = await get('/api/v1/bodies', auth);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a revocation over the API takes effect on the next request of that key, and creating a key does not disturb others', async () => {
    const created = (await (
      await fetch(`${base}/api/v1/keys`, {
        method: 'POST',
        headers: { ...bearer('admin'), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'short', role: 'procurement' }),
      })
    ).json()) as { key: string; keyId: string };
    const auth = { authorization: `Bearer ${created.key}` };
    expect((await get('/api/v1/bodies', auth)).status).toBe(200);
    expect((await get('/api/v1/bodies', auth)).status).toBe(200);
    const revoked = await fetch(`${base}/api/v1/keys/${created.keyId}`, {
      method: 'DELETE',
      headers: bearer('admin'),
    });
    expect(revoked.status).toBe(200);
    expect((await get('/api/v1/bodies', auth)).status).toBe(401);
    expect((await get('/api/v1/bodies', bearer('procurement'))).status).toBe(200);
  });
});

describe('the query gate', () => {
  it('lets `limit` through at once, queues the rest in order, and drops a waiter whose client goes away', async () => {
    const gate = new QueryGate(2, 60_000);
    const first = await gate.acquire();
    const second = await gate.acquire();
    const order: string[] = [];
    const third = gate.acquire().then((release) => {
      order.push('third');
      return release;
    });
    const leaving = new AbortController();
    const abandoned = gate.acquire(leaving.signal);
    const fourth = gate.acquire().then((release) => {
      order.push('fourth');
      return release;
    });
    expect(gate.stats()).toEqual({ running: 2, waiting: 3 });
    leaving.abort();
    await expect(abandoned).rejects.toBeInstanceOf(ClientGoneError);
    expect(gate.stats()).toEqual({ running: 2, waiting: 2 });
    first();
    const releaseThird = await third;
    expect(order).toEqual(['third']);
    second();
    const releaseFourth = await fourth;
    expect(order).toEqual(['third', 'fourth']);
    releaseThird();
    releaseFourth();
    releaseFourth(); // a second release is ignored
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('answers 503 to a request that waited longer than its bound', async () => {
    const gate = new QueryGate(1, 1);
    const held = await gate.acquire();
    await expect(gate.acquire()).rejects.toMatchObject({ status: 503 });
    held();
  });

  it('one slot still serves many concurrent requests, each with several queries', async () => {
    await stop();
    await start({ maxConcurrentQueries: 1 });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        get(i % 2 ? '/api/v1/cube?groupBy=body' : '/api/v1/bodies', {
          ...bearer('procurement'),
          'cache-control': 'no-cache',
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    await stop();
    await start();
  });
});

describe('the spend cube and currencies', () => {
  type CubeRow = { body_id: string; currency?: string; net_total: string };
  const cube = async (query: string) => {
    const response = await get(`/api/v1/cube?${query}`, bearer('procurement'));
    expect(response.status, await response.clone().text()).toBe(200);
    return ((await response.json()) as { rows: CubeRow[] }).rows.map((row) => ({
      ...row,
      net_total: Number(row.net_total).toFixed(2),
    }));
  };

  it('never adds pounds to euros: split by currency when the rows hold several', async () => {
    expect(await cube('groupBy=body')).toEqual([
      { body_id: 'body-a', currency: 'EUR', net_total: '80.00', lines: '1', documents: '1' },
      { body_id: 'body-a', currency: 'GBP', net_total: '150.50', lines: '2', documents: '1' },
      { body_id: 'body-b', currency: 'GBP', net_total: '150.50', lines: '2', documents: '1' },
    ]);
    // one currency named, or only one among the rows asked for: no currency column is added
    expect(await cube('groupBy=body&currency=GBP')).toEqual([
      { body_id: 'body-a', net_total: '150.50', lines: '2', documents: '1' },
      { body_id: 'body-b', net_total: '150.50', lines: '2', documents: '1' },
    ]);
    expect(await cube('groupBy=body&body=body-b')).toEqual([
      { body_id: 'body-b', net_total: '150.50', lines: '2', documents: '1' },
    ]);
    // two currencies named but not grouped: still split
    expect((await cube('groupBy=body&currency=GBP&currency=EUR')).map((r) => r.currency)).toEqual([
      'EUR',
      'GBP',
      'GBP',
    ]);
  });
});

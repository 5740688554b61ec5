/**
 * The API over a listening server on a real DuckDB file: who may call what (every route × every
 * role, plus no key, an expired, a revoked and another body's key), what a body key sees of
 * other bodies, refused injection attempts, and the OpenAPI document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerLagFor } from '../cli/serve.ts';
import { writeBatch } from '../ingest/batch-writer.ts';
import { createProducer, probeCluster } from '../ingest/kafka/client.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { invoicesHandler } from '../ingest/topics/invoices/handler.ts';
import { addBody } from '../lib/bodies.ts';
import { loadConfig } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import { createKey, revokeKey } from '../lib/keys.ts';
import { createLogger } from '../lib/log.ts';
import { createTestTopics, testBrokers, testKafka, uniqueName } from '../tests/helpers/kafka.ts';
import { asMessage, invoice } from '../tests/helpers/messages.ts';
import { runTransforms } from '../transforms/runner.ts';
import { startApi } from './app.ts';

const BODIES = ['body-a', 'body-b', 'body-c', 'body-d', 'body-e'];
const nameOf = (id: string) => `Council ${id.slice(-1).toUpperCase()} of Testshire`;

let dir: string;
let db: Database;
let server: Server;
let base: string;
const keys: Record<string, string> = {};

/**
 * Every body buys A4 paper (5 bodies: dispersion open to a body key, ≥ 3 others), only three buy
 * toner (closed to a body key), each at its own price from one supplier.
 */
function invoicesOf(bodyId: string, index: number) {
  const paperPrice = `${10 + index}.00`;
  const lines = [
    {
      lineNo: 1,
      description: 'A4 paper',
      itemCode: 'A4-PAPER',
      unit: 'box',
      quantity: '10',
      unitPrice: paperPrice,
      netAmount: `${(10 + index) * 10}.00`,
    },
  ];
  if (index < 3) {
    lines.push({
      lineNo: 2,
      description: 'Toner',
      itemCode: 'TONER-9',
      unit: 'each',
      quantity: '2',
      unitPrice: `${50 + index}.00`,
      netAmount: `${(50 + index) * 2}.00`,
    });
  }
  const net = lines.reduce((sum, l) => sum + Number(l.netAmount.replace('.', '')), 0);
  return invoice({
    bodyId,
    invoiceId: `INV-${bodyId}`,
    supplier: { name: 'OFFICE DEPOT LTD', vatNumber: 'GB987654321' },
    invoiceDate: '2024-03-05',
    netAmount: `${Math.trunc(net / 100)}.${String(net % 100).padStart(2, '0')}`,
    vatAmount: '0.00',
    lines,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spend-api-'));
  db = await Database.open({ path: join(dir, 'spend.duckdb'), migrationsDir: MIGRATIONS_DIR });
  await db.withConnection(async (conn) => {
    for (const bodyId of BODIES)
      await addBody(conn, { bodyId, name: nameOf(bodyId), joinedOn: '2023-04-01' });
    await writeBatch(
      conn,
      invoicesHandler,
      't',
      0,
      BODIES.map((bodyId, i) => asMessage(`${bodyId}:INV-${bodyId}`, invoicesOf(bodyId, i), i)),
    );
    for (const role of ['admin', 'procurement', 'finance'] as const) {
      keys[role] = (await createKey(conn, { name: role, role })).key;
    }
    keys.body = (await createKey(conn, { name: 'a', role: 'body', bodyId: 'body-a' })).key;
    keys.otherBody = (await createKey(conn, { name: 'b', role: 'body', bodyId: 'body-b' })).key;
    const expired = await createKey(conn, { name: 'old', role: 'admin' });
    await conn.run(`update api_keys set expires_at = timestamp '2020-01-01' where key_id = $id`, {
      id: expired.keyId,
    });
    keys.expired = expired.key;
    const revoked = await createKey(conn, { name: 'gone', role: 'admin' });
    await revokeKey(conn, revoked.keyId);
    keys.revoked = revoked.key;
  });
  await runTransforms(db, { codelistsDir: loadConfig().codelistsDir, log: createLogger('silent') });
  server = await startApi(db, 0, createLogger('silent'), '127.0.0.1', {
    settings: { maxUploadBytes: 4096 },
    brokerReachable: () => probeCluster(testBrokers(), 5000),
    topics: { invoices: 't', purchaseOrders: 't-purchase-orders' },
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Caller = 'none' | 'expired' | 'revoked' | 'body' | 'otherBody' | 'procurement' | 'finance' | 'admin';
const CALLERS: Caller[] = [
  'none',
  'expired',
  'revoked',
  'body',
  'otherBody',
  'procurement',
  'finance',
  'admin',
];

function uploadForm(): FormData {
  const form = new FormData();
  form.append('bodyId', 'body-a');
  form.append('file', new Blob(['Supplier Name,Payment Date,Amount\n']), 'x.csv');
  return form;
}

async function call(
  caller: Caller,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const auth: Record<string, string> = caller === 'none' ? {} : { authorization: `Bearer ${keys[caller]}` };
  return fetch(`${base}${path}`, {
    method,
    headers: {
      ...auth,
      ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined
      ? { body: typeof body === 'string' || body instanceof FormData ? body : JSON.stringify(body) }
      : {}),
  });
}

/**
 * Written by hand from the access model in docs/api.md, not read from the routes: which
 * callers may use each route. `body` is body-a's key; `otherBody` (body-b) is asked about
 * body-a's things where a route names a body, so it is denied where a body key is limited to
 * its own. State-changing calls carry an invalid body, so an allowed call answers 400, not a change.
 */
const ANY_KEY: Caller[] = ['body', 'otherBody', 'procurement', 'finance', 'admin'];
const STAFF: Caller[] = ['procurement', 'finance', 'admin'];
const EVERYONE: Caller[] = [...CALLERS];
const MATRIX: { method: string; route: string; path: string; allowed: Caller[]; body?: unknown }[] = [
  { method: 'GET', route: '/healthz', path: '/healthz', allowed: EVERYONE },
  { method: 'GET', route: '/readyz', path: '/readyz', allowed: EVERYONE },
  { method: 'GET', route: '/api/v1/openapi.json', path: '/api/v1/openapi.json', allowed: EVERYONE },
  { method: 'GET', route: '/metrics', path: '/metrics', allowed: EVERYONE },
  { method: 'GET', route: '/api/v1/stats', path: '/api/v1/stats', allowed: STAFF },
  { method: 'GET', route: '/api/stats', path: '/api/stats', allowed: STAFF },
  { method: 'GET', route: '/api/v1/bodies', path: '/api/v1/bodies', allowed: ANY_KEY },
  { method: 'GET', route: '/api/v1/bodies/{bodyId}', path: '/api/v1/bodies/body-a', allowed: ANY_KEY },
  {
    method: 'PUT',
    route: '/api/v1/bodies/{bodyId}',
    path: '/api/v1/bodies/body-z',
    allowed: ['admin'],
    body: { nope: 1 },
  },
  { method: 'GET', route: '/api/v1/membership', path: '/api/v1/membership', allowed: ANY_KEY },
  { method: 'GET', route: '/api/v1/membership/events', path: '/api/v1/membership/events', allowed: ANY_KEY },
  {
    method: 'POST',
    route: '/api/v1/membership/{bodyId}/changes',
    path: '/api/v1/membership/body-a/changes',
    allowed: ['admin'],
    body: { nope: 1 },
  },
  {
    method: 'GET',
    route: '/api/v1/packs/due-diligence',
    path: '/api/v1/packs/due-diligence?from=2024-01-01&to=2023-01-01',
    allowed: STAFF,
  },
  {
    method: 'GET',
    route: '/api/v1/packs/case-for-joining/{bodyId}',
    path: '/api/v1/packs/case-for-joining/body-a',
    allowed: ['body', ...STAFF],
  },
  {
    method: 'GET',
    route: '/api/v1/bodies/{bodyId}/mappings',
    path: '/api/v1/bodies/body-a/mappings',
    allowed: ['body', 'procurement', 'admin'],
  },
  {
    method: 'PUT',
    route: '/api/v1/bodies/{bodyId}/mappings/{fingerprint}',
    path: '/api/v1/bodies/body-a/mappings/abc',
    allowed: ['body', 'admin'],
    body: { header: [] },
  },
  {
    method: 'POST',
    route: '/api/v1/uploads',
    path: '/api/v1/uploads?bodyId=body-a&filename=x.csv',
    allowed: ['body', 'admin'],
  },
  {
    // the body is named in the form: body-b's key is refused body-a's; allowed callers get 503
    // (this server has no Kafka producer) after the form is read
    method: 'POST',
    route: '/api/v1/uploads/multipart',
    path: '/api/v1/uploads/multipart',
    allowed: ['body', 'admin'],
    body: uploadForm(),
  },
  {
    method: 'GET',
    route: '/api/v1/uploads',
    path: '/api/v1/uploads?bodyId=body-a',
    allowed: ['body', ...STAFF],
  },
  { method: 'GET', route: '/api/v1/uploads/{uploadId}', path: '/api/v1/uploads/up-none', allowed: ANY_KEY },
  {
    method: 'GET',
    route: '/api/v1/uploads/{uploadId}/status',
    path: '/api/v1/uploads/up-none/status',
    allowed: ANY_KEY,
  },
  {
    method: 'GET',
    route: '/api/v1/uploads/{uploadId}/events',
    path: '/api/v1/uploads/up-none/events',
    allowed: ANY_KEY,
  },
  {
    method: 'GET',
    route: '/api/v1/uploads/{uploadId}/rejections',
    path: '/api/v1/uploads/up-none/rejections',
    allowed: ANY_KEY,
  },
  { method: 'GET', route: '/api/v1/cube', path: '/api/v1/cube', allowed: ANY_KEY },
  { method: 'GET', route: '/api/v1/marts', path: '/api/v1/marts', allowed: ANY_KEY },
  { method: 'GET', route: '/api/v1/marts/{mart}', path: '/api/v1/marts/fct_spend_cube', allowed: ANY_KEY },
  {
    method: 'GET',
    route: '/api/v1/prices/{itemCode}/bodies',
    path: '/api/v1/prices/A4-PAPER/bodies?unit=box',
    allowed: STAFF,
  },
  {
    method: 'GET',
    route: '/api/v1/prices/{itemCode}/lines',
    path: '/api/v1/prices/A4-PAPER/lines?unit=box',
    allowed: STAFF,
  },
  {
    method: 'GET',
    route: '/api/v1/marts/{mart}',
    path: '/api/v1/marts/fct_price_dispersion',
    allowed: ANY_KEY,
  },
  {
    method: 'GET',
    route: '/api/v1/marts/{mart}',
    path: '/api/v1/marts/fct_fragmented_categories',
    allowed: STAFF,
  },
  {
    method: 'GET',
    route: '/api/v1/marts/{mart}',
    path: '/api/v1/marts/dim_supplier_entities',
    allowed: STAFF,
  },
  { method: 'GET', route: '/api/v1/suppliers', path: '/api/v1/suppliers', allowed: STAFF },
  { method: 'GET', route: '/api/v1/suppliers/aliases', path: '/api/v1/suppliers/aliases', allowed: STAFF },
  {
    method: 'GET',
    route: '/api/v1/suppliers/why',
    path: '/api/v1/suppliers/why?a=No%20such%20firm&b=Acme',
    allowed: STAFF,
  },
  { method: 'GET', route: '/api/v1/suppliers/{entityId}', path: '/api/v1/suppliers/e-none', allowed: STAFF },
  {
    method: 'POST',
    route: '/api/v1/suppliers/decisions',
    path: '/api/v1/suppliers/decisions',
    allowed: ['procurement', 'admin'],
    body: { action: 'confirm' },
  },
  { method: 'GET', route: '/api/v1/items/matches', path: '/api/v1/items/matches', allowed: STAFF },
  {
    method: 'POST',
    route: '/api/v1/items/matches/{matchId}',
    path: '/api/v1/items/matches/0123456789abcdef0123456789abcdef',
    allowed: ['procurement', 'admin'],
    body: { decision: 'maybe' },
  },
  { method: 'GET', route: '/api/v1/contracts', path: '/api/v1/contracts', allowed: STAFF },
  {
    method: 'POST',
    route: '/api/v1/contracts',
    path: '/api/v1/contracts',
    allowed: ['admin'],
    body: { files: [] },
  },
  { method: 'GET', route: '/api/v1/transforms/runs', path: '/api/v1/transforms/runs', allowed: STAFF },
  {
    method: 'POST',
    route: '/api/v1/transforms/runs',
    path: '/api/v1/transforms/runs',
    allowed: ['admin'],
    body: { full: 'yes' },
  },
  { method: 'GET', route: '/api/v1/ingest/status', path: '/api/v1/ingest/status', allowed: STAFF },
  { method: 'GET', route: '/api/v1/ingest/lag', path: '/api/v1/ingest/lag', allowed: STAFF },
  {
    method: 'GET',
    route: '/api/v1/ingest/dead-letters',
    path: '/api/v1/ingest/dead-letters',
    allowed: STAFF,
  },
  {
    method: 'POST',
    route: '/api/v1/ingest/dead-letters/replay',
    path: '/api/v1/ingest/dead-letters/replay',
    allowed: ['admin'],
    body: { nope: 1 },
  },
  // no request body: an allowed caller is told to send the file (400)
  { method: 'POST', route: '/api/v1/agreements', path: '/api/v1/agreements', allowed: ['admin'] },
  {
    method: 'POST',
    route: '/api/v1/savings/loads/{kind}',
    path: '/api/v1/savings/loads/register',
    allowed: ['finance', 'admin'],
  },
  {
    method: 'GET',
    route: '/api/v1/savings/loads',
    path: '/api/v1/savings/loads',
    allowed: ['finance', 'admin'],
  },
  { method: 'GET', route: '/api/v1/savings/statement', path: '/api/v1/savings/statement', allowed: STAFF },
  {
    method: 'GET',
    route: '/api/v1/savings/explain',
    path: '/api/v1/savings/explain',
    allowed: ['finance', 'admin'],
  },
  {
    method: 'GET',
    route: '/api/v1/savings/signoffs',
    path: '/api/v1/savings/signoffs',
    allowed: ['finance', 'admin'],
  },
  {
    method: 'GET',
    route: '/api/v1/savings/baselines',
    path: '/api/v1/savings/baselines?history=true',
    allowed: ['finance', 'admin'],
  },
  {
    method: 'POST',
    route: '/api/v1/savings/signoffs',
    path: '/api/v1/savings/signoffs',
    allowed: ['finance'],
    body: { year: 'last' },
  },
  {
    method: 'GET',
    route: '/api/v1/partnership/service-levels',
    path: '/api/v1/partnership/service-levels?body=body-a',
    allowed: ['body', 'procurement', 'finance', 'admin'],
  },
  {
    method: 'GET',
    route: '/api/v1/partnership/service-levels/breaches',
    path: '/api/v1/partnership/service-levels/breaches?body=body-a',
    allowed: ['body', 'procurement', 'finance', 'admin'],
  },
  {
    method: 'GET',
    route: '/api/v1/partnership/commitments',
    path: '/api/v1/partnership/commitments',
    allowed: STAFF,
  },
  {
    method: 'GET',
    route: '/api/v1/partnership/report',
    path: '/api/v1/partnership/report?quarter=2025Q3',
    allowed: STAFF,
  },
  { method: 'GET', route: '/api/v1/keys', path: '/api/v1/keys', allowed: ['admin'] },
  { method: 'POST', route: '/api/v1/keys', path: '/api/v1/keys', allowed: ['admin'], body: { role: 'root' } },
  {
    method: 'DELETE',
    route: '/api/v1/keys/{keyId}',
    path: '/api/v1/keys/ffffffffffffffff',
    allowed: ['admin'],
  },
  { method: 'GET', route: '/api/v1/audit', path: '/api/v1/audit', allowed: ['admin'] },
  { method: 'POST', route: '/api/v1/session', path: '/api/v1/session', allowed: EVERYONE, body: {} },
  { method: 'GET', route: '/api/v1/session', path: '/api/v1/session', allowed: ANY_KEY },
  { method: 'DELETE', route: '/api/v1/session', path: '/api/v1/session', allowed: EVERYONE },
];

describe('authorisation matrix', () => {
  it('covers every route of the OpenAPI document', async () => {
    const document = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const tested = new Set(MATRIX.map((m) => `${m.method} ${m.route}`));
    expect(documented.filter((route) => !tested.has(route))).toEqual([]);
    expect([...tested].filter((route) => !documented.includes(route))).toEqual([]);
  });

  for (const entry of MATRIX) {
    it(`${entry.method} ${entry.path}`, async () => {
      const cells: string[] = [];
      for (const caller of CALLERS) {
        const response = await call(caller, entry.method, entry.path, entry.body);
        await response.arrayBuffer();
        const denied = response.status === 401 || response.status === 403;
        const expectedDenied = !entry.allowed.includes(caller);
        cells.push(`${caller}:${denied ? 'denied' : 'allowed'}(${response.status})`);
        if (denied !== expectedDenied) {
          throw new Error(
            `${caller} ${entry.method} ${entry.path}: ${response.status}; cells so far ${cells.join(' ')}`,
          );
        }
        if (caller === 'none' && denied) expect(response.status).toBe(401);
        if ((caller === 'expired' || caller === 'revoked') && denied) expect(response.status).toBe(401);
        if (denied) expect(response.headers.get('content-type')).toContain('application/problem+json');
      }
    });
  }

  it("refuses a body key another body's uploads", async () => {
    const response = await call('otherBody', 'GET', '/api/v1/uploads?bodyId=body-a');
    expect(response.status).toBe(403);
  });
});

describe('what a body key sees', () => {
  const otherNames = BODIES.filter((b) => b !== 'body-a').flatMap((b) => [b, nameOf(b)]);

  it('its own rows of the spend cube and marts, never another body', async () => {
    for (const path of [
      '/api/v1/cube?groupBy=body,entity',
      '/api/v1/marts/fct_spend_cube',
      '/api/v1/marts/fct_shared_suppliers',
      '/api/v1/uploads',
      '/api/v1/marts/fct_data_freshness',
    ]) {
      const response = await call('body', 'GET', path);
      expect(response.status, path).toBe(200);
      const text = await response.text();
      for (const name of otherNames) expect(text, `${path} names ${name}`).not.toContain(name);
    }
    const cube = (await (await call('body', 'GET', '/api/v1/cube?groupBy=body')).json()) as {
      rows: { body_id: string; net_total: string }[];
    };
    // body-a: 10 boxes at 10.00 and 2 toners at 50.00
    expect(cube.rows).toEqual([expect.objectContaining({ body_id: 'body-a', net_total: '200.00' })]);
  });

  it('price dispersion only where three other bodies contribute, without names', async () => {
    const response = await call('body', 'GET', '/api/v1/marts/fct_price_dispersion');
    const body = (await response.json()) as { columns: { name: string }[]; rows: Record<string, unknown>[] };
    expect(body.columns.map((c) => c.name)).not.toContain('cheapest_body_id');
    expect(body.columns.map((c) => c.name)).not.toContain('dearest_body_id');
    // A4 paper: five bodies; toner: three, so hidden from a body
    expect(body.rows.map((r) => r.item_code)).toEqual(['A4-PAPER']);
    expect(body.rows[0]).toMatchObject({
      bodies: '5',
      min_unit_price: expect.stringMatching(/^10\.0+$/),
      max_unit_price: expect.stringMatching(/^14\.0+$/),
    });
    for (const name of otherNames) expect(JSON.stringify(body)).not.toContain(name);
    // procurement sees both items, with names
    const staff = (await (await call('procurement', 'GET', '/api/v1/marts/fct_price_dispersion')).json()) as {
      rows: Record<string, unknown>[];
    };
    expect(staff.rows.map((r) => r.item_code).sort()).toEqual(['A4-PAPER', 'TONER-9']);
    expect(staff.rows.find((r) => r.item_code === 'A4-PAPER')?.dearest_body_id).toBe('body-e');
  });
});

describe("an item's prices (the buying power page's drill-down)", () => {
  it("each body's usual price against the best and the median, and what the best price saves", async () => {
    const response = await call('procurement', 'GET', '/api/v1/prices/A4-PAPER/bodies?unit=box');
    expect(response.status).toBe(200);
    const { rows } = (await response.json()) as { rows: Record<string, string>[] };
    // bodies a…e pay 10…14 a box for 10 boxes: best 10, median 12; body-e saves 140 − 10 × 10
    expect(rows.map((r) => r.body_id)).toEqual(BODIES);
    for (const row of rows) {
      expect(row.best_unit_price).toMatch(/^10\.0+$/);
      expect(row.median_unit_price).toMatch(/^12\.0+$/);
    }
    expect(rows.map((r) => Number(r.unit_price))).toEqual([10, 11, 12, 13, 14]);
    expect(rows.map((r) => r.saving_at_best_price)).toEqual(['0.00', '10.00', '20.00', '30.00', '40.00']);
  });

  it('the invoice lines behind it, every body, in JSON and CSV', async () => {
    const { rows } = (await (
      await call('finance', 'GET', '/api/v1/prices/A4-PAPER/lines?unit=box')
    ).json()) as {
      rows: Record<string, string>[];
    };
    expect(rows.map((r) => `${r.body_id}:${r.invoice_id}:${r.line_no}`).sort()).toEqual(
      BODIES.map((b) => `${b}:INV-${b}:1`),
    );
    expect(rows.find((r) => r.body_id === 'body-c')).toMatchObject({
      net_amount: '120.00',
      quantity: expect.stringMatching(/^10\.0+$/),
    });
    const csv = await (
      await call('finance', 'GET', '/api/v1/prices/TONER-9/lines?unit=each&format=csv')
    ).text();
    expect(csv.trim().split('\r\n')).toHaveLength(4); // a header and the three bodies that buy toner
  });
});

describe('formats', () => {
  it('answers a mart as CSV and as Arrow with the same money', async () => {
    const csv = await (await call('procurement', 'GET', '/api/v1/cube?groupBy=body&format=csv')).text();
    expect(csv.split('\r\n')[0]).toBe('body_id,net_total,lines,documents');
    // body-c: 10 boxes at 12.00 and 2 toners at 52.00, two lines of one invoice
    expect(csv).toContain('body-c,224.00,2,1');
    const arrow = await call('procurement', 'GET', '/api/v1/cube?groupBy=body', undefined, {
      accept: 'application/vnd.apache.arrow.stream',
    });
    expect(arrow.headers.get('content-type')).toContain('application/vnd.apache.arrow.stream');
    const { tableFromIPC } = await import('apache-arrow');
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.numRows).toBe(5);
    expect(String(table.schema.fields.find((f) => f.name === 'net_total')?.type)).toMatch(/^Decimal/);
  });

  it('pages with a cursor, every row once', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = (await (
        await call(
          'procurement',
          'GET',
          `/api/v1/cube?groupBy=body&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        )
      ).json()) as { rows: { body_id: string }[]; nextCursor: string | null };
      seen.push(...page.rows.map((r) => r.body_id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(BODIES);
  });
});

describe('refused input, as problem+json', () => {
  const refused = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { status: number; title: string; requestId: string };
    expect(problem.status).toBe(status);
    expect(problem.requestId).toBeTruthy();
    return problem;
  };

  it('SQL in a filter column, unknown columns, marts and fields', async () => {
    await refused(
      await call(
        'procurement',
        'GET',
        `/api/v1/marts/fct_spend_cube?where=${encodeURIComponent('body_id;drop table bodies--=1')}`,
      ),
      400,
    );
    await refused(
      await call('procurement', 'GET', '/api/v1/marts/fct_spend_cube?where=secret_column%3D1'),
      400,
    );
    await refused(await call('procurement', 'GET', '/api/v1/marts/api_keys'), 400);
    await refused(await call('procurement', 'GET', '/api/v1/cube?groupBy=month,secret_hash'), 400);
    await refused(await call('procurement', 'GET', '/api/v1/cube?orderBy=1'), 400);
    await refused(
      await call('admin', 'POST', '/api/v1/keys', { name: 'x', role: 'admin', extra: true }),
      400,
    );
    // a hidden column cannot be filtered on by a body key either
    await refused(
      await call('body', 'GET', '/api/v1/marts/fct_price_dispersion?where=cheapest_body_id%3Dbody-b'),
      400,
    );
  });

  it('SQL in a filter value is only ever a value', async () => {
    const response = await call(
      'procurement',
      'GET',
      `/api/v1/marts/fct_spend_cube?where=${encodeURIComponent("body_id=x' or '1'='1")}`,
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([]);
    const bodies = await db.withConnection((conn) =>
      queryRows(conn, 'select count(*)::integer as n from bodies'),
    );
    expect(bodies).toEqual([{ n: BODIES.length }]);
  });

  it('path traversal in file names, oversized bodies and uploads', async () => {
    for (const name of ['../../etc/passwd', '..\\x.csv', '.hidden.csv', 'a/b.csv']) {
      await refused(
        await call('body', 'POST', `/api/v1/uploads?filename=${encodeURIComponent(name)}`, 'x'),
        400,
      );
    }
    await refused(
      await call('admin', 'POST', '/api/v1/keys', { name: 'x'.repeat(2_000_000), role: 'admin' }),
      413,
    );
    await refused(
      await call('body', 'POST', '/api/v1/uploads?filename=big.csv', 'a,b\n'.repeat(2000), {
        'content-type': 'text/csv',
      }),
      413,
    );
  });
});

describe('sessions, keys and the audit log', () => {
  it('logs in with a cookie, refuses changes without the CSRF token, audits with before and after', async () => {
    const login = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: keys.admin }),
    });
    expect(login.status).toBe(201);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const session = cookie.split(';')[0] as string;
    const whoami = await fetch(`${base}/api/v1/session`, { headers: { cookie: session } });
    expect(await whoami.json()).toMatchObject({ role: 'admin' });
    const create = (headers: Record<string, string>) =>
      fetch(`${base}/api/v1/keys`, {
        method: 'POST',
        headers: { cookie: session, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'finance two', role: 'finance', expiresInDays: 1 }),
      });
    expect((await create({})).status).toBe(403);
    const created = await create({ 'x-csrf-token': csrfToken });
    expect(created.status).toBe(201);
    const key = (await created.json()) as { keyId: string; key: string };
    expect(
      (await fetch(`${base}/api/v1/transforms/runs`, { headers: { authorization: `Bearer ${key.key}` } }))
        .status,
    ).toBe(200);
    const revoked = await call('admin', 'DELETE', `/api/v1/keys/${key.keyId}`);
    expect(revoked.status).toBe(200);
    expect(
      (await fetch(`${base}/api/v1/transforms/runs`, { headers: { authorization: `Bearer ${key.key}` } }))
        .status,
    ).toBe(401);

    const stored = await db.withConnection((conn) =>
      queryRows<{ secret_sha256: string }>(conn, 'select secret_sha256 from api_keys where key_id = $id', {
        id: key.keyId,
      }),
    );
    expect(stored[0]?.secret_sha256).not.toContain(key.key.split('_')[2]);

    // the audit row is written when the answer finishes: wait for it by reading until it shows
    let entries: {
      method: string;
      path: string;
      before: { revokedAt: string | null } | null;
      after: { revokedAt: string | null; key?: string };
    }[] = [];
    for (let attempt = 0; attempt < 50 && entries.length < 2; attempt++) {
      entries = (
        (await (await call('admin', 'GET', '/api/v1/audit')).json()) as { entries: typeof entries }
      ).entries.filter(
        (e) => e.path.includes(key.keyId) || (e.method === 'POST' && e.path === '/api/v1/keys'),
      );
      if (entries.length < 2) await new Promise((resolve) => setImmediate(resolve));
    }
    const revocation = entries.find((e) => e.method === 'DELETE');
    expect(revocation?.before?.revokedAt).toBeNull();
    expect(revocation?.after.revokedAt).toBeTruthy();
    const creation = entries.find((e) => e.method === 'POST');
    expect(creation?.after.key).toBe('(shown once)');
    expect(JSON.stringify(entries)).not.toContain(key.key);
  });
});

/** A one-body agreement (the pattern of tests/savings.test.ts): services transferred guaranteed 100.00 in 2024. */
const AGREEMENT = `agreement: api-partnership
partner: Acme Shared Services Ltd
start: 2024-04-01
term_years: 1
contract_year_start_month: 4
rules:
  indexation: false
  cost_avoidance_counts: true
  net_price_increases: false
  split: pro-rata-months
  partner_pays_shortfall: true
  partner_share_above_guarantee_pct: 50
bodies:
  - id: body-a
    joined: 2024-04-01
    services: [procurement, payroll]
guarantees:
  - year: 2024
    services_transferred: { guaranteed: "100.00", indexation: false }
`;
const CHARGES = [
  { month: '2024-05', baseline: '1000.00', charge: '900.00' },
  { month: '2024-06', baseline: '250.00', charge: '240.00' },
];

describe('savings over HTTP', () => {
  it('loads an agreement and a register, and reads the statement in JSON and CSV', async () => {
    const agreement = await call('admin', 'POST', '/api/v1/agreements?filename=agreement.yaml', AGREEMENT, {
      'content-type': 'application/yaml',
    });
    expect(agreement.status, await agreement.clone().text()).toBe(201);
    expect(await agreement.json()).toMatchObject({ status: 'loaded', version: 1, errors: [] });
    const csv = [
      'body_id,service,month,baseline_cost,charge',
      ...CHARGES.map((c) => `body-a,payroll,${c.month},${c.baseline},${c.charge}`),
    ].join('\n');
    const register = await call('finance', 'POST', '/api/v1/savings/loads/service-charges', csv, {
      'content-type': 'text/csv',
    });
    expect(register.status, await register.clone().text()).toBe(201);
    expect(await register.json()).toMatchObject({ status: 'loaded', rows: 2, errors: [] });
    // who loaded is the key's name, not a field of the request
    const loads = (await (await call('finance', 'GET', '/api/v1/savings/loads')).json()) as {
      loads: { kind: string; loaded_by: string }[];
    };
    expect(loads.loads.map((l) => [l.kind, l.loaded_by]).sort()).toEqual([
      ['agreement', 'admin'],
      ['service-charges', 'finance'],
    ]);
    const run = await call('admin', 'POST', '/api/v1/transforms/runs', {});
    expect(run.status).toBe(201);
    // the baselines the run found (from other tests' invoices) are each on record: a current
    // version, and a change naming the run that computed it
    const baselines = await call('finance', 'GET', '/api/v1/savings/baselines?body=body-a');
    expect(baselines.status, await baselines.clone().text()).toBe(200);
    const current = (await baselines.json()) as { baselines: { body_id: string; version: number }[] };
    const history = (await (await call('admin', 'GET', '/api/v1/savings/baselines?history=true')).json()) as {
      changes: { body_id: string; to_version: number; changed_by: string }[];
    };
    for (const baseline of current.baselines)
      expect(baseline).toMatchObject({ body_id: 'body-a', version: 1 });
    expect(history.changes.filter((c) => c.body_id === 'body-a')).toHaveLength(current.baselines.length);
    for (const change of history.changes) expect(change.changed_by).toMatch(/^transforms run \d+$/);

    // by hand: saving = baseline − charge per month, in pence
    const pence = (text: string) => Number(text.replace('.', ''));
    const realisedPence = CHARGES.reduce((sum, c) => sum + pence(c.baseline) - pence(c.charge), 0);
    const realised = `${Math.trunc(realisedPence / 100)}.${String(realisedPence % 100).padStart(2, '0')}`;
    expect(realised).toBe('110.00');

    const response = await call('finance', 'GET', '/api/v1/savings/statement?year=2024&asOf=2025-04-01');
    expect(response.status, await response.clone().text()).toBe(200);
    const statement = (await response.json()) as {
      rows: Record<string, string>[];
      totals: Record<string, string>;
    };
    const row = statement.rows.find((r) => r.stream === 'services_transferred' && r.body_id === 'body-a');
    expect(row).toMatchObject({ guaranteed: '100.00', realised });
    expect(statement.totals.realised).toBe(realised);

    const asCsv = await call('procurement', 'GET', '/api/v1/savings/statement?year=2024&format=csv');
    expect(asCsv.status).toBe(200);
    expect(asCsv.headers.get('content-type')).toContain('text/csv');
    const lines = (await asCsv.text()).trim().split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    const csvRow = lines
      .map((l) => l.split(','))
      .find((cells) => cells[header.indexOf('stream')] === 'services_transferred');
    expect(csvRow?.[header.indexOf('realised')]).toBe(realised);
    expect(lines.at(-1)?.split(',')[header.indexOf('stream')]).toBe('total');

    // finance signs off under its key's name; the frozen total is the realised figure
    const signoff = await call('finance', 'POST', '/api/v1/savings/signoffs', {
      year: 2024,
      comment: 'charges checked against the ledger',
    });
    expect(signoff.status, await signoff.clone().text()).toBe(201);
    const signoffs = (await (await call('admin', 'GET', '/api/v1/savings/signoffs')).json()) as {
      signoffs: { signed_by: string; total: string; contract_year: number }[];
    };
    expect(signoffs.signoffs).toEqual([
      expect.objectContaining({ contract_year: 2024, signed_by: 'finance', total: realised }),
    ]);
    expect(
      (await call('admin', 'POST', '/api/v1/savings/signoffs', { year: 2024, comment: 'x' })).status,
    ).toBe(403);

    // a body key never reads the statement; procurement cannot load
    expect((await call('body', 'GET', '/api/v1/savings/statement?year=2024')).status).toBe(403);
    expect(
      (await call('procurement', 'POST', '/api/v1/savings/loads/sales', 'x', { 'content-type': 'text/csv' }))
        .status,
    ).toBe(403);
    const audit = (await (await call('admin', 'GET', '/api/v1/audit')).json()) as {
      entries?: { target: string }[];
    };
    expect(JSON.stringify(audit)).toContain('savings:service-charges');
  });
});

describe('dead letters over HTTP', () => {
  it('lists a rejected message by body and reason, and an admin replays it once the body is registered', async () => {
    const late = 'body-late';
    await db.withConnection((conn) =>
      writeBatch(conn, invoicesHandler, 't', 1, [
        asMessage(`${late}:INV-L1`, invoice({ bodyId: late, invoiceId: 'INV-L1' }), 0),
      ]),
    );
    const list = async (query: string) =>
      (await (await call('finance', 'GET', `/api/v1/ingest/dead-letters${query}`)).json()) as {
        total: number;
        deadLetters: { bodyId: string | null; reasonCode: string; offset: string }[];
      };
    const outstanding = await list(`?bodyId=${late}&reason=unregistered-body`);
    expect(outstanding.total).toBe(1);
    expect(outstanding.deadLetters[0]).toMatchObject({ reasonCode: 'unregistered-body', offset: '0' });
    expect((await list('?reason=malformed-json')).total).toBe(0);

    expect(
      (await call('finance', 'POST', '/api/v1/ingest/dead-letters/replay', { bodyId: late })).status,
    ).toBe(403);
    const register = await call('admin', 'PUT', `/api/v1/bodies/${late}`, {
      name: 'Late Council',
      joinedOn: '2024-01-01',
    });
    expect(register.status, await register.clone().text()).toBe(200);
    const replay = await call('admin', 'POST', '/api/v1/ingest/dead-letters/replay', { bodyId: late });
    expect(replay.status, await replay.clone().text()).toBe(200);
    expect((await list(`?bodyId=${late}`)).total).toBe(0);
    const [stored] = await db.withConnection((conn) =>
      queryRows<{ n: number }>(conn, `select count(*)::integer as n from invoices where body_id = $late`, {
        late,
      }),
    );
    expect(stored?.n).toBe(1);
    // replaying again adds nothing
    expect((await call('admin', 'POST', '/api/v1/ingest/dead-letters/replay', { bodyId: late })).status).toBe(
      200,
    );
    const [again] = await db.withConnection((conn) =>
      queryRows<{ n: number }>(conn, `select count(*)::integer as n from invoices where body_id = $late`, {
        late,
      }),
    );
    expect(again?.n).toBe(1);
  });
});

describe('consumer lag over HTTP', () => {
  it('answers per partition what Kafka holds against what DuckDB stored', async () => {
    const [invoices, purchaseOrders] = await createTestTopics([
      { topic: uniqueName('lag-invoices'), numPartitions: 2 },
      { topic: uniqueName('lag-orders'), numPartitions: 1 },
    ]);
    const kafka = testKafka();
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      await producer.send({
        topic: invoices as string,
        messages: [
          { partition: 0, value: 'a' },
          { partition: 0, value: 'b' },
          { partition: 0, value: 'c' },
          { partition: 1, value: 'd' },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    // DuckDB holds the first message of partition 0
    await db.withConnection((conn) =>
      conn.run(`insert into consumer_offsets (topic, kafka_partition, next_offset) values ($topic, 0, 1)`, {
        topic: invoices as string,
      }),
    );
    const config = {
      ...loadConfig(),
      kafkaBrokers: testBrokers(),
      topics: {
        ...loadConfig().topics,
        invoices: invoices as string,
        purchaseOrders: purchaseOrders as string,
      },
    };
    const lagServer = await startApi(db, 0, createLogger('silent'), '127.0.0.1', {
      consumerLag: consumerLagFor(config, db),
    });
    try {
      const url = `http://127.0.0.1:${(lagServer.address() as AddressInfo).port}/api/v1/ingest/lag`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${keys.finance}` } });
      expect(response.status, await response.clone().text()).toBe(200);
      const lag = (await response.json()) as { behind: string; partitions: Record<string, unknown>[] };
      expect(lag.partitions).toEqual(
        expect.arrayContaining([
          { topic: invoices, partition: 0, stored: '1', high: '3', behind: '2' },
          { topic: invoices, partition: 1, stored: '0', high: '1', behind: '1' },
          { topic: purchaseOrders, partition: 0, stored: '0', high: '0', behind: '0' },
        ]),
      );
      expect(lag.partitions).toHaveLength(3);
      expect(lag.behind).toBe('3');
    } finally {
      await new Promise((resolve) => lagServer.close(resolve));
    }
  });
});

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1 and has every mounted route', async () => {
    const document = await (await fetch(`${base}/api/v1/openapi.json`)).json();
    expect((document as { openapi: string }).openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(document) as never);
    const docs = await fetch(`${base}/api/v1/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui-bundle.js');
    expect((await fetch(`${base}/api/v1/docs/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('health and readiness', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
      status: 'ready',
      database: true,
      broker: true,
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('spend_http_request_duration_seconds');
  });
});

describe('limits', () => {
  it('answers 429 problem+json once a key has used its requests for the minute, other keys unaffected', async () => {
    const limited = await startApi(db, 0, createLogger('silent'), '127.0.0.1', {
      settings: { rateLimitPerMinute: 3 },
    });
    const at = `http://127.0.0.1:${(limited.address() as AddressInfo).port}`;
    try {
      const get = (key: string) =>
        fetch(`${at}/api/v1/bodies`, { headers: { authorization: `Bearer ${key}` } });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(keys.procurement as string)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await get(keys.procurement as string);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect((await get(keys.finance as string)).status).toBe(200);
    } finally {
      await new Promise((resolve) => limited.close(resolve));
    }
  });
});

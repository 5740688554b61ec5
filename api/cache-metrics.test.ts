/**
 * Answers cached per transform run (api/cache.ts) and the pipeline's Prometheus metrics
 * (api/metrics.ts), over a listening server on a real DuckDB file and real Kafka topics. The
 * expected figures are the invoices' own amounts, added up by hand below.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerLagFor } from '../cli/serve.ts';
import { writeBatch } from '../ingest/batch-writer.ts';
import type { IngestProgress } from '../ingest/consumer.ts';
import { createProducer } from '../ingest/kafka/client.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { invoicesHandler } from '../ingest/topics/invoices/handler.ts';
import { addBody } from '../lib/bodies.ts';
import { loadConfig } from '../lib/config.ts';
import { Database } from '../lib/db.ts';
import { createKey } from '../lib/keys.ts';
import { createLogger } from '../lib/log.ts';
import { announceRunEnded, announceRunStarted } from '../lib/transform-events.ts';
import { testBrokers, testKafka, uniqueName, useTestTopics } from '../tests/helpers/kafka.ts';
import { asMessage, invoice } from '../tests/helpers/messages.ts';
import { runTransforms } from '../transforms/runner.ts';
import { startApi } from './app.ts';

let dir: string;
let db: Database;
let server: Server;
let base: string;
// Kafka topics for the consumer lag: created before, deleted after this file's tests
const [invoicesTopic, ordersTopic] = useTestTopics([
  { topic: uniqueName('cache-invoices'), numPartitions: 1 },
  { topic: uniqueName('cache-orders'), numPartitions: 1 },
]) as [string, string];
const keys: Record<string, string> = {};
const codelistsDir = loadConfig().codelistsDir;
const silent = createLogger('silent');
/** What the ingest service would report: the metrics must follow it. */
const progress: IngestProgress = {
  batches: 4,
  messages: 31,
  accepted: 20,
  retracted: 2,
  rejected: 3,
  lines: 45,
  alreadyIngested: 6,
};

/** One invoice with one line: net and line amounts equal, as the contract requires. */
const invoiceOf = (bodyId: string, invoiceId: string, net: string) =>
  invoice({
    bodyId,
    invoiceId,
    netAmount: net,
    vatAmount: '0.00',
    lines: [{ lineNo: 1, description: 'Paper', netAmount: net }],
  });

async function ingestInvoices(offset: number, docs: ReturnType<typeof invoiceOf>[]): Promise<void> {
  await db.withConnection((conn) =>
    writeBatch(
      conn,
      invoicesHandler,
      't',
      0,
      docs.map((doc, i) => asMessage(`${doc.bodyId}:${doc.invoiceId}`, doc, offset + i)),
    ),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spend-api-cache-'));
  db = await Database.open({ path: join(dir, 'spend.duckdb'), migrationsDir: MIGRATIONS_DIR });
  await db.withConnection(async (conn) => {
    for (const bodyId of ['body-a', 'body-b'])
      await addBody(conn, { bodyId, name: `Council ${bodyId}`, joinedOn: '2023-04-01' });
    keys.procurement = (await createKey(conn, { name: 'p', role: 'procurement' })).key;
    keys.body = (await createKey(conn, { name: 'a', role: 'body', bodyId: 'body-a' })).key;
  });
  await ingestInvoices(0, [invoiceOf('body-a', 'A-1', '150.50'), invoiceOf('body-b', 'B-1', '40.25')]);
  // two dead letters (on a partition of their own): invoices of a body that is not registered
  await db.withConnection((conn) =>
    writeBatch(
      conn,
      invoicesHandler,
      't',
      1,
      [invoiceOf('body-z', 'Z-1', '1.00'), invoiceOf('body-z', 'Z-2', '2.00')].map((doc, i) =>
        asMessage(`${doc.bodyId}:${doc.invoiceId}`, doc, i),
      ),
    ),
  );
  await runTransforms(db, { codelistsDir, log: silent });

  // Kafka holds 3 invoices messages on partition 0; DuckDB has stored offset 1: 2 behind.
  const producer = createProducer(testKafka());
  await producer.connect();
  try {
    await producer.send({ topic: invoicesTopic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  } finally {
    await producer.disconnect();
  }
  await db.withConnection((conn) =>
    conn.run(`insert into consumer_offsets (topic, kafka_partition, next_offset) values ($topic, 0, 1)`, {
      topic: invoicesTopic,
    }),
  );
  const config = {
    ...loadConfig(),
    kafkaBrokers: testBrokers(),
    topics: { ...loadConfig().topics, invoices: invoicesTopic, purchaseOrders: ordersTopic },
  };
  server = await startApi(db, 0, silent, '127.0.0.1', {
    ingestStatus: async () => ({ running: true, ...progress }),
    consumerLag: consumerLagFor(config, db),
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (who: string, path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers: { authorization: `Bearer ${keys[who]}`, ...headers } });

/** A GET by node:http, which (unlike fetch) neither asks for nor unzips a compressed answer. */
function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(
      `${base}${path}`,
      { headers: { authorization: `Bearer ${keys.procurement}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    ).on('error', reject);
  });
}

type CubeAnswer = { rows: { body_id: string; net_total: string }[] };
const totals = async (response: Response) =>
  Object.fromEntries(((await response.json()) as CubeAnswer).rows.map((r) => [r.body_id, r.net_total]));

/** A sample's value from the Prometheus text format (undefined when absent). */
function sample(metrics: string, name: string, labels = ''): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('answers cached per transform run', () => {
  const cube = '/api/v1/cube?groupBy=body';

  it('answers again from the cache, and 304 to the ETag it gave', async () => {
    const first = await get('procurement', cube);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('miss');
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^W\/"/);
    expect(await totals(first)).toEqual({ 'body-a': '150.50', 'body-b': '40.25' });

    const second = await get('procurement', cube);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.headers.get('etag')).toBe(etag);
    expect(second.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await totals(second)).toEqual({ 'body-a': '150.50', 'body-b': '40.25' });

    const unchanged = await get('procurement', cube, { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');

    const fresh = await get('procurement', cube, { 'cache-control': 'no-cache' });
    expect(fresh.headers.get('x-cache')).toBe('bypass');
    expect(await totals(fresh)).toEqual({ 'body-a': '150.50', 'body-b': '40.25' });
  });

  it("keeps each caller's view apart: a body key never gets procurement's cached answer", async () => {
    const procurement = await get('procurement', cube);
    const body = await get('body', cube);
    expect(body.headers.get('etag')).not.toBe(procurement.headers.get('etag'));
    expect(await totals(body)).toEqual({ 'body-a': '150.50' });
    // nor the other way round: procurement's ETag is no good to the body key
    const guessed = await get('body', cube, { 'if-none-match': procurement.headers.get('etag') as string });
    expect(guessed.status).toBe(200);
  });

  it('a new transform run changes the answer and its ETag', async () => {
    const before = await get('procurement', cube);
    const etag = before.headers.get('etag') as string;
    await before.arrayBuffer();
    await ingestInvoices(2, [invoiceOf('body-a', 'A-2', '99.50')]);
    // ingested but not yet transformed: the marts, and so the answer, are as they were
    const notYet = await get('procurement', cube, { 'if-none-match': etag });
    expect(notYet.status).toBe(304);

    await runTransforms(db, { codelistsDir, log: silent });
    const after = await get('procurement', cube, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('x-cache')).toBe('miss');
    expect(after.headers.get('etag')).not.toBe(etag);
    // 150.50 + 99.50
    expect(await totals(after)).toEqual({ 'body-a': '250.00', 'body-b': '40.25' });
  });

  it('sends a kept answer gzipped to a client that accepts gzip, the same bytes once unzipped', async () => {
    // a mart page of a few rows × every column: over the 1 KiB below which answers go as they are
    const page = '/api/v1/marts/fct_spend_cube';
    const plain = await rawGet(page, { 'accept-encoding': 'identity' });
    expect(plain.body.length).toBeGreaterThan(1024);
    const zipped = await rawGet(page, { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.headers['x-cache']).toBe('hit');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    // without Accept-Encoding: as it is
    const none = await rawGet(page, {});
    expect(none.headers['x-cache']).toBe('hit');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.equals(plain.body)).toBe(true);
  });

  it('caches CSV apart from JSON, with its own headers', async () => {
    const csv = await get('procurement', `${cube}&format=csv`);
    await csv.text();
    const again = await get('procurement', `${cube}&format=csv`);
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(again.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(again.headers.get('content-disposition')).toContain('spend-cube.csv');
    expect(await again.text()).toContain('250.00');
  });
});

describe('/metrics', () => {
  it('reports ingest, consumer lag, dead letters, transform runs and the cache', async () => {
    const run = await runTransforms(db, { codelistsDir, log: silent });
    const metrics = await (await fetch(`${base}/metrics`)).text();

    expect(sample(metrics, 'spend_ingest_messages_total', '{outcome="accepted"}')).toBe(progress.accepted);
    expect(sample(metrics, 'spend_ingest_messages_total', '{outcome="rejected"}')).toBe(progress.rejected);
    expect(sample(metrics, 'spend_ingest_messages_total', '{outcome="redelivered"}')).toBe(
      progress.alreadyIngested,
    );
    expect(sample(metrics, 'spend_ingest_invoice_lines_total')).toBe(progress.lines);
    expect(sample(metrics, 'spend_dead_letters', '{reason="unregistered-body"}')).toBe(2);
    expect(sample(metrics, 'spend_dead_letters', '{reason="malformed-json"}')).toBeUndefined();
    expect(
      sample(metrics, 'spend_ingest_consumer_lag_messages', `{topic="${invoicesTopic}",partition="0"}`),
    ).toBe(2);

    // two runs finished while this server listened: one in the cache tests and the one above
    expect(sample(metrics, 'spend_transform_run_duration_seconds_count', '{outcome="success"}')).toBe(2);
    expect(sample(metrics, 'spend_transform_last_run_id')).toBe(run.runId);
    const cubeModel = run.models.find((m) => m.model === 'fct_spend_cube');
    expect(cubeModel?.status).toBe('success');
    expect(
      sample(
        metrics,
        'spend_transform_model_duration_seconds_count',
        `{model="fct_spend_cube",status="success",mode="${cubeModel?.mode}"}`,
      ),
    ).toBeGreaterThanOrEqual(1);

    // counted by hand over the tests above: 304s in the first and third, hits in the first,
    // second (twice: procurement's answer, then the body's own), third, fourth (twice: gzipped
    // and as it is) and fifth
    expect(sample(metrics, 'spend_api_cache_answers_total', '{outcome="not-modified"}')).toBe(2);
    expect(sample(metrics, 'spend_api_cache_answers_total', '{outcome="hit"}')).toBe(7);
  });
});

describe('answers made while a run rewrites the marts', () => {
  it('are neither kept nor given an ETag; what was kept before is still served', async () => {
    const path = '/api/v1/cube?groupBy=month';
    await (await get('procurement', path)).arrayBuffer();
    const kept = await get('procurement', path);
    expect(kept.headers.get('x-cache')).toBe('hit');
    await kept.arrayBuffer();
    const other = '/api/v1/cube?groupBy=body,month';
    // the runner's own announcement, as runOnConnection makes it
    announceRunStarted();
    try {
      const during = await get('procurement', path);
      expect(during.headers.get('x-cache')).toBe('hit');
      await during.arrayBuffer();
      for (let i = 0; i < 2; i++) {
        const fresh = await get('procurement', other);
        expect(fresh.status).toBe(200);
        expect(fresh.headers.get('x-cache')).toBe('miss');
        expect(fresh.headers.get('etag')).toBeNull();
        expect(fresh.headers.get('cache-control')).toBe('no-store');
        await fresh.arrayBuffer();
      }
    } finally {
      announceRunEnded();
    }
    // the run ended: the cache starts again
    const after = await get('procurement', path);
    expect(after.headers.get('x-cache')).toBe('miss');
    expect(after.headers.get('etag')).toMatch(/^W\//);
  });
});

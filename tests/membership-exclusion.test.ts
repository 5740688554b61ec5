/**
 * A prospective body's uploads and a leaver's spend after its last day never reach partnership
 * figures: every mart (the model list's marts layer, not a hand-picked few) is built on a generated
 * partnership, then the prospective body's invoices (copies of a member's: same suppliers, items,
 * prices and categories, the hardest case) and the leaver's post-leave invoices are ingested in a
 * new batch; every mart must stay exactly as it was (EXCEPT ALL both ways), incrementally and
 * rebuilt in full, and every API endpoint that answers with aggregates must answer the same
 * bytes. The leaver's history up to its last day still counts (checked against the raw tables).
 */
import type { AddressInfo } from 'node:net';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../api/app.ts';
import { MART_NAMES } from '../api/marts.ts';
import { generateBenchData, scaleFor } from '../bench/transforms-data.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { addBody } from '../lib/bodies.ts';
import { Database, queryRows } from '../lib/db.ts';
import { createKey } from '../lib/keys.ts';
import { createLogger } from '../lib/log.ts';
import { changeMembership } from '../lib/membership.ts';
import { loadModels } from '../transforms/models.ts';
import { runOnConnection } from '../transforms/runner.ts';

const PROSPECT = 'harbourside-prospect';
const COPIED = 'east-vale-dc';
const LEAVER = 'south-dale-bc';
const MARTS = loadModels().filter((m) => m.layer === 'marts');

let db: Database;
let conn: DuckDBConnection;
let leftOn: string;

const scalar = async (sql: string): Promise<string> =>
  String((await queryRows<{ v: string }>(conn, `select (${sql})::varchar as v`))[0]?.v);

const build = async (full = false) => {
  const summary = await runOnConnection(conn, { full, codelistsDir: null });
  expect(summary.models.filter((m) => m.status !== 'success').map((m) => `${m.model}: ${m.error}`)).toEqual(
    [],
  );
};

async function martDifferences(): Promise<string[]> {
  const differences: string[] = [];
  for (const mart of MARTS) {
    const [onlyNow, onlyBefore] = [
      await scalar(
        `select count(*) from (select * from main."${mart.name}" except all select * from "before__${mart.name}")`,
      ),
      await scalar(
        `select count(*) from (select * from "before__${mart.name}" except all select * from main."${mart.name}")`,
      ),
    ];
    if (onlyNow !== '0' || onlyBefore !== '0')
      differences.push(`${mart.name}: ${onlyNow} rows new, ${onlyBefore} rows gone`);
  }
  return differences;
}

/** The API's answers that carry aggregates, as text: every mart, the cube, contracts, suppliers, the due-diligence pack. */
async function aggregateAnswers(base: string, authorization: string): Promise<Map<string, string>> {
  const paths = [
    ...MART_NAMES.map((mart) => `/api/v1/marts/${mart}?limit=1000000`),
    '/api/v1/cube?limit=1000000',
    '/api/v1/cube?groupBy=body,entity,category&limit=1000000',
    '/api/v1/contracts?limit=1000000',
    '/api/v1/suppliers?limit=1000000',
    '/api/v1/packs/due-diligence?from=2020-01-01&to=2030-12-31',
  ];
  const answers = new Map<string, string>();
  for (const path of paths) {
    const response = await fetch(`${base}${path}`, { headers: { authorization } });
    const text = await response.text();
    expect(response.status, `${path}: ${text.slice(0, 300)}`).toBe(200);
    // a pack says when it was generated: everything else must be the same
    answers.set(path, text.replace(/"generatedAt":"[^"]*"/, ''));
  }
  return answers;
}

beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
  conn = await db.connect();
  await generateBenchData(conn, scaleFor(10_000));
  // the leaver goes half-way through its spend
  leftOn = await scalar(
    `select (min(spend_date) + ((max(spend_date) - min(spend_date)) // 2)::integer)::date from (select coalesce(invoice_date, payment_date) as spend_date from current_invoices where body_id = '${LEAVER}')`,
  );
  await changeMembership(conn, { bodyId: LEAVER, change: 'leave', on: leftOn, by: 'test' });
  await addBody(conn, {
    bodyId: PROSPECT,
    name: 'Harbourside Council',
    status: 'prospective',
    joinedOn: '2027-04-01',
  });
}, 120_000);

afterAll(() => {
  conn?.closeSync();
  db?.close();
});

describe('partnership figures leave out prospective bodies and leavers after their last day', () => {
  it('every mart and every aggregate endpoint is unchanged by their rows', async () => {
    await build(true);
    for (const mart of MARTS)
      await conn.run(
        `create or replace temp table "before__${mart.name}" as select * from main."${mart.name}"`,
      );
    const server = await startApi(db, 0, createLogger('silent'));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const authorization = `Bearer ${(await createKey(conn, { name: 'exclusion', role: 'admin' })).key}`;
      const before = await aggregateAnswers(base, authorization);

      // One new ingest batch: the member's current invoices again under the prospective body, and
      // the leaver's own invoices again, dated up to 200 days after its last day.
      const batch = Number(await scalar('select max(ingest_batch_id) + 1 from ingest_batches'));
      const offset = Number(await scalar('select max(kafka_offset) + 1 from invoices'));
      await conn.run(`create temp table copies as
        select body_id as from_body, invoice_id as from_invoice, topic as from_topic, kafka_partition as from_partition,
               kafka_offset as from_offset,
               case when body_id = '${COPIED}' then '${PROSPECT}' else body_id end as to_body,
               case when body_id = '${LEAVER}' then invoice_id || '-AFTER' else invoice_id end as to_invoice,
               ${offset} + row_number() over (order by body_id, invoice_id) - 1 as to_offset,
               case when body_id = '${LEAVER}' then '${leftOn}'::date - coalesce(invoice_date, payment_date) + 1 + (hash(invoice_id) % 200)::integer else 0 end::integer as shift_days
        from current_invoices
        where body_id = '${COPIED}' or (body_id = '${LEAVER}' and coalesce(invoice_date, payment_date) <= '${leftOn}'::date)`);
      await conn.run(`insert into invoices by name
        select invoices.* replace (
          copies.to_body as body_id, copies.to_invoice as invoice_id, copies.to_offset as kafka_offset,
          ${batch} as ingest_batch_id,
          (invoices.invoice_date + copies.shift_days)::date as invoice_date,
          (invoices.payment_date + copies.shift_days)::date as payment_date)
        from invoices
        inner join copies on invoices.topic = copies.from_topic and invoices.kafka_partition = copies.from_partition
          and invoices.kafka_offset = copies.from_offset`);
      await conn.run(`insert into invoice_lines by name
        select lines.* replace (copies.to_body as body_id, copies.to_invoice as invoice_id, copies.to_offset as kafka_offset)
        from invoice_lines as lines
        inner join copies on lines.topic = copies.from_topic and lines.kafka_partition = copies.from_partition
          and lines.kafka_offset = copies.from_offset`);
      await conn.run(`insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
        select ${batch}, any_value(topic), 0, min(kafka_offset), max(kafka_offset), count(*), count(*), 0
        from invoices where ingest_batch_id = ${batch}`);
      const copied = await queryRows<{ body_id: string; n: string }>(
        conn,
        `select body_id, count(*)::varchar as n from current_invoices where body_id in ('${PROSPECT}', '${LEAVER}')
           and (body_id = '${PROSPECT}' or invoice_id like '%-AFTER') group by all order by all`,
      );
      expect(copied.map((c) => c.body_id)).toEqual([PROSPECT, LEAVER].sort());
      expect(copied.every((c) => Number(c.n) > 20)).toBe(true);

      await build();
      expect(await martDifferences()).toEqual([]);
      const after = await aggregateAnswers(base, authorization);
      for (const [path, text] of before) expect(after.get(path), path).toBe(text);
      await build(true);
      expect(await martDifferences()).toEqual([]);

      // Nothing of the prospective body anywhere in a mart, in any column.
      for (const mart of MARTS) {
        const mentions = await scalar(
          `select count(*) from main."${mart.name}" as t where t::varchar like '%${PROSPECT}%'`,
        );
        expect(mentions, mart.name).toBe('0');
      }
      // …though its rows were ingested and classified (its pack reads them).
      expect(
        Number(await scalar(`select count(*) from int_spend_classified where body_id = '${PROSPECT}'`)),
      ).toBeGreaterThan(20);
    } finally {
      server.close();
    }
  }, 240_000);

  it("the leaver's history up to its last day still counts, to the penny", async () => {
    // independently of the models: the raw current invoices of the leaver dated up to its last day
    const expected = await scalar(
      `select sum(net_amount) from current_invoices where body_id = '${LEAVER}' and currency = 'GBP'
         and coalesce(invoice_date, payment_date) <= '${leftOn}'::date`,
    );
    const all = await scalar(
      `select sum(net_amount) from current_invoices where body_id = '${LEAVER}' and currency = 'GBP'`,
    );
    expect(Number(expected)).toBeGreaterThan(0);
    expect(expected).not.toBe(all);
    expect(
      await scalar(
        `select sum(net_total) from fct_spend_cube where body_id = '${LEAVER}' and currency = 'GBP'`,
      ),
    ).toBe(expected);
    expect(
      await scalar(`select max(last_spend_date) from fct_data_freshness where body_id = '${LEAVER}'`),
    ).toBe(
      await scalar(
        `select max(coalesce(invoice_date, payment_date)) from current_invoices where body_id = '${LEAVER}' and coalesce(invoice_date, payment_date) <= '${leftOn}'::date`,
      ),
    );
  });
});

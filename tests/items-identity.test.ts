/**
 * The planted item identities of the demo (demo/items-identity.ts) through the consumer's writer
 * and the transforms into a real DuckDB file: exactly the planted price comparisons are made (by
 * GTIN across suppliers, by seller code within a supplier, across pack sizes and units of one
 * dimension), the planted false ones are not (one code at two suppliers, units that cannot be
 * normalised, a buyer's code at two bodies), description-only lines are suggested and enter the
 * comparison and the savings pipeline only once an analyst confirms them (over the HTTP API),
 * and the coverage mart counts each planted line under the scheme the manifest says.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../api/app.ts';
import { buildRegister } from '../demo/bodies.ts';
import { dayFromIso } from '../demo/calendar.ts';
import { DEFAULT_END_DATE, DEFAULT_START_DATE } from '../demo/generate.ts';
import { type ItemIdentityFacts, type PlantedComparison, plantItemIdentity } from '../demo/items-identity.ts';
import { writeBatch } from '../ingest/batch-writer.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { invoicesHandler } from '../ingest/topics/invoices/handler.ts';
import { addBody } from '../lib/bodies.ts';
import { loadConfig } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import { createKey } from '../lib/keys.ts';
import { createLogger } from '../lib/log.ts';
import { runTransforms } from '../transforms/runner.ts';
import { asMessage } from './helpers/messages.ts';
import { DISPERSION_WITH_PRICE_POINTS } from './helpers/price-points.ts';

let dir: string;
let db: Database;
let server: Server;
let base: string;
let procurementKey: string;
let facts: ItemIdentityFacts;

type PricePoint = { body_id: string; unit_price: string; lines: string; line_refs: string[] };
type DispersionRow = {
  item_scheme: string;
  normalised_unit: string;
  unit_normalised: boolean;
  body_ids: string[];
  min_unit_price: string;
  median_unit_price: string;
  max_unit_price: string;
  bodies: string;
  price_points: PricePoint[];
};

const transforms = () =>
  runTransforms(db, { codelistsDir: loadConfig().codelistsDir, log: createLogger('silent') });

/** The dispersion rows that rest on a planted line (ITEMS-… invoices). */
async function plantedRows(): Promise<DispersionRow[]> {
  const rows = await db.withConnection((conn) =>
    queryRows<DispersionRow>(
      conn,
      `select item_scheme, normalised_unit, unit_normalised, body_ids, min_unit_price::varchar as min_unit_price,
              median_unit_price::varchar as median_unit_price, max_unit_price::varchar as max_unit_price,
              bodies, price_points
       from ${DISPERSION_WITH_PRICE_POINTS}
       where len(list_filter(price_points, p -> len(list_filter(p.line_refs, r -> r like 'ITEMS-%')) > 0)) > 0`,
    ),
  );
  return rows;
}

const asNumber = (value: string) => Number(value);
const comparisonOf = (row: DispersionRow) => ({
  itemScheme: row.item_scheme,
  normalisedUnit: row.normalised_unit,
  unitNormalised: row.unit_normalised,
  bodyIds: [...row.body_ids].sort(),
  prices: [row.min_unit_price, row.median_unit_price, row.max_unit_price].map(asNumber),
});
const planted = (c: PlantedComparison) => ({
  itemScheme: c.itemScheme,
  normalisedUnit: c.normalisedUnit,
  unitNormalised: c.unitNormalised,
  bodyIds: [...c.bodyIds].sort(),
  prices: [c.minUnitPrice, c.medianUnitPrice, c.maxUnitPrice].map(asNumber),
});

async function call(method: string, path: string, body?: unknown) {
  return fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${procurementKey}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spend-items-'));
  db = await Database.open({ path: join(dir, 'spend.duckdb'), migrationsDir: MIGRATIONS_DIR });
  const bodies = buildRegister(dayFromIso(DEFAULT_START_DATE), dayFromIso(DEFAULT_END_DATE));
  const plan = plantItemIdentity(bodies, DEFAULT_END_DATE);
  if (!plan) throw new Error('no three bodies to plant item identities for');
  facts = plan.facts;
  await db.withConnection(async (conn) => {
    for (const body of bodies)
      await addBody(conn, { bodyId: body.bodyId, name: body.name, joinedOn: body.joinedOn });
    await writeBatch(
      conn,
      invoicesHandler,
      'items-test',
      0,
      plan.invoices.map((invoice, i) => asMessage(invoice.key, invoice.doc, i)),
    );
    procurementKey = (await createKey(conn, { name: 'analyst', role: 'procurement' })).key;
  });
  await transforms();
  server = await startApi(db, 0, createLogger('silent'), '127.0.0.1', {
    settings: { maxUploadBytes: 4096 },
    brokerReachable: async () => false,
    topics: { invoices: 'items-test', purchaseOrders: 'items-test-po' },
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('planted item identities', () => {
  it('make exactly the planted comparisons, with their prices per normalised unit', async () => {
    const compared = (await plantedRows()).filter((row) => Number(row.bodies) >= 2);
    expect(compared.map(comparisonOf).sort(byJson)).toEqual(facts.comparisons.map(planted).sort(byJson));
  });

  it('do not compare the planted false pairs: no row holds two of their lines', async () => {
    const rows = await plantedRows();
    for (const { what, lines } of facts.notCompared) {
      const holding = lines.map((line) =>
        rows.findIndex((row) =>
          row.price_points.some(
            (p) => p.body_id === line.bodyId && p.line_refs.includes(`${line.invoiceId}#${line.lineNo}`),
          ),
        ),
      );
      expect(
        holding.every((index) => index >= 0),
        `${what}: every line is priced`,
      ).toBe(true);
      expect(new Set(holding).size, what).toBe(lines.length);
    }
    // and no comparison rests on description lines before an analyst confirms them
    expect(rows.filter((row) => row.item_scheme === 'description')).toEqual([]);
  });

  it('count each planted line under its scheme in the coverage mart', async () => {
    const coverage = await db.withConnection((conn) =>
      queryRows<{ body_id: string; item_scheme: string; net_amount: string }>(
        conn,
        'select body_id, item_scheme, net_amount::varchar as net_amount from fct_item_coverage',
      ),
    );
    const expected = new Map<string, number>();
    for (const line of facts.lines) {
      const key = `${line.bodyId} ${line.itemScheme}`;
      expected.set(key, (expected.get(key) ?? 0) + Math.round(Number(line.netAmount) * 100));
    }
    expect(
      new Map(coverage.map((r) => [`${r.body_id} ${r.item_scheme}`, Math.round(Number(r.net_amount) * 100)])),
    ).toEqual(expected);
  });

  it('suggest the near-identical descriptions, and compare them only once confirmed over the API', async () => {
    const listed = (await (await call('GET', '/api/v1/items/matches?status=suggested')).json()) as {
      matches: { match_id: string; variants: string[]; body_ids: string[]; descriptions: string[] }[];
    };
    const [wanted] = facts.descriptionMatches;
    expect(listed.matches.map((m) => ({ variants: m.variants, bodyIds: m.body_ids }))).toEqual([
      { variants: wanted?.variants, bodyIds: wanted?.bodyIds },
    ]);
    const suggestedDescriptions = listed.matches.flatMap((m) => m.descriptions);
    expect(facts.descriptionNonMatches.length).toBeGreaterThan(0);
    for (const miss of facts.descriptionNonMatches) {
      expect(suggestedDescriptions, miss.what).not.toContain(miss.description);
    }

    const pipelineRows = () =>
      db.withConnection((conn) =>
        queryRows<{ n: string }>(
          conn,
          "select count(*)::varchar as n from fct_savings_pipeline where item_scheme = 'description'",
        ),
      );
    expect((await pipelineRows())[0]?.n).toBe('0');

    const matchId = listed.matches[0]?.match_id as string;
    const confirmed = await call('POST', `/api/v1/items/matches/${matchId}`, {
      decision: 'confirm',
      note: 'same gloves',
    });
    expect(confirmed.status).toBe(201);
    await transforms();
    const compared = (await plantedRows()).filter((row) => row.item_scheme === 'description');
    expect(compared.map(comparisonOf)).toEqual([planted(wanted?.onceConfirmed as PlantedComparison)]);
    expect((await pipelineRows())[0]?.n).toBe('1');

    // a split takes it out again
    expect((await call('POST', `/api/v1/items/matches/${matchId}`, { decision: 'split' })).status).toBe(201);
    await transforms();
    expect((await plantedRows()).filter((row) => row.item_scheme === 'description')).toEqual([]);
    const after = (await (await call('GET', '/api/v1/items/matches?status=split')).json()) as {
      matches: { match_id: string; decided_by: string }[];
    };
    expect(after.matches).toEqual([expect.objectContaining({ match_id: matchId, decided_by: 'analyst' })]);
  });
});

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}

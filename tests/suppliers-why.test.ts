/**
 * `spend suppliers why` end to end below the CLI: the operation reads the names and analysts'
 * decisions from a real DuckDB, resolves them again keeping the evidence, and the CLI's text says
 * why two names were, or were not, merged (an analyst's split wins over the register).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explanationText } from '../cli/suppliers.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database } from '../lib/db.ts';
import { TRANSFORM_OPERATIONS } from '../transforms/operations.ts';
import type { PairExplanation } from '../transforms/resolver/explain.ts';

let db: Database;

beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1 });
  await db.withConnection(async (conn) => {
    // the staging model's columns the resolver reads (built by the transforms in the product)
    await conn.run(`create table stg_supplier_aliases (body_id varchar, supplier_name varchar,
      vat_numbers varchar[], company_numbers varchar[], charity_numbers varchar[], redacted boolean)`);
    await conn.run(`insert into stg_supplier_aliases values
      ('bury', 'Trafford MBC', [], [], [], false),
      ('salford', 'Trafford Metropolitan Borough Council', [], [], [], false),
      ('bury', 'ACME LTD', [], ['01234567'], [], false),
      ('salford', 'Acme Limited', [], ['07654321'], [], false)`);
  });
});
afterAll(() => db?.close());

const why = async (a: string, b: string, bodies: { bodyA?: string; bodyB?: string } = {}) =>
  (await TRANSFORM_OPERATIONS['suppliers.why'].run(db, { a, b, ...bodies })) as PairExplanation;

describe('spend suppliers why', () => {
  it('explains a merge by the council register and a refusal by company numbers', async () => {
    const council = await why('Trafford MBC', 'Trafford Metropolitan Borough Council');
    expect(council.merged).toBe(true);
    const text = explanationText(council);
    expect(text).toContain('One entity');
    expect(text).toContain('council TRF (Trafford Metropolitan Borough Council, register-spelling)');
    expect(text).toContain('[public-body, score 0.98]');

    const acme = explanationText(await why('ACME LTD', 'acme limited ', { bodyB: 'salford' }));
    expect(acme).toMatch(/^Two entities: .* different company numbers/);
    expect(acme).toContain('Different Companies House numbers (01234567, 07654321).');
  });

  it('lets an analyst’s split win, and says a name never arrived', async () => {
    await db.withConnection((conn) =>
      conn.run(`insert into supplier_decisions (decision_id, row_no, action, body_id, supplier_name, entity_id)
        values (1, 1, 'split', 'bury', 'Trafford MBC', 'A1'), (1, 2, 'split', 'salford', 'Trafford Metropolitan Borough Council', 'A2')`),
    );
    const split = await why('Trafford MBC', 'Trafford Metropolitan Borough Council');
    expect(split.merged).toBe(false);
    expect(split.summary).toContain('analysts keep them apart');
    await expect(why('Trafford MBC', 'Nobody Ltd')).rejects.toThrow(/No supplier name "Nobody Ltd"/);
  });
});

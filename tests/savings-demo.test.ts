/**
 * The demo's savings inputs, loaded through the owner operations into a real DuckDB with the demo
 * register, transformed, signed off as `spend demo` does, and read back: the statement finds
 * exactly what demo/savings.ts planted (worked out there in BigInt, not by the product), some
 * years short of the guarantee and some above.
 */
import { describe, expect, it } from 'vitest';
import { loadDemoSavingsFiles, signOffDemoYears } from '../cli/demo-savings.ts';
import { buildRegister } from '../demo/bodies.ts';
import { dayFromIso } from '../demo/calendar.ts';
import { DEFAULT_END_DATE, DEFAULT_START_DATE } from '../demo/generate.ts';
import { buildDemoSavings } from '../demo/savings.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { addBody } from '../lib/bodies.ts';
import { Database } from '../lib/db.ts';
import { runOperation } from '../owner/operations.ts';
import { runTransforms } from '../transforms/runner.ts';

describe('demo savings', () => {
  it('finds the planted guarantees and deliveries, short and above', async () => {
    const bodies = buildRegister(dayFromIso(DEFAULT_START_DATE), dayFromIso(DEFAULT_END_DATE));
    const demo = buildDemoSavings(bodies, DEFAULT_START_DATE, DEFAULT_END_DATE);
    const outcomes = new Set(demo.planted.map((p) => p.outcome));
    expect(outcomes).toEqual(new Set(['short', 'above']));
    const db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1 });
    try {
      await db.withConnection(async (conn) => {
        for (const body of bodies) await addBody(conn, { ...body, status: 'active' });
      });
      await loadDemoSavingsFiles(db, demo);
      expect((await runTransforms(db)).failed).toBe(0);
      const signed = await signOffDemoYears(db, demo);
      // every year but the last is validated
      const years = [...new Set(demo.planted.map((p) => p.contractYear))];
      expect(signed).toEqual(years.slice(0, -1));
      for (const year of new Set(demo.planted.map((p) => p.contractYear))) {
        const statement = (await runOperation(db, 'savings.statement', { year, asOf: DEFAULT_END_DATE })) as {
          byStream: { stream: string; guaranteed: string; realised: string; validated: string }[];
        };
        for (const planted of demo.planted.filter((p) => p.contractYear === year)) {
          const found = statement.byStream.find((s) => s.stream === planted.stream);
          expect({
            year,
            stream: planted.stream,
            guaranteed: found?.guaranteed,
            realised: found?.realised,
          }).toEqual({
            year,
            stream: planted.stream,
            guaranteed: planted.guaranteed,
            realised: planted.delivered,
          });
          expect(found?.validated).toBe(planted.signedOff ? planted.delivered : '0.00');
        }
      }
    } finally {
      db.close();
    }
  });
});

/**
 * `spend demo`'s savings step: the demo partnership's agreement and registers (demo/savings.ts)
 * loaded through the owner operations, as finance would load them, and every contract year but
 * the last signed off once the transforms have run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoSavings } from '../demo/savings.ts';
import type { Database } from '../lib/db.ts';
import { runOperation } from '../owner/operations.ts';

const BY = 'spend demo';

/** Loads the files (and writes them to `dir`, when given, for people to read). */
export async function loadDemoSavingsFiles(db: Database, demo: DemoSavings, dir?: string): Promise<void> {
  if (dir) mkdirSync(join(dir, 'demo-savings'), { recursive: true });
  for (const [kind, file] of Object.entries(demo.files)) {
    if (dir) writeFileSync(join(dir, file.name), file.text);
    if (kind === 'agreement') await runOperation(db, 'agreements.load', { file, by: BY });
    else await runOperation(db, 'savings.load', { kind, file, by: BY });
  }
}

/** Signs off every planted year marked so; returns those years. */
export async function signOffDemoYears(db: Database, demo: DemoSavings): Promise<number[]> {
  const years = [...new Set(demo.planted.filter((p) => p.signedOff).map((p) => p.contractYear))];
  // a demo run again on the same database signs nothing off twice
  const done = new Set(
    ((await runOperation(db, 'savings.signoffs', {})) as { contract_year: number }[]).map(
      (s) => s.contract_year,
    ),
  );
  for (const year of years.filter((y) => !done.has(y))) {
    await runOperation(db, 'savings.signoff', {
      year,
      by: BY,
      comment: `demo: contract year ${year} checked against the ledger, sales and evidence`,
    });
  }
  return years;
}

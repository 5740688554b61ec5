/**
 * Seeds: small reference tables the models join, loaded once per run as `seed_<name>` temporary
 * tables of the run's connection (so a run always sees the files as they are now).
 *
 * Two kinds. The code lists (CPV 2008, ProClass 17.1) are published by others and read at run
 * time from SPEND_CODELISTS_DIR, by default the copies shipped in reference/codelists (with their
 * sources in reference/SOURCES.md). Without them the seeds are empty tables with the same
 * columns, so every model still builds: categories keep their own codes, but labels and ProClass
 * level-1 roll-ups are unavailable, and one warning per run says so. Our own seeds (transforms/seeds/*.csv: the shipped classification rules and the
 * CPV → ProClass mapping) are written by us and live in the repository.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { OWN_SEEDS_DIR, REFERENCE_UNITS_DIR } from '../lib/config.ts';

type Seed = {
  table: string;
  /** The file: in the code lists folder, or in transforms/seeds/ for our own. */
  file: string;
  /** Our column names, in the file's column order (the file's own header is not relied on). */
  columns: readonly string[];
  /** The folder, when not transforms/seeds/. */
  dir?: string;
};

/** Our own seeds, in transforms/seeds/ (OWN_SEEDS_DIR; lines starting with # are comments). */
export const OWN_SEEDS: readonly Seed[] = [
  {
    table: 'seed_classification_rules',
    file: 'classification_rules.csv',
    columns: ['rule_id', 'priority', 'field', 'pattern', 'proclass_code', 'cpv_code', 'note'],
  },
  { table: 'seed_cpv_proclass', file: 'cpv_proclass.csv', columns: ['cpv_prefix', 'proclass_code', 'note'] },
  // units for the price comparison: UN/ECE Rec 20 codes and the free-text forms that mean them
  {
    table: 'seed_rec20_units',
    file: 'rec20_units.csv',
    columns: ['code', 'name', 'dimension', 'factor_to_base'],
    dir: REFERENCE_UNITS_DIR,
  },
  { table: 'seed_unit_forms', file: 'unit_forms.csv', columns: ['form', 'code'], dir: REFERENCE_UNITS_DIR },
];

export const CODELIST_SEEDS: readonly Seed[] = [
  // CODE,EN; codes with their check digit (79000000-4); UTF-8 with a BOM
  { table: 'seed_cpv', file: 'cpv_codes.csv', columns: ['code', 'label'] },
  // code,level1,level2,level3,clarification_info; six-digit codes
  {
    table: 'seed_proclass',
    file: 'proclass_17.csv',
    columns: ['code', 'level1', 'level2', 'level3', 'clarification_info'],
  },
];

export function codelistsWarning(dir: string | null, missing: string[] = []): string {
  if (dir === null) {
    return 'no code lists folder configured (SPEND_CODELISTS_DIR): categories keep their own codes, labels and ProClass roll-ups are unavailable';
  }
  const where = missing.length > 0 && existsSync(dir) ? missing.map((f) => join(dir, f)).join(', ') : dir;
  return `code lists not found at ${where}: categories keep their own codes, labels and ProClass roll-ups are unavailable`;
}

const columnList = (seed: Seed) => seed.columns.map((c) => `${c} varchar`).join(', ');

async function createEmpty(conn: DuckDBConnection, seed: Seed): Promise<void> {
  await conn.run(`create or replace temp table ${seed.table} (${columnList(seed)})`);
}

/** Empty seed tables where the connection has none yet (fixture tests then insert their own rows). */
export async function ensureSeedTables(conn: DuckDBConnection): Promise<void> {
  for (const seed of [...CODELIST_SEEDS, ...OWN_SEEDS]) {
    await conn.run(`create temp table if not exists ${seed.table} (${columnList(seed)})`);
  }
}

/**
 * Loads the code lists from `dir` into the seed tables. Returns a warning when the folder (or a
 * file in it) is missing, in which case those seeds are empty; null when everything loaded.
 */
export async function loadCodelists(conn: DuckDBConnection, dir: string | null): Promise<string | null> {
  const missing: string[] = [];
  for (const seed of CODELIST_SEEDS) {
    const path = dir === null ? null : join(dir, seed.file);
    if (path === null || !existsSync(path)) {
      missing.push(seed.file);
      await createEmpty(conn, seed);
      continue;
    }
    await loadCsv(conn, seed, path, false);
  }
  return missing.length > 0 ? codelistsWarning(dir, missing) : null;
}

/** Loads our own seeds from transforms/seeds/. */
export async function loadOwnSeeds(conn: DuckDBConnection): Promise<void> {
  for (const seed of OWN_SEEDS) await loadCsv(conn, seed, join(seed.dir ?? OWN_SEEDS_DIR, seed.file), true);
}

async function loadCsv(conn: DuckDBConnection, seed: Seed, path: string, comments: boolean): Promise<void> {
  const names = seed.columns.map((c) => `'${c}'`).join(', ');
  // our own files carry # comment lines (DuckDB also cuts a line at a later #: none has one)
  const comment = comments ? ", comment = '#'" : '';
  await conn.run(
    `create or replace temp table ${seed.table} as
     select ${seed.columns.map((c) => `nullif(trim(${c}), '') as ${c}`).join(', ')}
     from read_csv($path, header = true, all_varchar = true${comment}, names = [${names}])`,
    { path },
  );
}

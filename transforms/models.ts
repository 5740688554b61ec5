/**
 * The model registry. A model is one `.sql` file holding one SELECT, in
 * `models/{staging,intermediate,marts}/` with the layer's prefix (`stg_`, `int_`, `fct_`/`dim_`),
 * and a header declaring what the runner needs:
 *
 *   -- grain: one row per current invoice (body_id, invoice_id)
 *   -- depends on: stg_invoices, int_supplier_matches
 *   -- materialised: full | incremental by invoice | incremental by purchase-order
 *                  | incremental by key (spend_month, body_id, abs(net_amount))
 *
 * A model incremental by a document may have a companion `<model>.stale.sql`: one SELECT of the
 * document keys whose rows went stale through an input of another grain. A model incremental by
 * key (a group of its rows: a cube cell, a set of payments that may pair) must have a companion
 * `<model>.keys.sql`: one SELECT of the key values whose rows the run's changes touch (see
 * runner.ts). A key is a column of the model, or one function of it (`abs(net_amount)`).
 * An input that lacks a key column but holds what it is computed from is restricted to the
 * changed keys too when the model says how (one header line per column):
 *
 *   -- key in inputs: spend_month = date_trunc('month', spend_date)::date
 * A few models are easier in TypeScript than SQL (supplier resolution); they are registered in
 * TS_MODELS below with the same fields and write their own table. Sources (the ingested tables)
 * are read by staging models only, through `src_*` views the runner defines (see runner.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { buildContractSupplierMatches } from './contracts/supplier-matches.ts';
import { buildSupplierMatches } from './resolver/model.ts';
import { buildBaselineVersions } from './savings/baseline-versions.ts';

export const MODELS_DIR = join(import.meta.dirname, 'models');

export const LAYERS = ['staging', 'intermediate', 'marts'] as const;
export type Layer = (typeof LAYERS)[number];

const PREFIXES: Record<Layer, readonly string[]> = {
  staging: ['stg_'],
  intermediate: ['int_'],
  marts: ['fct_', 'dim_'],
};

/** Incremental models are partitioned by a document key: only changed documents are rebuilt. */
export type IncrementalKey = 'invoice' | 'purchase-order';
/** How a model is refreshed: by document, or by a key of its own grain (`incremental by key (…)`). */
export type Incremental = IncrementalKey | 'key';

export const INCREMENTAL_KEYS: Record<IncrementalKey, { table: string; columns: readonly string[] }> = {
  invoice: { table: 'invoices', columns: ['body_id', 'invoice_id'] },
  'purchase-order': { table: 'purchase_orders', columns: ['body_id', 'po_number'] },
};

type ModelBase = {
  name: string;
  layer: Layer;
  grain: string;
  dependsOn: string[];
  incrementalBy: Incremental | null;
};

export type SqlModel = ModelBase & {
  kind: 'sql';
  sql: string;
  path: string;
  staleSql?: string;
  /** `incremental by key`: the key, as expressions over the model's (and its inputs') columns. */
  groupKey?: string[];
  keysSql?: string;
  /**
   * `-- key in inputs: <column> = <expression>`: how an input without a key column computes
   * it, and the input columns the expression reads.
   */
  keyInInputs?: Record<string, { expression: string; reads: string[] }>;
};
export type TsModel = ModelBase & {
  kind: 'ts';
  /**
   * Builds the model's table from scratch, or leaves it as it is when its inputs did not change
   * since it was built (`unchanged`); returns the row count. `run` is the transforms run building
   * it (a model that records what it found, as baseline versions do, names the run).
   */
  build(conn: DuckDBConnection, run: { runId: number }): Promise<{ rows: number; unchanged?: boolean }>;
};
export type Model = SqlModel | TsModel;

export class ModelDefinitionError extends Error {
  override name = 'ModelDefinitionError';
}

const TS_MODELS: TsModel[] = [
  {
    kind: 'ts',
    name: 'int_supplier_matches',
    layer: 'intermediate',
    grain: 'one row per raw supplier name per body (body_id, supplier_name)',
    dependsOn: ['stg_supplier_aliases'],
    incrementalBy: null,
    build: buildSupplierMatches,
  },
  {
    kind: 'ts',
    name: 'int_contract_supplier_matches',
    layer: 'intermediate',
    grain: 'one row per supplier of a contract (ocid, contract_id, party_id)',
    dependsOn: ['int_contract_suppliers', 'int_supplier_matches', 'stg_supplier_aliases'],
    incrementalBy: null,
    build: buildContractSupplierMatches,
  },
  {
    kind: 'ts',
    name: 'int_savings_baseline_versions',
    layer: 'intermediate',
    grain: 'one row per body × item × unit with a baseline: its current version (body_id, item_code, unit)',
    // records a new version (savings_baseline_versions, _changes) when a baseline changed
    dependsOn: ['int_savings_baselines', 'int_savings_baseline_lines'],
    incrementalBy: null,
    build: buildBaselineVersions,
  },
];

const KEY_EXPRESSION = /^(?:[a-z_][a-z0-9_]*\(\s*[a-z_][a-z0-9_]*\s*\)|[a-z_][a-z0-9_]*)$/;

/** The column a key expression reads (`abs(net_amount)` → `net_amount`). */
export function keyColumn(key: string): string {
  return (/\(\s*([a-z0-9_]+)\s*\)/.exec(key)?.[1] ?? key) as string;
}

/**
 * The columns an SQL expression reads: its names that are not functions, types or string
 * literals (`date_trunc('month', spend_date)::date` → spend_date).
 */
export function expressionColumns(expression: string): string[] {
  const bare = expression
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/::\s*[a-z_][a-z0-9_]*(\s*\([^)]*\))?/gi, '');
  const names = [...bare.matchAll(/([a-z_][a-z0-9_]*)(\s*\()?/gi)]
    .filter((m) => !m[2])
    .map((m) => m[1] as string);
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

/** Parses a model file's header. */
export function parseSqlModel(path: string, layer: Layer, sql: string): SqlModel {
  const name = basename(path, '.sql');
  const fail = (problem: string) => {
    throw new ModelDefinitionError(`${path}: ${problem}`);
  };
  if (!PREFIXES[layer].some((prefix) => name.startsWith(prefix)))
    fail(`a ${layer} model's name starts with ${PREFIXES[layer].join(' or ')}`);
  const header = (key: string) => new RegExp(`^--\\s*${key}:\\s*(.+)$`, 'im').exec(sql)?.[1]?.trim();
  const grain = header('grain') ?? fail('the header must declare "-- grain: …"');
  const depends = header('depends on') ?? fail('the header must declare "-- depends on: …" (or "none")');
  const materialised = header('materialised') ?? 'full';
  const incremental = /^incremental by (invoice|purchase-order)$/.exec(materialised);
  const byKey = /^incremental by key \((.+)\)$/.exec(materialised);
  if (materialised !== 'full' && !incremental && !byKey)
    fail(
      `"materialised" is "full", "incremental by invoice", "incremental by purchase-order" or "incremental by key (<columns>)", not "${materialised}"`,
    );
  const groupKey = byKey?.[1]?.split(',').map((k) => k.replace(/\s+/g, ''));
  for (const key of groupKey ?? []) {
    if (!KEY_EXPRESSION.test(key))
      fail(`a key is a column or one function of a column (abs(net_amount)), not "${key}"`);
  }
  const keyInInputs: Record<string, { expression: string; reads: string[] }> = {};
  for (const line of sql.matchAll(/^--\s*key in inputs:\s*(.+)$/gim)) {
    const derived = /^([a-z_][a-z0-9_]*)\s*=\s*(.+)$/.exec((line[1] as string).trim());
    const [, column = '', written = ''] = derived ?? [];
    if (!derived || !groupKey?.includes(column))
      fail(
        `"key in inputs" is "<a key column> = <expression>" of a model incremental by key, not "${line[1]}"`,
      );
    const expression = written.trim();
    keyInInputs[column] = { expression, reads: expressionColumns(expression) };
  }
  return {
    kind: 'sql',
    name,
    layer,
    grain: grain as string,
    dependsOn: depends === 'none' ? [] : (depends as string).split(',').map((d) => d.trim()),
    incrementalBy: byKey ? 'key' : ((incremental?.[1] as IncrementalKey | undefined) ?? null),
    ...(groupKey ? { groupKey } : {}),
    ...(Object.keys(keyInInputs).length > 0 ? { keyInInputs } : {}),
    // wrapped in `(…)` by the runner: a trailing semicolon would end the statement early
    sql: sql.replace(/;\s*$/, ''),
    path,
  };
}

/** Every model, checked: known dependencies, no cycles. In dependency order. */
export function loadModels(dir = MODELS_DIR): Model[] {
  const models: Model[] = [...TS_MODELS];
  for (const layer of LAYERS) {
    for (const file of readdirSync(join(dir, layer)).sort()) {
      if (!/^[a-z0-9_]+\.sql$/.test(file)) continue;
      const path = join(dir, layer, file);
      const model = parseSqlModel(path, layer, readFileSync(path, 'utf8'));
      const stalePath = join(dir, layer, `${model.name}.stale.sql`);
      if (existsSync(stalePath)) {
        if (!model.incrementalBy || model.incrementalBy === 'key')
          throw new ModelDefinitionError(
            `${stalePath}: only a model incremental by a document has stale rows (by key: <model>.keys.sql)`,
          );
        model.staleSql = readFileSync(stalePath, 'utf8').replace(/;\s*$/, '');
      }
      const keysPath = join(dir, layer, `${model.name}.keys.sql`);
      if (model.incrementalBy === 'key') {
        if (!existsSync(keysPath))
          throw new ModelDefinitionError(
            `${model.path}: a model incremental by key needs ${model.name}.keys.sql`,
          );
        model.keysSql = readFileSync(keysPath, 'utf8').replace(/;\s*$/, '');
      } else if (existsSync(keysPath)) {
        throw new ModelDefinitionError(`${keysPath}: only a model incremental by key has a keys query`);
      }
      models.push(model);
    }
  }
  return inDependencyOrder(models);
}

/** Topological order (Kahn), ties broken by layer then name so runs are reproducible. */
export function inDependencyOrder(models: Model[]): Model[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  for (const model of models) {
    for (const dep of model.dependsOn) {
      if (!byName.has(dep)) throw new ModelDefinitionError(`${model.name} depends on unknown model ${dep}`);
    }
  }
  const rank = (m: Model) => `${LAYERS.indexOf(m.layer)}:${m.name}`;
  const remaining = new Map(models.map((m) => [m.name, new Set(m.dependsOn)]));
  const ordered: Model[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining]
      .filter(([, deps]) => deps.size === 0)
      .map(([name]) => byName.get(name) as Model)
      .sort((a, b) => rank(a).localeCompare(rank(b)));
    if (ready.length === 0) {
      throw new ModelDefinitionError(`dependency cycle among ${[...remaining.keys()].join(', ')}`);
    }
    const next = ready[0] as Model;
    ordered.push(next);
    remaining.delete(next.name);
    for (const deps of remaining.values()) deps.delete(next.name);
  }
  return ordered;
}

/** Every model that depends on `name`, directly or not. */
export function descendants(models: Model[], name: string): Set<string> {
  const found = new Set<string>();
  const visit = (parent: string) => {
    for (const m of models) {
      if (m.dependsOn.includes(parent) && !found.has(m.name)) {
        found.add(m.name);
        visit(m.name);
      }
    }
  };
  visit(name);
  return found;
}

/** Every model `name` depends on, directly or not. */
export function ancestors(models: Model[], name: string): Set<string> {
  const byName = new Map(models.map((m) => [m.name, m]));
  const found = new Set<string>();
  const visit = (child: string) => {
    for (const dep of byName.get(child)?.dependsOn ?? []) {
      if (!found.has(dep)) {
        found.add(dep);
        visit(dep);
      }
    }
  };
  visit(name);
  return found;
}

/**
 * dbt-style selection: `name` alone, `+name` with everything upstream, `name+` with everything
 * downstream. Unknown names are an error a user can act on.
 */
export function selectModels(models: Model[], selectors: string[]): Set<string> {
  const names = new Set(models.map((m) => m.name));
  const selected = new Set<string>();
  for (const selector of selectors) {
    const name = selector.replace(/^\+/, '').replace(/\+$/, '');
    if (!names.has(name)) throw new ModelDefinitionError(`no model named ${name}`);
    selected.add(name);
    if (selector.startsWith('+')) for (const a of ancestors(models, name)) selected.add(a);
    if (selector.endsWith('+')) for (const d of descendants(models, name)) selected.add(d);
  }
  return selected;
}

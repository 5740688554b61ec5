/**
 * The transform runner: builds the models in dependency order, each in its own transaction,
 * and records every model's run in `transform_runs` (start, duration, rows, status, error).
 * A failed model fails alone: only the models downstream of it are skipped.
 *
 * Materialisation. A full model is rebuilt with `create or replace table … as <select>`,
 * atomically, so readers see the old table or the new one. An incremental model is partitioned
 * by a document key (invoice or purchase order): the runner finds the documents to rebuild,
 * deletes the model's rows for them and inserts their rebuilt rows. Late invoices for old months
 * therefore refresh correctly: the watermark is the ingest batch, never the invoice date.
 *
 * The documents to rebuild are (1) those the ingest batches the model has not yet consumed
 * touched; (2) those an upstream model of the same key rebuilt in this run; (3) those its
 * companion `<model>.stale.sql` names: rows whose inputs from a model of another grain changed
 * (a supplier's entity, a supplier's dominant category), looked at when such a model was rebuilt
 * in this run. An incremental model is built in full instead when it has no table yet, on
 * `--full`, when an upstream model of its key was built in full in this run, or when the
 * inputs every model shares (seeds, classification rules, the bodies register) changed since
 * its last build: their fingerprint is the table's comment. A model that fails or is skipped,
 * or is left out of a selection while upstream models ran, is marked to be built in full next
 * time, so a rebuild it missed is never lost.
 *
 * Incremental by key (delete+insert by a key of the model's own grain: a cube cell, an amount).
 * The companion `<model>.keys.sql` names the key values to rebuild from `changed_<upstream>`
 * views: an incremental upstream's rows rebuilt in this run, both as deleted (the old version:
 * a correction that moves a line to another cell must empty the old cell) and as inserted. The
 * model's rows of those keys are deleted (null-safe) and summed again from `delta_<upstream>`
 * views restricted to them (an upstream without a key column is restricted by the expression
 * the model's `-- key in inputs:` header computes it with, else read whole). Inputs of another grain: a full model whose rows are unchanged (a
 * fingerprint of its rows) changed nothing; one that changed must be read by the companion query
 * (stale or keys), else the model is built in full, and so it is when an incremental input of
 * another grain was built in full. A companion may read a full model's changed_<model> too: its
 * rows that differ, in the columns the companion queries name, from the rows it had before this
 * run's build, as they were and as they are (the month whose common threshold moved). A model by
 * key whose upstream is incremental by the same key reads the upstream's rows inserted in this
 * run for the keys it rebuilt, as models of one document key do, and its table for the others.
 *
 * Sources. Staging models read the ingested tables through `src_*` views defined here: the
 * whole table on a full build, only the touched documents' rows (every version of them, so the
 * latest-version logic still holds) on an incremental build. Other incremental models read the
 * rows they rebuild through `delta_<upstream>` views in the same way, and anything they need
 * whole (all of a supplier's lines) under the upstream model's own name. Seeds (code lists,
 * rules) are loaded once per run (see seeds.ts).
 *
 * Crashes. Each model commits alone, so a run killed half-way leaves some models built and the
 * rest not. Same-key incremental models lose nothing (each keeps its own batch watermark), but a
 * model of another grain may miss a change its upstream committed before the crash. So every
 * run is logged in `transform_run_log`, finished only at its end; a whole run that finds an
 * unfinished run of another process (there is one writer per file: it died) builds every model
 * in full and marks that run recovered.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { crashPoint } from '../lib/crash-points.ts';
import { type Database, inTransaction, queryRows, quoteIdent, tableExists } from '../lib/db.ts';
import type { Logger } from '../lib/log.ts';
import { announceFinishedRun, announceRunEnded, announceRunStarted } from '../lib/transform-events.ts';
import { ensureContractTables } from './contracts/store.ts';
import {
  descendants,
  INCREMENTAL_KEYS,
  type IncrementalKey,
  keyColumn,
  loadModels,
  type Model,
  type SqlModel,
  selectModels,
} from './models.ts';
import { CODELIST_SEEDS, ensureSeedTables, loadCodelists, loadOwnSeeds, OWN_SEEDS } from './seeds.ts';

export type ModelRun = {
  model: string;
  status: 'success' | 'failed' | 'skipped';
  mode: 'full' | 'incremental' | 'none';
  rows: number | null;
  durationMs: number;
  error: string | null;
};

export type RunSummary = {
  runId: number;
  models: ModelRun[];
  failed: number;
  skipped: number;
  /** What the run could not do fully (e.g. code lists missing), in sentences. */
  warnings: string[];
};

export type RunOptions = {
  /** Rebuild incremental models from scratch. */
  full?: boolean;
  /** dbt-style selectors (`name`, `+name`, `name+`); all models when absent. */
  select?: string[];
  models?: Model[];
  /**
   * The code lists folder (SPEND_CODELISTS_DIR); null when none is configured. Missing → empty
   * code-list seeds and a warning; our own seeds (transforms/seeds/) load either way. Undefined
   * keeps every seed table the connection already has (fixture tests insert their own rows),
   * creating empty ones if there are none.
   */
  codelistsDir?: string | null;
  /** Where the run's warnings are logged (they are in the summary too). */
  log?: Logger;
};

/** The ingested tables staging models read, as `src_<table>` (OCDS: the loaded contract releases). */
export const SOURCES = [
  'invoices',
  'invoice_lines',
  'purchase_orders',
  'purchase_order_lines',
  'ocds_packages',
  'ocds_releases',
] as const;

/** Keyed by the DuckDB instance: the API's gated Database (api/query-gate.ts) wraps the same one. */
const running = new WeakMap<Database['instance'], Promise<RunSummary>>();

/**
 * Runs the transforms on the database. Calls that overlap (the schedule and a command) share
 * one run instead of building the same tables twice at once.
 */
export function runTransforms(db: Database, options: RunOptions = {}): Promise<RunSummary> {
  const inFlight = running.get(db.instance);
  if (inFlight) return inFlight;
  const startedAt = performance.now();
  const run = db
    .withConnection((conn) => runOnConnection(conn, options))
    .then((summary) => {
      announceFinishedRun({
        db,
        runId: summary.runId,
        durationMs: performance.now() - startedAt,
        models: summary.models,
      });
      return summary;
    })
    .finally(() => running.delete(db.instance));
  running.set(db.instance, run);
  return run;
}

export async function runOnConnection(conn: DuckDBConnection, options: RunOptions = {}): Promise<RunSummary> {
  announceRunStarted();
  try {
    return await runModels(conn, options);
  } finally {
    announceRunEnded();
  }
}

async function runModels(conn: DuckDBConnection, options: RunOptions): Promise<RunSummary> {
  const models = options.models ?? loadModels();
  const selected = options.select?.length ? selectModels(models, options.select) : null;
  const runId = Number(
    (await queryRows<{ id: string }>(conn, "select nextval('transform_run_seq')::varchar as id"))[0]?.id,
  );
  const warnings: string[] = [];
  const recovering = await unfinishedRuns(conn);
  if (recovering.length > 0) {
    const warning = `transform run ${recovering.join(', ')} did not finish (its process stopped, or it failed, half-way): this run builds every model in full`;
    warnings.push(warning);
    options.log?.warn({ unfinishedRuns: recovering }, warning);
  }
  const full = (options.full ?? false) || recovering.length > 0;
  await conn.run(
    `insert into transform_run_log (run_id, started_at, selection, full_build)
     values ($runId, now()::timestamp, $selection, $full)`,
    { runId, selection: options.select?.length ? options.select.join(' ') : null, full },
  );
  runsInThisProcess.add(runId);
  try {
    return await runModelsLogged(conn, options, { runId, models, selected, warnings, full, recovering });
  } finally {
    runsInThisProcess.delete(runId);
  }
}

/** Runs started in this process and not ended: not unfinished runs of a dead process. */
const runsInThisProcess = new Set<number>();

/** Runs that never finished and that no run has recovered from, other than this process's own. */
async function unfinishedRuns(conn: DuckDBConnection): Promise<number[]> {
  const rows = await queryRows<{ run_id: string }>(
    conn,
    'select run_id::varchar as run_id from transform_run_log where finished_at is null and recovered_by is null order by run_id',
  );
  return rows.map((r) => Number(r.run_id)).filter((id) => !runsInThisProcess.has(id));
}

async function runModelsLogged(
  conn: DuckDBConnection,
  options: RunOptions,
  run: {
    runId: number;
    models: Model[];
    selected: Set<string> | null;
    warnings: string[];
    full: boolean;
    recovering: number[];
  },
): Promise<RunSummary> {
  const { runId, models, selected, warnings } = run;
  await ensureContractTables(conn);
  if (options.codelistsDir === undefined) await ensureSeedTables(conn);
  else {
    await loadOwnSeeds(conn);
    const warning = await loadCodelists(conn, options.codelistsDir);
    if (warning) {
      warnings.push(warning);
      options.log?.warn({ codelistsDir: options.codelistsDir }, warning);
    }
  }
  const state: RunState = {
    runId,
    full: run.full,
    fingerprint: await sharedInputsFingerprint(conn),
    built: new Map(),
    changedRows: new Map(),
    changesRead: changesRead(models),
    addedRows: new Map(),
    feedsSameKey: new Set(
      models.flatMap((m) =>
        m.incrementalBy && m.incrementalBy !== 'key'
          ? m.dependsOn.filter((d) => models.find((u) => u.name === d)?.incrementalBy === m.incrementalBy)
          : m.kind === 'sql' && m.incrementalBy === 'key'
            ? m.dependsOn.filter((d) =>
                sameGroupKey(
                  models.find((u) => u.name === d),
                  m,
                ),
              )
            : [],
      ),
    ),
    watched: new Set(models.flatMap((m) => (m.incrementalBy ? m.dependsOn : []))),
    models: new Map(models.map((m) => [m.name, m])),
  };
  const failedOrSkipped = new Set<string>();
  const results: ModelRun[] = [];

  for (const model of models) {
    if (selected && !selected.has(model.name)) continue;
    const startedAt = new Date();
    const blockedBy = model.dependsOn.find((dep) => failedOrSkipped.has(dep));
    let result: ModelRun;
    if (blockedBy) {
      failedOrSkipped.add(model.name);
      result = {
        model: model.name,
        status: 'skipped',
        mode: 'none',
        rows: null,
        durationMs: 0,
        error: `upstream model ${blockedBy} did not build`,
      };
    } else {
      try {
        const built = await buildModel(conn, model, state);
        result = {
          model: model.name,
          status: 'success',
          ...built,
          durationMs: Date.now() - startedAt.getTime(),
          error: null,
        };
      } catch (error) {
        failedOrSkipped.add(model.name);
        result = {
          model: model.name,
          status: 'failed',
          mode: 'none',
          rows: null,
          durationMs: Date.now() - startedAt.getTime(),
          error: error instanceof Error ? error.message : String(error),
        };
      }
    }
    if (result.status !== 'success') await markForFullRebuild(conn, model);
    crashPoint('transform-after-model');
    await conn.run(
      `insert into transform_runs (run_id, model, started_at, duration_ms, rows_written, status, mode, error)
       values ($runId, $model, $startedAt::timestamp, $durationMs, $rows, $status, $mode, $error)`,
      {
        runId,
        model: result.model,
        startedAt: startedAt.toISOString().replace('T', ' ').replace('Z', ''),
        durationMs: result.durationMs,
        rows: result.rows,
        status: result.status,
        mode: result.mode,
        error: result.error,
      },
    );
    results.push(result);
  }
  // An incremental model left out of a selection while upstream models ran may have missed a
  // rebuild its upstream did (a changed entity): it is built in full next time.
  if (selected) {
    for (const name of state.built.keys()) {
      for (const below of descendants(models, name)) {
        const model = state.models.get(below);
        if (model && !selected.has(below)) await markForFullRebuild(conn, model);
      }
    }
  }
  await defineFullSources(conn);
  const failed = results.filter((r) => r.status === 'failed').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  crashPoint('transform-before-run-recorded');
  await inTransaction(conn, async () => {
    await conn.run(
      'update transform_run_log set finished_at = now()::timestamp, failed = $failed, skipped = $skipped where run_id = $runId',
      { runId, failed, skipped },
    );
    // A selection rebuilt only part of the models: the next whole run still recovers.
    if (run.recovering.length > 0 && !selected) {
      await conn.run(
        `update transform_run_log set recovered_by = $runId where run_id in (${run.recovering.join(', ')})`,
        { runId },
      );
    }
  });
  return { runId, models: results, failed, skipped, warnings };
}

type RunState = {
  /** The run building the models (transform_run_log). */
  runId: number;
  full: boolean;
  /** Fingerprint of the inputs every model may read whole (seeds, rules, bodies). */
  fingerprint: string;
  /**
   * Models whose rows changed in this run: 'all' (built in full) or the temp table of the keys
   * (documents or groups) they rebuilt. A full model rebuilt to the same rows is not here.
   */
  built: Map<string, 'all' | string>;
  /** Incremental models' rows rebuilt in this run, before and after (a temp table each). */
  changedRows: Map<string, string>;
  /**
   * Models whose changed rows a companion query below them reads (changed_<model>), and the
   * names those queries use: only the model's columns among them are kept ('all' after a `*`).
   */
  changesRead: Map<string, Set<string> | 'all'>;
  /** Incremental models' rows inserted in this run (a temp table each), for models of their key below. */
  addedRows: Map<string, string>;
  /** Models incremental by a document with a model of the same key below them. */
  feedsSameKey: Set<string>;
  /** Full models an incremental model depends on: whether they changed is worth a fingerprint. */
  watched: Set<string>;
  models: Map<string, Model>;
};

/**
 * The inputs a model reads whole besides other models: a change to any rebuilds incremental
 * models in full (analysts' item match decisions: int_item_lines, rarely changed).
 */
async function sharedInputsFingerprint(conn: DuckDBConnection): Promise<string> {
  const tables = [
    'bodies',
    'classification_rules',
    'item_match_decisions',
    ...[...CODELIST_SEEDS, ...OWN_SEEDS].map((s) => s.table),
  ];
  const parts = tables.map(
    (t) => `(select count(*)::varchar || ':' || coalesce(bit_xor(hash(${t}))::varchar, '') from ${t})`,
  );
  const rows = await queryRows<{ f: string }>(conn, `select md5(concat_ws('|', ${parts.join(', ')})) as f`);
  return `inputs:${rows[0]?.f ?? ''}`;
}

async function tableComment(conn: DuckDBConnection, name: string): Promise<string | null | undefined> {
  const rows = await queryRows<{ comment: string | null }>(
    conn,
    "select comment from duckdb_tables() where schema_name = 'main' and table_name = $name and not temporary",
    { name },
  );
  return rows.length === 0 ? undefined : rows[0]?.comment;
}

async function markForFullRebuild(conn: DuckDBConnection, model: Model): Promise<void> {
  // staging models lose nothing: their batch watermark alone says what they have not read
  if (model.incrementalBy === null || model.layer === 'staging') return;
  if ((await tableComment(conn, model.name)) === undefined) return;
  await conn.run(`comment on table ${quoteIdent(model.name)} is 'rebuild in full'`);
}

/** The src_* views over whole tables (full builds, and every model that is not incremental). */
export async function defineFullSources(conn: DuckDBConnection): Promise<void> {
  for (const source of SOURCES) {
    await conn.run(`create or replace temp view src_${source} as select * from main.${source}`);
  }
}

/** The database's own name: temp views that share a name with a table must reach it fully qualified. */
async function databaseName(conn: DuckDBConnection): Promise<string> {
  const rows = await queryRows<{ db: string }>(conn, 'select current_database() as db');
  return quoteIdent(rows[0]?.db ?? 'main');
}

/** A table's column names: a model's (in main), or a temp table's this run made. */
async function columnsOf(
  conn: DuckDBConnection,
  table: string,
  where: 'main' | 'temp' = 'main',
): Promise<Set<string>> {
  const rows = await queryRows<{ name: string }>(
    conn,
    `select column_name as name from duckdb_columns()
     where ${where === 'temp' ? "database_name = 'temp'" : "schema_name = 'main'"} and table_name = $table and not internal`,
    { table },
  );
  return new Set(rows.map((r) => r.name));
}

/**
 * The condition matching a table's rows (under `alias`) to the keys in `keysTable`: a document's
 * key columns, or a model's group key (expressions, compared null-safe: a redacted payee's null
 * entity is a group too).
 */
function keyMatch(model: SqlModel, alias: string, keysTable: string, inputColumns?: Set<string>): string {
  if (model.incrementalBy === 'key') {
    return (model.groupKey ?? [])
      .map((key, i) => {
        const column = keyColumn(key);
        const derived = inputColumns && !inputColumns.has(column) ? model.keyInInputs?.[column] : undefined;
        const expression = derived
          ? qualify(derived.expression, derived.reads, alias)
          : key === column
            ? `${alias}.${column}`
            : key.replace(`(${column})`, `(${alias}.${column})`);
        return `${expression} is not distinct from ${keysTable}.k${i + 1}`;
      })
      .join(' and ');
  }
  const { columns } = INCREMENTAL_KEYS[model.incrementalBy as IncrementalKey];
  return columns.map((c) => `${alias}.${c} = ${keysTable}.${c}`).join(' and ');
}

/** An expression with the columns it reads prefixed by a table alias. */
function qualify(expression: string, columns: string[], alias: string): string {
  const outsideQuotes = expression.split(/('(?:[^']|'')*')/);
  return outsideQuotes
    .map((part, i) =>
      i % 2 === 1
        ? part
        : columns.reduce(
            (text, c) =>
              text.replace(new RegExp(`(?<![a-z0-9_.:])${c}(?![a-z0-9_(])`, 'gi'), `${alias}.${c}`),
            part,
          ),
    )
    .join('');
}

/**
 * Whether an input holds every column of a model's group key, or what a missing one is computed
 * from (`-- key in inputs:`): then it is restricted to the changed keys.
 */
function hasGroupKey(model: SqlModel, inputColumns: Set<string>): boolean {
  return (model.groupKey ?? []).map(keyColumn).every((column) => {
    if (inputColumns.has(column)) return true;
    const derived = model.keyInInputs?.[column];
    return derived?.reads.every((c) => inputColumns.has(c)) ?? false;
  });
}

/**
 * The views a model reads: src_* (staging), delta_<upstream> (the upstream restricted to the
 * documents or groups in `keysTable`, or whole when it is null) and changed_<upstream> (an
 * incremental upstream's rows rebuilt in this run, before and after; empty when it rebuilt none).
 */
async function defineInputs(
  conn: DuckDBConnection,
  model: SqlModel,
  state: RunState,
  keysTable: string | null,
): Promise<void> {
  const key = model.incrementalBy;
  if (model.layer === 'staging') {
    await defineFullSources(conn);
    if (keysTable && key && key !== 'key') {
      const restrict = (from: string) =>
        `${from} semi join ${keysTable} using (${INCREMENTAL_KEYS[key].columns.join(', ')})`;
      const [header, lines] =
        key === 'invoice' ? ['invoices', 'invoice_lines'] : ['purchase_orders', 'purchase_order_lines'];
      await conn.run(
        `create or replace temp view src_${header} as select * from ${restrict(`main.${header}`)}`,
      );
      await conn.run(
        `create or replace temp view src_${lines} as select * from ${restrict(`main.${lines}`)}`,
      );
    }
    return;
  }
  const db = await databaseName(conn);
  for (const dep of model.dependsOn) {
    const upstream = state.models.get(dep);
    const table = `${db}.main.${quoteIdent(dep)}`;
    let restricted = false;
    let columns: Set<string> | undefined;
    if (keysTable && key === 'key') {
      columns = await columnsOf(conn, dep);
      restricted = hasGroupKey(model, columns);
    } else if (keysTable && key) restricted = upstream?.incrementalBy === key;
    let from =
      keysTable && restricted
        ? `${table} as upstream semi join ${keysTable} on ${keyMatch(model, 'upstream', keysTable, columns)}`
        : table;
    const added = state.addedRows.get(dep);
    const rebuilt = state.built.get(dep);
    if (keysTable && restricted && key !== 'key' && added && rebuilt && rebuilt !== 'all') {
      // The upstream's rows of the documents it rebuilt in this run are at hand: only the
      // documents it did not rebuild (this model's stale ones) are looked up in its table.
      const using = `using (${INCREMENTAL_KEYS[key as IncrementalKey].columns.join(', ')})`;
      await conn.run(
        `create or replace temp table ${quoteIdent(`rest__${dep}`)} as
         select * from ${keysTable} anti join ${quoteIdent(rebuilt)} ${using}`,
      );
      const rest = await countRows(conn, quoteIdent(`rest__${dep}`));
      from = `(select * from ${quoteIdent(added)} semi join ${keysTable} ${using}${
        rest > 0
          ? ` union all by name select * from ${table} semi join ${quoteIdent(`rest__${dep}`)} ${using}`
          : ''
      })`;
    }
    if (keysTable && restricted && added && rebuilt && rebuilt !== 'all' && sameGroupKey(upstream, model)) {
      // The same for an upstream by the same key: its rows of the keys it rebuilt are at hand.
      const keys = (model.groupKey ?? []).map(
        (_, i) => `rebuilt.k${i + 1} is not distinct from keys.k${i + 1}`,
      );
      await conn.run(
        `create or replace temp table ${quoteIdent(`rest__${dep}`)} as
         select * from ${keysTable} as keys anti join ${quoteIdent(rebuilt)} as rebuilt on ${keys.join(' and ')}`,
      );
      const rest = await countRows(conn, quoteIdent(`rest__${dep}`));
      from = `(select * from ${quoteIdent(added)} as upstream semi join ${keysTable} on ${keyMatch(model, 'upstream', keysTable, columns)}${
        rest > 0
          ? ` union all by name select * from ${table} as upstream semi join ${quoteIdent(`rest__${dep}`)} as rest on ${keyMatch(model, 'upstream', 'rest', columns)}`
          : ''
      })`;
    }
    await conn.run(`create or replace temp view ${quoteIdent(`delta_${dep}`)} as select * from ${from}`);
    if (upstream?.incrementalBy || state.changesRead.has(dep)) {
      const rows = state.changedRows.get(dep);
      await conn.run(
        `create or replace temp view ${quoteIdent(`changed_${dep}`)} as select * from ${rows ? quoteIdent(rows) : `${table} where false`}`,
      );
    }
  }
}

/** Whether an upstream model is incremental by the same key (the same key expressions) as a model by key. */
function sameGroupKey(upstream: Model | undefined, model: SqlModel): boolean {
  return (
    upstream?.kind === 'sql' &&
    upstream.incrementalBy === 'key' &&
    model.incrementalBy === 'key' &&
    (upstream.groupKey ?? []).join('|') === (model.groupKey ?? []).join('|')
  );
}

/** For each model whose changed rows a companion query reads, the names those queries use. */
function changesRead(models: Model[]): Map<string, Set<string> | 'all'> {
  const read = new Map<string, Set<string> | 'all'>();
  for (const model of models) {
    if (model.kind !== 'sql') continue;
    const companion = model.staleSql ?? model.keysSql;
    if (!companion) continue;
    for (const dep of model.dependsOn.filter((d) => reads(companion, `changed_${d}`))) {
      const known = read.get(dep) ?? new Set<string>();
      if (known === 'all' || companion.includes('*')) read.set(dep, 'all');
      else read.set(dep, new Set([...known, ...(companion.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? [])]));
    }
  }
  return read;
}

/** Whether a companion query reads a model (by name, or its changed_ rows). */
export function reads(sql: string | undefined, model: string): boolean {
  return sql !== undefined && new RegExp(`(^|[^a-z0-9_])(changed_)?${model}([^a-z0-9_]|$)`, 'i').test(sql);
}

/**
 * Why an incremental model must be built in full in this run, else null. An input of its own
 * document key rebuilt whole; an incremental input of another grain rebuilt whole (which of its
 * rows changed is unknown); or an input of another grain that changed while its companion query
 * (stale or keys) does not read it, so it cannot say which rows that change touched.
 */
function fullBuildReason(model: SqlModel, state: RunState): string | null {
  for (const dep of model.dependsOn) {
    const changed = state.built.get(dep);
    if (!changed) continue;
    const upstream = state.models.get(dep);
    const sameKey = model.incrementalBy !== 'key' && upstream?.incrementalBy === model.incrementalBy;
    if (sameKey) {
      if (changed === 'all') return `${dep} was built in full`;
      continue;
    }
    if (upstream?.incrementalBy && changed === 'all') return `${dep} was built in full`;
    if (!reads(model.staleSql ?? model.keysSql, dep)) return `${dep} changed`;
  }
  return null;
}

async function buildModel(
  conn: DuckDBConnection,
  model: Model,
  state: RunState,
): Promise<{ mode: 'full' | 'incremental'; rows: number }> {
  if (model.kind === 'ts') {
    await defineFullSources(conn);
    const built = await inTransaction(conn, () => model.build(conn, { runId: state.runId }));
    // an unchanged TS model rewrote nothing: downstream models have nothing new from it
    if (!built.unchanged) state.built.set(model.name, 'all');
    return { mode: built.unchanged ? 'incremental' : 'full', rows: built.unchanged ? 0 : built.rows };
  }
  const target = quoteIdent(model.name);
  const key = model.incrementalBy;
  const fullBuild =
    key === null ||
    state.full ||
    !(await tableExists(conn, model.name)) ||
    (model.layer !== 'staging' && (await tableComment(conn, model.name)) !== state.fingerprint) ||
    fullBuildReason(model, state) !== null;
  if (fullBuild) {
    await defineInputs(conn, model, state, null);
    const watched = key === null && state.watched.has(model.name);
    const before = watched ? await tableComment(conn, model.name) : undefined;
    // a full model whose changed rows a companion query below reads: its rows as they were
    const diffed =
      key === null && state.changesRead.has(model.name) ? await keepOldRows(conn, model, state) : null;
    const { rows, content } = await inTransaction(conn, async () => {
      await conn.run(`create or replace table ${target} as ${model.sql}`);
      let content: string | null = null;
      if (key) {
        if (key !== 'key') await markAllBatchesConsumed(conn, model.name);
        if (model.layer !== 'staging') await conn.run(`comment on table ${target} is '${state.fingerprint}'`);
      } else if (watched) {
        content = await contentFingerprint(conn, target);
        await conn.run(`comment on table ${target} is '${content}'`);
      }
      return { rows: await countRows(conn, target), content };
    });
    // a full model rebuilt to the same rows changed nothing for the incremental models below it
    if (!watched || content !== before) {
      state.built.set(model.name, 'all');
      if (diffed !== null) await keepChangedRows(conn, model, state, diffed);
    } else if (diffed) await conn.run(`drop table ${quoteIdent(diffed)}`);
    return { mode: 'full', rows };
  }

  const keysTable = `changed__${model.name}`;
  const rows = await inTransaction(conn, async () => {
    await defineInputs(conn, model, state, null);
    if (key === 'key') {
      // the groups the run's changes touch, as the model's companion query finds them
      const names = (model.groupKey ?? []).map((_, i) => `k${i + 1}`).join(', ');
      await conn.run(
        `create or replace temp table changed_keys as select distinct * from (\n${model.keysSql}\n) as keys(${names})`,
      );
    } else {
      await conn.run(
        `create or replace temp table changed_keys as ${await changedDocuments(conn, model, state)}`,
      );
    }
    const changed = await countRows(conn, 'changed_keys');
    await conn.run(`create or replace temp table ${quoteIdent(keysTable)} as select * from changed_keys`);
    const inserted = changed === 0 ? 0 : await rebuildKeys(conn, model, state, target);
    if (key !== 'key') {
      await conn.run(
        'insert into transform_consumed_batches select $model, ingest_batch_id from new_batches',
        { model: model.name },
      );
    }
    return changed === 0 ? null : inserted;
  });
  if (rows !== null) state.built.set(model.name, keysTable);
  return { mode: 'incremental', rows: rows ?? 0 };
}

/**
 * The documents an incremental model rebuilds: those the ingest batches it has not consumed
 * touched, those upstream models of its key rebuilt in this run, and its stale documents.
 */
async function changedDocuments(conn: DuckDBConnection, model: SqlModel, state: RunState): Promise<string> {
  const { table, columns } = INCREMENTAL_KEYS[model.incrementalBy as IncrementalKey];
  const keyList = columns.join(', ');
  await conn.run(
    `create or replace temp table new_batches as
     select b.ingest_batch_id from ingest_batches as b
     anti join transform_consumed_batches as c
       on c.model = $model and c.ingest_batch_id = b.ingest_batch_id`,
    { model: model.name },
  );
  const sources = [`select ${keyList} from main.${table} semi join new_batches using (ingest_batch_id)`];
  let otherGrainChanged = false;
  for (const dep of model.dependsOn) {
    const changed = state.built.get(dep);
    if (!changed) continue;
    if (state.models.get(dep)?.incrementalBy === model.incrementalBy) {
      sources.push(`select ${keyList} from ${quoteIdent(changed)}`);
    } else otherGrainChanged = true;
  }
  // Stale rows can only come from a model of another grain that changed in this run (all of
  // which were built before this one, so a single look suffices).
  if (model.staleSql && otherGrainChanged) sources.push(`select ${keyList} from (\n${model.staleSql}\n)`);
  return `select distinct * from (${sources.join(' union all ')})`;
}

/**
 * Deletes the model's rows for the documents or groups in changed_keys and inserts them rebuilt.
 * When a model below reads changed_<model>, the rows deleted and inserted are kept for it.
 */
async function rebuildKeys(
  conn: DuckDBConnection,
  model: SqlModel,
  state: RunState,
  target: string,
): Promise<number> {
  await defineInputs(conn, model, state, 'changed_keys');
  const match = keyMatch(model, target, 'changed_keys');
  const read = state.changesRead.get(model.name);
  const kept = read ? quoteIdent(`rows_changed__${model.name}`) : null;
  // only the columns the queries below name: the old rows of a wide model cost a scan of each
  let keptColumns = '*';
  if (read && read !== 'all') {
    const named = [...(await columnsOf(conn, model.name))].filter((c) => read.has(c.toLowerCase()));
    if (named.length > 0) keptColumns = named.map(quoteIdent).join(', ');
  }
  if (kept) {
    await conn.run(
      `create or replace temp table ${kept} as select ${keptColumns} from ${target} semi join changed_keys on ${match}`,
    );
  }
  await conn.run(`delete from ${target} using changed_keys where ${match}`);
  crashPoint('transform-mid-merge');
  const feeds = state.feedsSameKey.has(model.name);
  if (!kept && !feeds) {
    const inserted = await conn.runAndReadAll(
      `insert into ${target} by name select * from (\n${model.sql}\n)`,
    );
    return Number(inserted.getRows()[0]?.[0] ?? 0);
  }
  const added = quoteIdent(`rows_added__${model.name}`);
  await conn.run(`create or replace temp table ${added} as select * from (\n${model.sql}\n)`);
  await conn.run(`insert into ${target} by name select * from ${added}`);
  if (kept) {
    await conn.run(`insert into ${kept} by name select ${keptColumns} from ${added}`);
    state.changedRows.set(model.name, `rows_changed__${model.name}`);
  }
  const count = await countRows(conn, added);
  // models of the same key below read these rows instead of looking them up in the table
  if (feeds) state.addedRows.set(model.name, `rows_added__${model.name}`);
  else await conn.run(`drop table ${added}`);
  return count;
}

/**
 * The columns of a model's table that the companion queries below it name (changed_<model>), or
 * all of them ('all' after a `*`).
 */
async function columnsRead(conn: DuckDBConnection, model: Model, state: RunState): Promise<string[]> {
  const read = state.changesRead.get(model.name);
  const columns = [...(await columnsOf(conn, model.name))];
  if (!read || read === 'all') return columns;
  const named = columns.filter((c) => read.has(c.toLowerCase()));
  return named.length > 0 ? named : columns;
}

/**
 * Before a full model whose changed rows a companion query reads is rebuilt: its rows as they
 * are (the columns the queries name), in a temp table; '' when it has no table yet (every row it
 * has after the build is new).
 */
async function keepOldRows(conn: DuckDBConnection, model: Model, state: RunState): Promise<string> {
  if (!(await tableExists(conn, model.name))) return '';
  const old = `rows_before__${model.name}`;
  const columns = await columnsRead(conn, model, state);
  await conn.run(
    `create or replace temp table ${quoteIdent(old)} as select ${columns.map(quoteIdent).join(', ')} from ${quoteIdent(model.name)}`,
  );
  return old;
}

/**
 * After it is rebuilt: the rows that differ in the columns the companion queries name, as they
 * were and as they are (changed_<model>). A full model's rows that merely were rebuilt, or that
 * differ only in columns no query names, are not changes.
 */
async function keepChangedRows(
  conn: DuckDBConnection,
  model: Model,
  state: RunState,
  old: string,
): Promise<void> {
  const columns = await columnsRead(conn, model, state);
  const list = columns.map(quoteIdent).join(', ');
  const oldColumns = old ? await columnsOf(conn, old, 'temp') : new Set<string>();
  // a column the old table lacked (the model's code changed): every old row differs
  const oldList = columns
    .map((c) => (oldColumns.has(c) ? quoteIdent(c) : `null as ${quoteIdent(c)}`))
    .join(', ');
  const target = quoteIdent(model.name);
  const changed = quoteIdent(`rows_changed__${model.name}`);
  await conn.run(
    old
      ? `create or replace temp table ${changed} as
         (select ${oldList} from ${quoteIdent(old)} except all select ${list} from ${target})
         union all
         (select ${list} from ${target} except all select ${oldList} from ${quoteIdent(old)})`
      : `create or replace temp table ${changed} as select ${list} from ${target}`,
  );
  if (old) await conn.run(`drop table ${quoteIdent(old)}`);
  state.changedRows.set(model.name, `rows_changed__${model.name}`);
}

/** A full model's rows, fingerprinted (count and sum of row hashes): unchanged rows, same text. */
async function contentFingerprint(conn: DuckDBConnection, target: string): Promise<string> {
  const rows = await queryRows<{ f: string }>(
    conn,
    `select 'content:' || count(*)::varchar || ':' || coalesce(sum(hash(t)::hugeint)::varchar, '') as f from ${target} as t`,
  );
  return rows[0]?.f ?? '';
}

async function markAllBatchesConsumed(conn: DuckDBConnection, model: string): Promise<void> {
  await conn.run('delete from transform_consumed_batches where model = $model', { model });
  await conn.run(
    'insert into transform_consumed_batches select $model, ingest_batch_id from ingest_batches',
    { model },
  );
}

async function countRows(conn: DuckDBConnection, target: string): Promise<number> {
  const rows = await queryRows<{ n: string }>(conn, `select count(*)::varchar as n from ${target}`);
  return Number(rows[0]?.n ?? 0);
}

/** The latest run of each model, for `spend transforms status`. */
export async function lastRuns(conn: DuckDBConnection): Promise<Record<string, unknown>[]> {
  return queryRows(
    conn,
    `select model, run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') as started_at, duration_ms,
            rows_written::varchar as rows_written, status, mode, error
     from transform_runs
     qualify row_number() over (partition by model order by run_id desc) = 1
     order by model`,
  );
}

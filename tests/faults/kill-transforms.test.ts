/**
 * kill -9 of `spend serve` during a transform run: FAULT_ROUNDS kills at a random moment of a run
 * (seeded), plus one at every transform SPEND_CRASH_AT point (after a model committed, in an
 * incremental merge between its delete and its insert, before the run is recorded as finished).
 * Every round adds invoices (new suppliers, and corrections of earlier invoices) so the runs
 * are incremental and have work to do. After each kill:
 *   - the file as the kill left it records no partial run as complete: every finished run in
 *     transform_run_log has a transform_runs row for every model, the killed run is unfinished;
 *   - a new owner's run finishes with no failed model, and then every model's table equals a
 *     full rebuild of the same data: a copy of the file rebuilt with `spend transforms run
 *     --full` by a separate process, compared table by table, row for row (EXCEPT ALL both ways).
 */
import { copyFileSync, existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../ingest/schema-migrations.ts';
import type { InvoiceV1 } from '../../ingest/topics/invoices/schema.ts';
import { TRANSFORM_CRASH_POINTS } from '../../lib/config.ts';
import { Database, queryRows } from '../../lib/db.ts';
import { callOperation } from '../../owner/call-operation.ts';
import { loadModels } from '../../transforms/models.ts';
import type { RunSummary } from '../../transforms/runner.ts';
import { manyInvoices, penceToString, sendInvoices } from '../helpers/messages.ts';
import { createPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { FAULT_ROUNDS, FAULT_SEED, randomInt, say, seededRandom } from './support.ts';

const BODY = 'transform-council';
const PER_ROUND = 400;
const CORRECTIONS_PER_ROUND = 25;
// Never fires during a test: runs are started by the test alone.
const NO_SCHEDULE = { TRANSFORMS_CRON: '0 0 1 1 *' };
const SUPPLIERS = [
  'EDF ENERGY PLC',
  'Edf Energy',
  'BRITISH GAS TRADING LTD',
  'Office Depot UK Ltd',
  'OFFICE DEPOT UK LIMITED',
  'Capita Business Services Ltd',
  'Reed Specialist Recruitment Limited',
  'Reed#Reed Specialist Recruitment Limited',
  'Keys PCE',
  'Keys Group PCE',
  'DONAGHY BROS',
  'Veolia ES (UK) Ltd',
];
const DESCRIPTIONS = [
  'Electricity',
  'Gas supply',
  'A4 paper',
  'Agency staff',
  'Care placement',
  'Waste collection',
];

/** The round's invoices, varied in supplier and line description (so the marts have groups). */
function roundInvoices(round: number): InvoiceV1[] {
  return manyInvoices(BODY, PER_ROUND, `R${round}`).map((inv, i) => ({
    ...inv,
    supplier: { name: SUPPLIERS[(i + round) % SUPPLIERS.length] as string },
    lines: inv.lines?.map((line, j) => ({
      ...line,
      description: DESCRIPTIONS[(i + j + round) % DESCRIPTIONS.length] as string,
    })),
  }));
}

/** Corrections of earlier rounds' invoices without lines: a new amount, so a new version of the key. */
function corrections(earlier: readonly InvoiceV1[], round: number): InvoiceV1[] {
  const candidates = earlier.filter((inv) => !inv.lines);
  return Array.from({ length: Math.min(CORRECTIONS_PER_ROUND, candidates.length) }, (_, i) => {
    const inv = candidates[(i * 37 + round * 11) % candidates.length] as InvoiceV1;
    return { ...inv, netAmount: penceToString(BigInt(1000 + round * 100 + i)), vatAmount: '2.00' };
  });
}

type RunLog = { run_id: string; finished: boolean; models_recorded: number };

async function runLog(dbPath: string): Promise<RunLog[]> {
  const db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
  try {
    return await db.withConnection((conn) =>
      queryRows<RunLog>(
        conn,
        `select l.run_id::varchar as run_id, l.finished_at is not null as finished,
                (select count(*)::integer from transform_runs as r where r.run_id = l.run_id) as models_recorded
           from transform_run_log as l order by l.run_id`,
      ),
    );
  } finally {
    db.close();
  }
}

/** Model tables whose rows differ between two database files, with the counts either way. */
async function differingModels(a: string, b: string, models: string[]): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`attach '${a}' as a (read_only)`);
    await conn.run(`attach '${b}' as b (read_only)`);
    const tables = new Set(
      (
        await conn.runAndReadAll(
          "select table_name from duckdb_tables() where database_name = 'a' and schema_name = 'main'",
        )
      )
        .getRows()
        .map((r) => String(r[0])),
    );
    const differing: string[] = [];
    for (const model of models.filter((m) => tables.has(m))) {
      const columns = (
        await conn.runAndReadAll(
          `select column_name from duckdb_columns() where database_name = 'a' and schema_name = 'main' and table_name = '${model}' order by column_index`,
        )
      )
        .getRows()
        .map((r) => `"${String(r[0])}"`)
        .join(', ');
      const count = async (x: string, y: string) =>
        Number(
          (
            await conn.runAndReadAll(
              `select count(*) from (select ${columns} from ${x}.main."${model}" except all select ${columns} from ${y}.main."${model}")`,
            )
          ).getRows()[0]?.[0],
        );
      const onlyHere = await count('a', 'b');
      const onlyThere = await count('b', 'a');
      if (onlyHere + onlyThere > 0)
        differing.push(`${model} (${onlyHere} rows only incremental, ${onlyThere} only full)`);
    }
    return differing;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** After the kill: an owner runs the transforms to the end; its tables must equal a full rebuild. */
async function recoverAndCompare(pipeline: Pipeline, modelNames: string[]): Promise<RunSummary> {
  const owner = pipeline.startOwner('serve', NO_SCHEDULE);
  await owner.ready();
  const summary = (await callOperation(pipeline.config, 'transforms.run', {
    codelistsDir: pipeline.config.codelistsDir,
  })) as RunSummary;
  owner.child.kill('SIGTERM');
  expect(await owner.exited).toEqual({ code: 0, signal: null });
  expect(
    summary.models.filter((m) => m.status !== 'success').map((m) => `${m.model}: ${m.error}`),
    'models that did not build after the restart',
  ).toEqual([]);
  const dbPath = pipeline.config.dbPath;
  const copy = `${dbPath}.full-rebuild.duckdb`;
  copyFileSync(dbPath, copy);
  if (existsSync(`${dbPath}.wal`)) copyFileSync(`${dbPath}.wal`, `${copy}.wal`);
  const rebuilt = await pipeline.cli(['transforms', 'run', '--full', '--json'], { SPEND_DB: copy });
  expect(rebuilt.code, rebuilt.stderr).toBe(0);
  expect(await differingModels(dbPath, copy, modelNames), 'models that differ from a full rebuild').toEqual(
    [],
  );
  return summary;
}

describe('kill -9 of the owner during a transform run', () => {
  const rounds = FAULT_ROUNDS + TRANSFORM_CRASH_POINTS.length;
  it(`builds every model as a full rebuild would after ${rounds} kills (seed ${FAULT_SEED})`, async ({
    task,
  }) => {
    task.meta.faults = { tried: rounds, survived: 0 };
    const random = seededRandom(FAULT_SEED + 1);
    const modelNames = loadModels().map((m) => m.name);
    const pipeline = await createPipeline(NO_SCHEDULE);
    const added = await pipeline.cli([
      'bodies',
      'add',
      BODY,
      '--name',
      'Transform Council',
      '--joined',
      '2023-04-01',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const producer = await pipeline.producer();
    const produced: InvoiceV1[] = [];
    const produce = async (round: number) => {
      const fresh = roundInvoices(round);
      const batch = [...fresh, ...corrections(produced, round)];
      await sendInvoices(producer, pipeline.config.topics.invoices, batch, {
        from: 0,
        to: batch.length,
        chunk: 500,
      });
      produced.push(...fresh);
    };

    // A first run builds every table; the length of a second, incremental one (a round's worth
    // of new invoices) bounds the random kill moments.
    await produce(0);
    let owner = pipeline.startOwner('serve', NO_SCHEDULE);
    await owner.ready();
    await pipeline.waitUntilIngested(120_000);
    const run = () =>
      callOperation(pipeline.config, 'transforms.run', { codelistsDir: pipeline.config.codelistsDir });
    await run();
    await produce(1000);
    await pipeline.waitUntilIngested(120_000);
    const began = performance.now();
    await run();
    const runMs = performance.now() - began;
    owner.child.kill('SIGTERM');
    await owner.exited;
    say(`an incremental run: ${Math.round(runMs)} ms`);

    // The crash points, each once, at random places among the random kills.
    const plan: ({ point: (typeof TRANSFORM_CRASH_POINTS)[number] } | { fraction: number })[] = Array.from(
      { length: FAULT_ROUNDS },
      () => ({ fraction: random() * 0.95 }),
    );
    for (const point of TRANSFORM_CRASH_POINTS) plan.splice(randomInt(random, 0, plan.length), 0, { point });

    let survived = 0;
    for (const [index, step] of plan.entries()) {
      const round = index + 1;
      await produce(round);
      let how: string;
      if ('point' in step) {
        // The N-th model of the run, or the N-th merge; the run's end has one point only.
        const after =
          step.point === 'transform-before-run-recorded'
            ? 1
            : randomInt(random, 1, step.point === 'transform-mid-merge' ? 4 : 40);
        how = `SPEND_CRASH_AT=${step.point} (reached ${after} times)`;
        owner = pipeline.startOwner('serve', {
          ...NO_SCHEDULE,
          SPEND_CRASH_AT: step.point,
          SPEND_CRASH_AFTER_BATCHES: String(after),
        });
        await owner.ready();
        await pipeline.waitUntilIngested(120_000);
        const killedRun = run();
        killedRun.catch(() => undefined);
        const exit = await owner.exited;
        expect(exit.signal, `the owner did not reach ${step.point}:\n${owner.stderr().slice(-3000)}`).toBe(
          'SIGKILL',
        );
        await expect(killedRun).rejects.toThrow();
      } else {
        owner = pipeline.startOwner('serve', NO_SCHEDULE);
        await owner.ready();
        await pipeline.waitUntilIngested(120_000);
        const delayMs = Math.round(step.fraction * runMs);
        how = `kill -9 ${delayMs} ms into a run (${Math.round(step.fraction * 100)} % of the last run's ${Math.round(runMs)} ms)`;
        let ended = false;
        run().then(
          () => (ended = true),
          () => undefined,
        );
        // The fault is the moment of the kill: a chosen point of the run, not a wait for an event.
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        owner.child.kill('SIGKILL');
        expect((await owner.exited).signal).toBe('SIGKILL');
        if (ended) how += ', after the run had ended';
      }

      // As the kill left it: no run that did not reach its end is recorded as finished.
      const log = await runLog(pipeline.config.dbPath);
      for (const entry of log.filter((e) => e.finished)) {
        expect(entry.models_recorded, `run ${entry.run_id} finished with models missing`).toBe(
          modelNames.length,
        );
      }
      const killed = log.at(-1);
      const killedState =
        killed && !killed.finished
          ? `run ${killed.run_id} left unfinished with ${killed.models_recorded} models recorded`
          : 'killed before the run was logged';
      if ('point' in step) expect(killed?.finished, 'the killed run is recorded as finished').toBe(false);

      const summary = await recoverAndCompare(pipeline, modelNames);
      survived++;
      task.meta.faults = { tried: rounds, survived };
      say(
        `round ${round}/${plan.length}: ${how}; ${killedState}; ` +
          `the next run (${summary.warnings.some((w) => w.includes('did not finish')) ? 'in full, recovering' : 'incremental'}) equals a full rebuild`,
      );
    }
  });
});

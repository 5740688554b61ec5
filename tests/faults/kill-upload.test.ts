/**
 * kill -9 during an upload of a real file (Bolton's November 2023 spend, 2,562 payments, cp1252
 * with "£" amounts): at every upload SPEND_CRASH_AT point of `spend upload` (once the upload is
 * recorded, after the first batch the broker acknowledged, with everything sent but before the
 * report is stored), and FAULT_ROUNDS times at a random moment of the upload (seeded), killing
 * either the uploading `spend upload` or the owner `spend serve`. Each round uploads for a body
 * of its own. After the kill:
 *   - the upload is either complete with exactly the file's rows and total, or listed as not
 *     complete ('interrupted' once its process is gone; never 'uploaded', never still
 *     'uploading');
 *   - the same file uploaded again (`spend upload --wait`) reconciles: the body's current
 *     invoices are exactly the file's payments with exactly its total, so nothing sent before the
 *     kill counts twice;
 *   - a third upload of the file is a duplicate and sends nothing (the topic's end offsets stay).
 * Expected figures come from a plain reading of the file (tests/helpers/plain-csv.ts), summing
 * the amounts as BigInt pence, never from the product's money code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { highWatermarks } from '../../ingest/lag.ts';
import { MIGRATIONS_DIR } from '../../ingest/schema-migrations.ts';
import type { UploadListing } from '../../ingest/uploads/records.ts';
import type { UploadSummary } from '../../ingest/uploads/report.ts';
import { UPLOAD_CRASH_POINTS } from '../../lib/config.ts';
import { Database, queryRows } from '../../lib/db.ts';
import { callOperation } from '../../owner/call-operation.ts';
import { penceToString } from '../helpers/messages.ts';
import { createPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { decode, pence, splitCsv } from '../helpers/plain-csv.ts';
import { sharedDataPresent } from '../helpers/shared-data.ts';
import { FAULT_ROUNDS, FAULT_SEED, randomInt, say, seededRandom } from './support.ts';

const FILE = resolve(
  import.meta.dirname,
  '../../../shared/datasets/uk-spend/2023-11/bolton/bolton_nov_2023.csv',
);
const available = sharedDataPresent('kill-upload', FILE);
const SPEND_BIN = resolve(import.meta.dirname, '../../bin/spend.js');
const NO_SCHEDULE = { TRANSFORMS_CRON: '0 0 1 1 *' };

/** The file's payments and their net total, read plainly: rows of "Bolton MBC", column " Amount". */
function expectedFromFile(): { payments: number; total: string } {
  const rows = splitCsv(decode(readFileSync(FILE)));
  const amount = (rows[0] ?? []).findIndex((name) => name.trim() === 'Amount');
  const data = rows.filter((cells) => cells[0] === 'Bolton MBC');
  return {
    payments: data.length,
    total: penceToString(data.reduce((sum, c) => sum + pence(c[amount] ?? ''), 0n)),
  };
}

type Child = { child: ChildProcess; exited: Promise<NodeJS.Signals | number | null>; stderr: () => string };

function spendUpload(pipeline: Pipeline, body: string, extraEnv: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [SPEND_BIN, 'upload', '--body', body, FILE], {
    env: { ...process.env, ...pipeline.env, ...extraEnv },
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdout?.resume();
  const exited = new Promise<NodeJS.Signals | number | null>((r) =>
    child.on('exit', (code, signal) => r(signal ?? code)),
  );
  return { child, exited, stderr: () => stderr };
}

async function uploadsOf(pipeline: Pipeline, body: string): Promise<UploadListing[]> {
  return (await callOperation(pipeline.config, 'uploads.list', { bodyId: body })) as UploadListing[];
}

/** The body's current invoices in DuckDB (latest version of each key), read from the file. */
async function currentInvoices(dbPath: string, body: string) {
  const db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
  try {
    return await db.withConnection(async (conn) => {
      const [row] = await queryRows<{ n: number; ids: number; total: string; versions: number }>(
        conn,
        `select count(*)::integer as n, count(distinct invoice_id)::integer as ids,
                coalesce(sum(net_amount), 0)::decimal(38, 2)::varchar as total,
                (select count(*)::integer from invoices where body_id = $body) as versions
           from current_invoices where body_id = $body`,
        { body },
      );
      return row as { n: number; ids: number; total: string; versions: number };
    });
  } finally {
    db.close();
  }
}

describe.skipIf(!available)('kill -9 during an upload', () => {
  const rounds = FAULT_ROUNDS + UPLOAD_CRASH_POINTS.length;
  it(`leaves every upload complete and exact, or marked not complete, over ${rounds} kills (seed ${FAULT_SEED})`, async ({
    task,
  }) => {
    task.meta.faults = { tried: rounds, survived: 0 };
    const random = seededRandom(FAULT_SEED + 2);
    const want = expectedFromFile();
    const pipeline = await createPipeline(NO_SCHEDULE);
    const addBody = (bodyId: string) =>
      callOperation(pipeline.config, 'bodies.add', { bodyId, name: bodyId, joinedOn: '2017-01-01' });

    // One upload undisturbed: how long one takes from its start being recorded to its end.
    let owner = pipeline.startOwner('serve', NO_SCHEDULE);
    await owner.ready();
    await addBody('upload-baseline');
    const baseline = spendUpload(pipeline, 'upload-baseline');
    while ((await uploadsOf(pipeline, 'upload-baseline')).length === 0)
      await new Promise((r) => setTimeout(r, 10));
    const began = performance.now();
    expect(await baseline.exited, baseline.stderr()).toBe(0);
    const uploadMs = performance.now() - began;
    say(`an upload of ${want.payments} payments (£${want.total}): ${Math.round(uploadMs)} ms after it began`);

    type Step =
      | { point: (typeof UPLOAD_CRASH_POINTS)[number] }
      | { fraction: number; target: 'uploader' | 'owner' };
    const plan: Step[] = Array.from({ length: FAULT_ROUNDS }, () => ({
      fraction: random(),
      target: random() < 0.5 ? 'uploader' : 'owner',
    }));
    for (const point of UPLOAD_CRASH_POINTS) plan.splice(randomInt(random, 0, plan.length), 0, { point });

    let survived = 0;
    for (const [index, step] of plan.entries()) {
      const round = index + 1;
      const body = `upload-${round}`;
      if (owner.child.exitCode !== null || owner.child.signalCode !== null) {
        owner = pipeline.startOwner('serve', NO_SCHEDULE);
        await owner.ready();
      }
      await addBody(body);
      let how: string;
      if ('point' in step) {
        how = `SPEND_CRASH_AT=${step.point} in spend upload`;
        const upload = spendUpload(pipeline, body, {
          SPEND_CRASH_AT: step.point,
          SPEND_CRASH_AFTER_BATCHES: '1',
        });
        expect(await upload.exited, upload.stderr()).toBe('SIGKILL');
      } else {
        const upload = spendUpload(pipeline, body);
        while ((await uploadsOf(pipeline, body)).length === 0) await new Promise((r) => setTimeout(r, 10));
        // Within the first 70 % of an undisturbed upload's time: most kills land while it runs.
        const delayMs = Math.round(step.fraction * 0.7 * uploadMs);
        // The fault is the moment of the kill: a chosen point of the upload, not a wait for an event.
        await new Promise((r) => setTimeout(r, delayMs));
        const victim = step.target === 'uploader' ? upload.child : owner.child;
        const alreadyEnded = upload.child.exitCode !== null;
        victim.kill('SIGKILL');
        const exit = await upload.exited;
        how = `kill -9 of ${step.target === 'uploader' ? 'spend upload' : 'spend serve'} ${delayMs} ms after the upload began${alreadyEnded ? ' (the upload had ended)' : ''}; spend upload ended with ${exit}`;
        if (step.target === 'owner') {
          await owner.exited;
          owner = pipeline.startOwner('serve', NO_SCHEDULE);
          await owner.ready();
        }
      }

      // Complete and exact, or clearly not complete.
      const after = await uploadsOf(pipeline, body);
      expect(after).toHaveLength(1);
      const killed = after[0] as UploadListing;
      if (killed.status === 'uploaded') {
        expect(killed).toMatchObject({ accepted: want.payments, rejected: 0, acceptedNetTotal: want.total });
      } else
        expect(killed.status, 'an upload whose process is gone still says uploading').toBe('interrupted');

      // Again, to the end: the body's current invoices are exactly the file's.
      const again = await pipeline.cli(['upload', '--body', body, '--wait', '--json', FILE]);
      expect(again.code, again.stderr).toBe(0);
      const summary = JSON.parse(again.stdout.trim().split('\n')[0] as string) as UploadSummary;
      expect(summary).toMatchObject({ accepted: want.payments, acceptedNetTotal: want.total });
      // A duplicate names the earlier upload; a new upload is ingested and checked in DuckDB.
      if (killed.status === 'uploaded') expect(summary.uploadId).toBe(killed.uploadId);
      else expect(summary).toMatchObject({ ingested: true });
      expect(summary.uploadId === killed.uploadId).toBe(killed.status === 'uploaded');

      // A third time: a duplicate, nothing sent.
      const ends = await highWatermarks(pipeline.kafka, [pipeline.config.topics.invoices]);
      const third = await pipeline.cli(['upload', '--body', body, '--json', FILE]);
      expect(third.code, third.stderr).toBe(0);
      expect((JSON.parse(third.stdout.trim()) as UploadSummary).uploadId, 'not a duplicate').toBe(
        summary.uploadId,
      );
      expect(await highWatermarks(pipeline.kafka, [pipeline.config.topics.invoices])).toEqual(ends);

      await pipeline.waitUntilIngested(120_000);
      owner.child.kill('SIGTERM');
      expect(await owner.exited).toEqual({ code: 0, signal: null });
      const stored = await currentInvoices(pipeline.config.dbPath, body);
      expect(stored, 'the body’s current invoices').toMatchObject({
        n: want.payments,
        ids: want.payments,
        total: want.total,
      });
      survived++;
      task.meta.faults = { tried: rounds, survived };
      say(
        `round ${round}/${plan.length}: ${how}; left ${killed.status}` +
          `${killed.status === 'uploaded' ? '' : ` with ${stored.versions - want.payments} documents sent before the kill`}; ` +
          `after the re-upload ${stored.n} current invoices, £${stored.total}: exact`,
      );
    }
  });
});

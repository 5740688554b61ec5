/**
 * The transforms schedule inside the owning process (`spend serve`): node-cron in UTC, never
 * overlapping itself (a run still going when the next tick comes skips that tick).
 */
import cron from 'node-cron';
import type { Database } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { runTransforms } from './runner.ts';

export type TransformSchedule = { stop(): Promise<void> };

export function startTransformSchedule(
  db: Database,
  expression: string,
  log: Logger,
  options: { codelistsDir: string | null } = { codelistsDir: null },
): TransformSchedule {
  if (!cron.validate(expression)) {
    throw new UserError(
      'invalid-input',
      `TRANSFORMS_CRON="${expression}" is not a cron expression such as "*/15 * * * *".`,
    );
  }
  let current: Promise<unknown> = Promise.resolve();
  const task = cron.schedule(
    expression,
    async () => {
      const run = runTransforms(db, { codelistsDir: options.codelistsDir, log });
      current = run.catch(() => undefined);
      const summary = await run;
      const level = summary.failed > 0 ? 'warn' : 'info';
      log[level](
        {
          runId: summary.runId,
          models: summary.models.length,
          failed: summary.failed,
          skipped: summary.skipped,
        },
        'transforms ran',
      );
    },
    { timezone: 'UTC', noOverlap: true, name: 'transforms' },
  );
  return {
    stop: async () => {
      await task.destroy();
      // Let a run in progress finish its transaction before the database closes.
      await current;
    },
  };
}

/**
 * The test-only crash switch of transform runs and uploads (SPEND_CRASH_AT with a transform or
 * upload point; the ingest points have their own, ingest/crash-switch.ts, which counts batches).
 * The process that runs them installs it once from its configuration; a point kills the process
 * (SIGKILL, as kill -9 would) the SPEND_CRASH_AFTER_BATCHES-th time it is reached. Without an
 * installed switch, or at another point, crashPoint() does nothing.
 */
import type { Config, CrashPoint } from './config.ts';

let armed: { point: CrashPoint; after: number } | undefined;
let reached = 0;

export function installCrashPoints(
  config: Pick<Config, 'crashAt' | 'crashAfterBatches' | 'crashMode'>,
): void {
  armed =
    config.crashAt && config.crashMode === 'kill'
      ? { point: config.crashAt, after: config.crashAfterBatches }
      : undefined;
  reached = 0;
}

export function crashPoint(point: CrashPoint): void {
  if (armed?.point !== point) return;
  reached++;
  if (reached < armed.after) return;
  // Written synchronously: the fault tests wait for this line's effect (the process gone), and a
  // log line still buffered would die with it.
  process.stderr.write(
    `SPEND_CRASH_AT=${point}: killing the process on purpose (reached ${reached} times)\n`,
  );
  process.kill(process.pid, 'SIGKILL');
}

/**
 * Transform runs, announced as they start and finish, for whoever in the process wants to know
 * (the API's metrics and answer cache): transforms/runner.ts emits, nobody has to import the
 * transforms to listen. `runsInProgress` counts every run of this process, of any database,
 * whole or of one model (runOnConnection); `onFinishedRun` hears whole runs (runTransforms) of one
 * database, with their timings.
 */
import { EventEmitter } from 'node:events';
import type { Database } from './db.ts';

export type FinishedRun = {
  db: Database;
  runId: number;
  /** From the run's start to its last model's end. */
  durationMs: number;
  models: { model: string; status: string; mode: string; durationMs: number }[];
};

const events = new EventEmitter();
// one listener per API instance; tests start many in one process
events.setMaxListeners(0);

export function announceFinishedRun(run: FinishedRun): void {
  events.emit('finished', run);
}

/** Calls `listener` with every run finished on `db`; returns the unsubscribe. */
export function onFinishedRun(db: Database, listener: (run: FinishedRun) => void): () => void {
  const forDb = (run: FinishedRun) => {
    // the same database file, however it is wrapped (the API's is gated: api/query-gate.ts)
    if (run.db.instance === db.instance) listener(run);
  };
  events.on('finished', forDb);
  return () => events.off('finished', forDb);
}

let inProgress = 0;
let finishedEver = 0;

/** Called by the runner around every run, whole or partial, on any connection. */
export function announceRunStarted(): void {
  inProgress++;
}
export function announceRunEnded(): void {
  inProgress = Math.max(0, inProgress - 1);
  finishedEver++;
  events.emit('ended');
}

/** Runs going on now in this process, and how many have ended since it started. */
export function transformActivity(): { inProgress: number; ended: number } {
  return { inProgress, ended: finishedEver };
}

/**
 * Transform runs, announced as they finish, for whoever in the process wants to know (the API's
 * metrics): transforms/runner.ts emits, nobody has to import the transforms to listen.
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
    if (run.db === db) listener(run);
  };
  events.on('finished', forDb);
  return () => events.off('finished', forDb);
}

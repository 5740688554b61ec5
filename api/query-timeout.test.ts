/**
 * Every API query runs under a timeout enforced with DuckDB's own interrupt (api/respond.ts
 * withQueryTimeout), and is interrupted too when its client goes away. The query here would run
 * for hours (a hash summed over a trillion rows, which no optimiser can shortcut), so each test
 * can only end because DuckDB stopped it: nothing rests on how fast the machine is. Afterwards
 * the same database still answers, so an interrupted query holds no thread or lock.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database, queryRows } from '../lib/db.ts';
import { ClientGoneError, HttpError } from './problem.ts';
import { withQueryTimeout } from './respond.ts';

const ENDLESS = 'select sum(hash(i)) as h from range(1000000000000) t(i)';

const dir = mkdtempSync(join(tmpdir(), 'spend-query-timeout-'));
let db: Database;
beforeAll(async () => {
  db = await Database.open({ path: join(dir, 'spend.duckdb'), migrationsDir: MIGRATIONS_DIR });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function stillAnswers(): Promise<void> {
  const rows = await db.withConnection((conn) => queryRows<{ one: number }>(conn, 'select 1 as one'));
  expect(rows).toEqual([{ one: 1 }]);
}

describe('the API query timeout', () => {
  it('stops a query that outlasts it with 503 and a sentence saying so', async () => {
    const stopped = withQueryTimeout(db, 300, (conn) => conn.runAndReadAll(ENDLESS));
    await expect(stopped).rejects.toBeInstanceOf(HttpError);
    await expect(stopped).rejects.toMatchObject({
      status: 503,
      message: 'The query took longer than 0.3 s and was stopped; narrow the filters.',
    });
    await stillAnswers();
  });

  it('stops it even when the timeout ends before the statement has started', async () => {
    // DuckDB forgets an interrupt that comes before its statement starts: it must be repeated.
    // The 0 ms timer was set first, so it fires before the 20 ms one that sends the statement.
    const stopped = withQueryTimeout(db, 0, async (conn) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return conn.runAndReadAll(ENDLESS);
    });
    await expect(stopped).rejects.toMatchObject({ status: 503 });
    await stillAnswers();
  });

  it('stops a query whose client went away, whatever its timeout', async () => {
    // the response of a client that hangs up before its query is even sent
    const res = new EventEmitter() as EventEmitter & { writableFinished: boolean };
    res.writableFinished = false;
    const running = withQueryTimeout(
      db,
      3_600_000,
      async (conn) => {
        res.emit('close');
        return conn.runAndReadAll(ENDLESS);
      },
      res as unknown as Response,
    );
    // no one to answer: not our timeout's 503, and DuckDB's interruption kept as the cause
    await expect(running).rejects.toBeInstanceOf(ClientGoneError);
    await expect(running).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/INTERRUPT/i) }),
    });
    await stillAnswers();
  });
});

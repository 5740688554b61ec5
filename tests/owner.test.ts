/**
 * Every CLI command works whether or not an owning process is running: through the owner's
 * control socket while it runs, from the file when it does not, and when a dead owner left a
 * stale socket behind.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';

async function statsJson(pipeline: Pipeline) {
  const result = await pipeline.cli(['stats', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { bodies: { bodyId: string }[] };
}

describe('the owner and its control socket', () => {
  it('serves commands while running, and they open the file when it is gone or dead', async () => {
    const pipeline = await createPipeline();
    const { socketPath } = pipeline.config;

    // No owner: the command opens the file itself.
    expect(
      (await pipeline.cli(['bodies', 'add', 'first-body', '--name', 'First', '--joined', '2024-01-01'])).code,
    ).toBe(0);

    // An owner holds the file; commands go through its socket (mode 0600).
    const owner = pipeline.startOwner('ingest');
    await owner.ready();
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    const added = await pipeline.cli([
      'bodies',
      'add',
      'second-body',
      '--name',
      'Second',
      '--kind',
      'fire',
      '--joined',
      '2024-02-01',
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect((await statsJson(pipeline)).bodies.map((b) => b.bodyId)).toEqual(['first-body', 'second-body']);

    // A second owner is refused with a sentence, not a stack trace.
    const second = await pipeline.cli(['ingest']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already owns this database|in use by another process/);

    // The owner dies without cleaning up: its socket is stale and counts as no owner.
    owner.child.kill('SIGKILL');
    await owner.exited;
    expect(existsSync(socketPath)).toBe(true);
    expect((await statsJson(pipeline)).bodies).toHaveLength(2);
    const listed = await pipeline.cli(['bodies', 'list', '--json']);
    expect(JSON.parse(listed.stdout).bodies).toEqual([
      expect.objectContaining({
        bodyId: 'first-body',
        kind: 'council',
        status: 'active',
        joinedOn: '2024-01-01',
      }),
      expect.objectContaining({ bodyId: 'second-body', kind: 'fire', joinedOn: '2024-02-01' }),
    ]);

    // A new owner takes over the stale socket.
    const next = pipeline.startOwner('ingest');
    // The stale socket file is still there: only an answer on it shows the new owner is up.
    await next.ready();
    expect((await statsJson(pipeline)).bodies).toHaveLength(2);
    next.child.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(socketPath)).toBe(false);
  });

  it('refuses file reads in user SQL through the owner, and stops a runaway query with or without one', async () => {
    const pipeline = await createPipeline({ SPEND_SQL_TIMEOUT_MS: '500' });
    const secret = join(dirname(pipeline.config.dbPath), 'secret.csv');
    writeFileSync(secret, 'secret\nleaked\n');
    const runaway = 'select count(*) from range(2000000000) a, range(2000000000) b';
    const sql = (query: string) => pipeline.cli(['sql', query]);

    // No owner: the runaway query is stopped, so a command waiting for the file gets it.
    const [stopped, listed] = await Promise.all([sql(runaway), pipeline.cli(['bodies', 'list', '--json'])]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('the query ran longer than 500 ms and was stopped');
    expect(listed.code, listed.stderr).toBe(0);
    // created for its user only (umask before create)
    expect(statSync(pipeline.config.dbPath).mode & 0o777).toBe(0o600);

    const owner = pipeline.startOwner('ingest');
    await owner.ready();
    for (const query of [
      `with "${secret}" as (from '${secret}') from "${secret}"`,
      `with "${secret}" as (select * from read_csv('${secret}')) from "${secret}"`,
    ]) {
      const refused = await sql(query);
      expect(refused.code).toBe(1);
      expect(refused.stdout).not.toContain('leaked');
      expect(refused.stderr).toMatch(/spend sql runs one read-only SELECT statement/);
    }
    const timedOut = await sql(runaway);
    expect(timedOut.stderr).toContain('the query ran longer than 500 ms and was stopped');
    expect((await statsJson(pipeline)).bodies).toEqual([]);
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
  });

  it('stops cleanly on SIGTERM while it is still starting (joining its consumer group)', async () => {
    const pipeline = await createPipeline();
    const owner = pipeline.startOwner('ingest');
    // The socket answers before the consumer has joined its group: signal at once.
    await owner.ready();
    owner.child.kill('SIGTERM');
    expect(await owner.exited, owner.stderr()).toEqual({ code: 0, signal: null });
    expect(existsSync(pipeline.config.socketPath)).toBe(false);
  });
});

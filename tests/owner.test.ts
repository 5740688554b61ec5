/**
 * Every CLI command works whether or not an owning process is running: through the owner's
 * control socket while it runs, from the file when it does not, and when a dead owner left a
 * stale socket behind.
 */
import { existsSync, statSync } from 'node:fs';
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

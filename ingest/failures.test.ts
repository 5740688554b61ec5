import { describe, expect, it } from 'vitest';
import { FailurePolicy, FatalIngestError } from './failures.ts';

describe('FailurePolicy', () => {
  it('gives up after too many failures in a row, backing off longer each time', () => {
    const policy = new FailurePolicy(3);
    expect(policy.backoffMs()).toBe(0);
    expect(policy.failed(new Error('one'))).toBeUndefined();
    const first = policy.backoffMs();
    expect(policy.failed(new Error('two'))).toBeUndefined();
    expect(policy.backoffMs()).toBeGreaterThan(first);
    const fatal = policy.failed(new Error('MESSAGE_TOO_LARGE'));
    expect(fatal).toBeInstanceOf(FatalIngestError);
    expect(fatal?.message).toContain('3 writes in a row failed, the last with: MESSAGE_TOO_LARGE');
  });

  it('tells a person what to do when the disk is full, and only then', () => {
    const full = new FailurePolicy(1).failed(
      new Error('Could not write file "/d/spend.duckdb.wal": No space left on device'),
    );
    expect(full?.message).toContain('The disk holding the database is full: free space and start again');
    expect(new FailurePolicy(1).failed(new Error('MESSAGE_TOO_LARGE'))?.message).not.toContain('disk');
  });

  it('starts counting again after a success', () => {
    const policy = new FailurePolicy(2);
    expect(policy.failed(new Error('one'))).toBeUndefined();
    policy.succeeded();
    expect(policy.backoffMs()).toBe(0);
    expect(policy.failed(new Error('two'))).toBeUndefined();
  });
});

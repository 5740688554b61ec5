import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/log.ts';
import { CrashSwitch } from './crash-switch.ts';

const log = createLogger('silent');

describe('CrashSwitch', () => {
  it('does nothing at other points or before enough batches', () => {
    let batches = 0;
    let kills = 0;
    const crash = new CrashSwitch(
      { crashAt: 'after-append', crashAfterBatches: 2, crashMode: 'kill' },
      log,
      () => batches,
      () => kills++,
    );
    crash.at('after-append');
    batches = 2;
    crash.at('after-stage');
    expect(kills).toBe(0);
    crash.at('after-append');
    expect(kills).toBe(1);
  });

  it('in fail mode throws once, then lets the retry through', () => {
    const crash = new CrashSwitch(
      { crashAt: 'before-duckdb-commit', crashAfterBatches: 0, crashMode: 'fail' },
      log,
      () => 0,
    );
    expect(() => crash.at('before-duckdb-commit')).toThrow(/failing once on purpose/);
    expect(() => crash.at('before-duckdb-commit')).not.toThrow();
  });

  it('is off when no point is configured', () => {
    const crash = new CrashSwitch(
      { crashAt: undefined, crashAfterBatches: 0, crashMode: 'fail' },
      log,
      () => 99,
    );
    expect(() => crash.at('after-validate')).not.toThrow();
  });
});

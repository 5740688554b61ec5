/**
 * The test-only crash switch (SPEND_CRASH_AT, SPEND_CRASH_AFTER_BATCHES, SPEND_CRASH_MODE): at the
 * configured point, once enough batches were staged, kill the process (kill -9) or throw once
 * (a failed write the service must recover from without a restart). docs/reliability.md lists
 * what each point leaves behind; tests/crash.test.ts tries every one.
 */
import type { Config, CrashPoint } from '../lib/config.ts';
import type { Logger } from '../lib/log.ts';

export class CrashSwitch {
  /** SPEND_CRASH_MODE=fail: the one deliberate failure has happened. */
  private failedOnPurpose = false;

  constructor(
    private readonly settings: Pick<Config, 'crashAt' | 'crashAfterBatches' | 'crashMode'>,
    private readonly log: Logger,
    private readonly batchesSoFar: () => number,
    private readonly kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
  ) {}

  at(point: CrashPoint): void {
    const { crashAt, crashAfterBatches, crashMode } = this.settings;
    if (crashAt !== point || this.batchesSoFar() < crashAfterBatches) return;
    if (crashMode === 'fail') {
      if (this.failedOnPurpose) return;
      this.failedOnPurpose = true;
      this.log.warn({ point }, 'SPEND_CRASH_AT: failing once on purpose');
      throw new Error(`SPEND_CRASH_AT=${point}: failing once on purpose`);
    }
    this.log.warn({ point }, 'SPEND_CRASH_AT: killing the process on purpose');
    this.kill();
  }
}

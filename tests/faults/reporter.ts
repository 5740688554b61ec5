/**
 * Closing line of `npm run test:faults`: "faults survived N/N", summed over the faults each test
 * reports in its meta (tests/faults/support.ts). A test that failed counts its faults as tried,
 * and only those it recorded as survived before failing as survived; a skipped test counts none.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class FaultsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let tried = 0;
    let survived = 0;
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const faults = test.meta().faults;
        if (test.result().state === 'skipped') skipped.push(test.fullName);
        if (!faults) continue;
        tried += faults.tried;
        survived +=
          test.result().state === 'passed' ? faults.survived : Math.min(faults.survived, faults.tried - 1);
      }
    }
    const note = skipped.length > 0 ? ` (skipped: ${skipped.join('; ')})` : '';
    process.once('exit', () => process.stdout.write(`faults survived ${survived}/${tried}${note}\n`));
  }
}

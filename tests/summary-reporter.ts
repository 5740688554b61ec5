/**
 * Prints the slowest test files (the suite must stay well under 15 minutes on two cores, so the
 * next thing to trim is always in view), then one plain closing line,
 * `tests: N passed, N failed, N skipped`, after vitest's own summary, so that CI and people read
 * the same verdict whatever the reporter.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests to count, but it is a failure.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    const slowest = testModules
      .map((module) => ({ file: module.moduleId, ms: module.diagnostic().duration }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10)
      .map(({ file, ms }) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${relative(process.cwd(), file)}`);
    // Printed at exit so that the verdict is the very last line, after vitest's own summary.
    process.once('exit', () =>
      process.stdout.write(
        `slowest test files:\n${slowest.join('\n')}\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`,
      ),
    );
  }
}

import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; cross-cutting integration tests live in tests/.
// The global setup makes sure a real Kafka broker is reachable (starting the project's
// local one when none is) and stops what it started.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    globalSetup: ['tests/global-setup.ts'],
    reporters: ['default', './tests/summary-reporter.ts'],
    env: { TZ: 'UTC' },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration tests each own their topics, group and database file, but they share one
    // broker and two cores: running files in parallel only makes them fight for CPU.
    fileParallelism: false,
    pool: 'forks',
  },
});

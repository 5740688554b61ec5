import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; cross-cutting integration tests live in tests/.
// The global setup gives the run a real Kafka broker: KAFKA_BROKERS when set, else one of its own
// on free ports, stopped at the end (tests/global-setup.ts).
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

import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault tests (tests/faults/), kept out of `npm test` because they are
// long (kill -9 rounds, a 30 s broker outage, a full disk). Same broker rules as the integration
// project: KAFKA_BROKERS when set, else a broker of the run's own (tests/global-setup.ts); the
// broker-outage test always starts and stops a broker of its own on free ports.
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    reporters: ['default', './tests/faults/reporter.ts'],
    env: { TZ: 'UTC' },
    testTimeout: 900_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
  },
});

import { defineConfig } from 'vitest/config';

// `npm run test:load`: the sustained load test (tests/load/), kept out of `npm test` because it
// runs for LOAD_MINUTES (default 15). The suite runs a 15-second version (tests/load-smoke.test.ts).
// Broker: KAFKA_BROKERS when set, else one of the run's own (tests/global-setup.ts).
export default defineConfig({
  test: {
    include: ['tests/load/**/*.test.ts'],
    env: { TZ: 'UTC' },
    testTimeout: 3_600_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
  },
});

import { defineConfig } from 'vitest/config';
import { testFilesReaching } from './tests/architecture/imports.ts';

// Unit tests sit beside the code; cross-cutting integration tests live in tests/.
// Two projects: `unit` needs no broker (`npm run test:unit`); `integration` is every test that
// reaches tests/helpers/kafka.ts (the only way to the broker's address), found from the imports,
// so a new test lands in the right project by itself. Only the integration project has the global
// setup, which gives the run a real Kafka broker: KAFKA_BROKERS when set, else one of its own on
// free ports, stopped at the end (tests/global-setup.ts). `npm test` runs both.
const INTEGRATION_TESTS = testFilesReaching('tests/helpers/kafka.ts');
// tests/faults/ and tests/load/ are long and run on their own: `npm run test:faults`
// (vitest.faults.config.ts) and `npm run test:load` (vitest.load.config.ts).
const EXCLUDE = ['node_modules/**', 'data/**', 'tests/faults/**', 'tests/load/**'];

export default defineConfig({
  test: {
    reporters: ['default', './tests/summary-reporter.ts'],
    env: { TZ: 'UTC' },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration tests each own their topics, group and database file, but they share one
    // broker and two cores: running files in parallel only makes them fight for CPU.
    fileParallelism: false,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/*.test.ts'], exclude: [...EXCLUDE, ...INTEGRATION_TESTS] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION_TESTS,
          exclude: EXCLUDE,
          globalSetup: ['tests/global-setup.ts'],
        },
      },
    ],
  },
});

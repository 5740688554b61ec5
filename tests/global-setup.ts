/**
 * Vitest global setup: makes sure a real Kafka broker is reachable before any test runs and
 * provides its bootstrap addresses to tests (inject('kafkaBrokers'), see tests/helpers/kafka.ts).
 *
 * - KAFKA_BROKERS set: that cluster must answer, or the run stops with a readable message.
 * - otherwise the project's local broker (127.0.0.1:19092) is used if it answers, else started
 *   here (jars fetched on first use) and stopped again after the run. A broker that was already
 *   running is left running.
 */
import type { TestProject } from 'vitest/node';
import {
  ensureKafkaJars,
  isBrokerReachable,
  startLocalBroker,
  stopLocalBroker,
} from '../kafka-local/broker.ts';
import { loadConfig } from '../lib/config.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const config = loadConfig();
  const brokers = config.kafkaBrokers;

  if (!config.usesLocalBroker) {
    if (!(await isBrokerReachable(brokers, 10_000))) {
      throw new Error(
        `KAFKA_BROKERS=${brokers.join(',')} does not answer. Start that cluster, or unset KAFKA_BROKERS ` +
          "to let the tests use the project's local broker (npm run kafka:start).",
      );
    }
    project.provide('kafkaBrokers', brokers);
    return undefined;
  }

  if (await isBrokerReachable(brokers, 2000)) {
    project.provide('kafkaBrokers', brokers);
    return undefined;
  }

  await ensureKafkaJars();
  const started = await startLocalBroker();
  process.stderr.write(
    `global-setup: started local Kafka broker on ${started.bootstrap} in ${((started.startMs ?? 0) / 1000).toFixed(1)} s\n`,
  );
  project.provide('kafkaBrokers', [started.bootstrap]);
  return async () => {
    if (started.started) await stopLocalBroker();
  };
}

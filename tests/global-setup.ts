/**
 * Vitest global setup: the run's Kafka broker, provided to tests as inject('kafkaBrokers') (see
 * tests/helpers/kafka.ts). One line on stderr says which broker the run uses.
 *
 * - KAFKA_BROKERS set: that cluster must answer, or the run stops with a readable message.
 * - otherwise the run starts a broker of its own (kafka-local/broker.ts startPrivateBroker: free
 *   ports, a fresh state folder; jars fetched from Maven Central on first use, and a failed fetch
 *   fails the run) and stops it at the end. It never uses a broker it did not start, so two
 *   suites, or a demo and a suite, run side by side; if the run is killed, the broker's watchdog
 *   stops it.
 */
import type { TestProject } from 'vitest/node';
import { isBrokerReachable, startPrivateBroker } from '../kafka-local/broker.ts';
import { loadConfig } from '../lib/config.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

const say = (line: string) => process.stderr.write(`tests: ${line}\n`);

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const config = loadConfig();

  if (!config.usesLocalBroker) {
    const brokers = config.kafkaBrokers;
    if (!(await isBrokerReachable(brokers, 10_000))) {
      throw new Error(
        `KAFKA_BROKERS=${brokers.join(',')} does not answer. Start that cluster, or unset KAFKA_BROKERS ` +
          'to let the run start a broker of its own.',
      );
    }
    say(`using KAFKA_BROKERS=${brokers.join(',')}`);
    project.provide('kafkaBrokers', brokers);
    return undefined;
  }

  const broker = await startPrivateBroker({ log: (message) => say(`kafka: ${message}`) });
  say(
    `using own local Kafka broker ${broker.bootstrap} (started in ${(broker.startMs / 1000).toFixed(1)} s, state in ${broker.runtimeDir})`,
  );
  project.provide('kafkaBrokers', [broker.bootstrap]);
  return () => broker.stop();
}

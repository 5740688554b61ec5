/**
 * `spend status`: is ingest keeping up? Per partition, what Kafka holds (high watermark) against
 * what DuckDB has stored, and the rejected messages still outstanding. A stall shows here as
 * lag that does not shrink.
 */
import type { Command } from 'commander';
import { consumedTopics } from '../ingest/body-topics.ts';
import { createKafka } from '../ingest/kafka/client.ts';
import { consumerLag, type StoredOffset } from '../ingest/lag.ts';
import { loadConfig } from '../lib/config.ts';
import { callOperation } from '../owner/call-operation.ts';
import { ownerAnswers } from '../owner/control.ts';
import { printJson, printTable } from './output.ts';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('ingest progress: consumer lag per partition and outstanding dead letters')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      const owned = await ownerAnswers(config.socketPath);
      const stored = (await callOperation(config, 'offsets')) as StoredOffset[];
      const kafka = createKafka({
        brokers: config.kafkaBrokers,
        clientId: `${config.kafkaClientId}-status`,
        auth: config.kafkaAuth,
      });
      const lag = await consumerLag(kafka, await consumedTopics(kafka, config), stored);
      const dead = (await callOperation(config, 'deadLetters.list', { limit: 1 })) as { total: number };
      const partitions = lag.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        stored: p.stored.toString(),
        high: p.high.toString(),
        behind: p.behind.toString(),
      }));
      const behind = lag.reduce((sum, p) => sum + p.behind, 0n);
      if (options.json) {
        printJson({
          owner: owned,
          behind: behind.toString(),
          partitions,
          outstandingDeadLetters: dead.total,
        });
        return;
      }
      printTable(partitions);
      process.stdout.write(
        `\n${owned ? 'An owner (spend serve/ingest) is running.' : 'No owner is running: nothing is being ingested.'} ` +
          `${behind} message(s) not yet ingested; ${dead.total} rejected message(s) outstanding (spend dead-letters list).\n`,
      );
    });
}

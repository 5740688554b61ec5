import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { createLogger } from '../lib/log.ts';
import { runOwnerUntilSignalled } from '../owner/process.ts';

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('own the database and run the Kafka consumers only (no API)')
    .action(async () => {
      const config = loadConfig();
      await runOwnerUntilSignalled(config, createLogger(config.logLevel));
    });
}

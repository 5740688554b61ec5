import type { Command } from 'commander';
import { startApi } from '../api/app.ts';
import { loadConfig } from '../lib/config.ts';
import { createLogger } from '../lib/log.ts';
import { runOwnerUntilSignalled } from '../owner/process.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('own the database: Kafka consumers, control socket, HTTP API and scheduled transforms')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      await runOwnerUntilSignalled(config, log, {
        api: (db) => startApi(db, config.port, log, config.host),
      });
    });
}

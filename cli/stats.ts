import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import type { Stats } from '../lib/stats.ts';
import { callOperation } from '../owner/call-operation.ts';
import { printJson, printTable } from './output.ts';

export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('what is in the database, per body (current documents, exact GBP totals)')
    .option('--json', 'print the stable JSON contract: {"bodies":[…]}')
    .action(async (options) => {
      const stats = (await callOperation(loadConfig(), 'stats')) as Stats;
      if (options.json) {
        printJson(stats);
        return;
      }
      printTable(
        stats.bodies.map((b) => ({
          ...b,
          otherCurrencies: b.otherCurrencies.map((c) => `${c.currency} ${c.netTotal}`),
        })),
      );
      if (stats.unattributedRejected > 0) {
        process.stdout.write(
          `\n${stats.unattributedRejected} rejected message(s) name no registered body.\n`,
        );
      }
    });
}

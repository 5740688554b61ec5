/**
 * `spend dead-letters list|replay`: the rejected messages still outstanding, and ingesting them
 * once their cause is fixed (a body registered, a mapping corrected). Exactly once: see
 * ingest/replay.ts.
 */
import type { Command } from 'commander';
import { REJECTION_CODES } from '../ingest/rejections.ts';
import type { DeadLetter, ReplayResult } from '../ingest/replay.ts';
import { loadConfig } from '../lib/config.ts';
import { callOperation } from '../owner/call-operation.ts';
import { printJson, printTable } from './output.ts';

type FilterOptions = { body?: string; reason?: string[] };

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

function filterOf(options: FilterOptions) {
  return {
    ...(options.body ? { bodyId: options.body } : {}),
    ...(options.reason?.length ? { reasons: options.reason as (keyof typeof REJECTION_CODES)[] } : {}),
  };
}

export function registerDeadLettersCommands(program: Command): void {
  const deadLetters = program
    .command('dead-letters')
    .description('rejected messages still outstanding: list them, replay them once the cause is fixed');
  const reasons = Object.keys(REJECTION_CODES).join(', ');

  deadLetters
    .command('list')
    .description('the outstanding rejected messages, oldest first')
    .option('--body <id>', 'only those of this body (the body they name)')
    .option('--reason <code>', `only these reasons (repeat or comma-separate): ${reasons}`, collect)
    .option('--limit <n>', 'show at most this many', '50')
    .option('--json', 'print the result as JSON')
    .action(async (options: FilterOptions & { limit: string; json?: boolean }) => {
      const result = (await callOperation(loadConfig(), 'deadLetters.list', {
        ...filterOf(options),
        limit: Number(options.limit),
      })) as { total: number; deadLetters: DeadLetter[] };
      if (options.json) {
        printJson(result);
        return;
      }
      printTable(result.deadLetters, ['topic', 'partition', 'offset', 'bodyId', 'reasonCode', 'reason']);
      process.stdout.write(
        `\n${result.total} outstanding rejected message(s)${result.total > result.deadLetters.length ? ` (${result.deadLetters.length} shown)` : ''}.\n`,
      );
    });

  deadLetters
    .command('replay')
    .description('ingest the outstanding rejected messages that now pass (exactly once; safe to repeat)')
    .option('--body <id>', 'only those of this body (the body they name)')
    .option('--reason <code>', `only these reasons (repeat or comma-separate): ${reasons}`, collect)
    .option('--json', 'print the result as JSON')
    .action(async (options: FilterOptions & { json?: boolean }) => {
      const config = loadConfig();
      const result = (await callOperation(config, 'deadLetters.replay', {
        ...filterOf(options),
        topics: { invoices: config.topics.invoices, purchaseOrders: config.topics.purchaseOrders },
      })) as ReplayResult;
      if (options.json) {
        printJson(result);
        return;
      }
      const still = Object.entries(result.byReason)
        .map(([code, n]) => `${n} ${code}`)
        .join(', ');
      process.stdout.write(
        `Replayed ${result.considered} rejected message(s): ${result.ingested} ingested, ${result.stillRejected} still rejected${still ? ` (${still})` : ''}.\n`,
      );
    });
}

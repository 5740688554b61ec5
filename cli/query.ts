/**
 * `spend query <model>` and `spend sql "<select …>"`: read the marts (or any model) as a table,
 * JSON lines or CSV, through the owning process when one runs.
 */
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { writeResult } from '../lib/output.ts';
import { callOperation } from '../owner/call-operation.ts';
import { parseWhere, type QueryResult } from '../transforms/query.ts';
import { printTable, stdoutSink } from './output.ts';

type OutputOptions = { json?: boolean; csv?: boolean; limit: string };

async function print(result: QueryResult, options: OutputOptions): Promise<void> {
  if (options.json || options.csv) {
    // The shared output module: CSV formula-safe, JSON with money as exact decimal strings.
    await writeResult(options.json ? 'ndjson' : 'csv', result.columns, [result.rows], stdoutSink);
  } else {
    printTable(
      result.rows,
      result.columns.map((c) => c.name),
    );
  }
  if (result.truncated) {
    process.stderr.write(`(only the first ${options.limit} rows: --limit shows more)\n`);
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerQueryCommands(program: Command): void {
  program
    .command('query <model>')
    .description(
      'read a mart (or any model): spend cube, shared suppliers, fragmented categories, duplicates, prices, PO compliance…',
    )
    .option(
      '--where <filter>',
      'column, operator (= != < <= > >= ~contains) and value, e.g. body_id=north-shire-cc (repeatable)',
      collect,
      [],
    )
    .option('--json', 'one JSON object per line')
    .option('--csv', 'CSV with a header row')
    .option('--limit <n>', 'at most this many rows', '1000')
    .action(async (model: string, options: OutputOptions & { where: string[] }) => {
      const result = (await callOperation(loadConfig(), 'query.model', {
        model,
        where: options.where.map(parseWhere),
        limit: Number(options.limit),
      })) as QueryResult;
      await print(result, options);
    });

  program
    .command('sql <select>')
    .description('run one read-only SELECT over the database (anything else is refused)')
    .option('--json', 'one JSON object per line')
    .option('--csv', 'CSV with a header row')
    .option('--limit <n>', 'at most this many rows', '1000')
    .action(async (sql: string, options: OutputOptions) => {
      const result = (await callOperation(loadConfig(), 'query.sql', {
        sql,
        limit: Number(options.limit),
      })) as QueryResult;
      await print(result, options);
    });
}

/**
 * `spend query <model>` and `spend sql "<select …>"`: read the marts (or any model) as a table,
 * JSON lines or CSV, through the owning process when one runs.
 */
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { callOperation } from '../owner/call-operation.ts';
import { parseWhere, type QueryResult } from '../transforms/query.ts';
import { printTable } from './output.ts';

type OutputOptions = { json?: boolean; csv?: boolean; limit: string };

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function print(result: QueryResult, options: OutputOptions): void {
  if (options.json) {
    process.stdout.write(result.rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  } else if (options.csv) {
    const lines = [result.columns.map(csvCell).join(',')];
    for (const row of result.rows) lines.push(result.columns.map((c) => csvCell(row[c])).join(','));
    process.stdout.write(`${lines.join('\r\n')}\r\n`);
  } else {
    printTable(result.rows, result.columns);
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
      print(result, options);
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
      print(result, options);
    });
}

/**
 * `spend agreements load` and `spend savings …`: the savings ledger (docs/savings.md), through
 * the owning process when one runs. Loads are versioned and recorded with who (--by, default the
 * login name) and when; sign-off freezes a contract year's figures; statement and explain read
 * what the last transforms run built.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { UserError } from '../lib/errors.ts';
import { callOperation } from '../owner/call-operation.ts';
import type { Stream } from '../transforms/savings/agreement.ts';
import { MONEY_COLUMNS, statementCsv } from '../transforms/savings/ledger.ts';
import type { CsvKind, LoadResult } from '../transforms/savings/loads.ts';
import { CSV_LOADS } from '../transforms/savings/operations.ts';
import { printJson, printTable } from './output.ts';
import { renderStatementPage, type StatementForPage } from './savings-page.ts';

const MAX_FILE_BYTES = 64 * 1024 * 1024;

export function readInput(path: string): { name: string; text: string } {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new UserError('not-found', `No file ${path}.`);
  }
  if (size > MAX_FILE_BYTES)
    throw new UserError('invalid-input', `${path} is ${size} bytes; over 64 MB is not loaded.`);
  return { name: path, text: readFileSync(path, 'utf8') };
}

export const defaultUser = () => {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
};

export function reportLoad(result: LoadResult, json: boolean | undefined): void {
  if (json) printJson(result);
  else {
    const what =
      result.status === 'unchanged'
        ? `${result.file} is the same as ${result.kind} version ${result.version}: nothing new loaded.`
        : `${result.file}: ${result.kind} version ${result.version}, ${result.rows} row(s) loaded.`;
    process.stdout.write(`${what}\n`);
    for (const error of result.errors) process.stderr.write(`${error}\n`);
    if (result.errors.length > 0)
      process.stderr.write(
        `${result.errors.length} problem(s): those rows were left out; the good rows are loaded.\n`,
      );
    process.stdout.write('"spend transforms run" builds the savings from it (spend savings statement).\n');
  }
  if (result.errors.length > 0) process.exitCode = 1;
}

export function registerSavingsCommands(program: Command): void {
  program
    .command('agreements')
    .description('the partnership agreement: guarantees, bodies, rules (docs/savings.md)')
    .command('load')
    .description('load a new version of the agreement (YAML); the next transforms run applies it')
    .argument('<file>', 'agreement file (.yaml)')
    .option('--by <name>', 'who loads it (recorded)', defaultUser())
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { by: string; json?: boolean }) => {
      const result = (await callOperation(loadConfig(), 'agreements.load', {
        file: readInput(file),
        by: options.by,
      })) as LoadResult;
      reportLoad(result, options.json);
    });

  const savings = program
    .command('savings')
    .description('savings delivered against the guarantees: loads, sign-off, statement, explain');

  savings
    .command('load')
    .description(`load a new version of a register (CSV): ${CSV_LOADS.join(', ')}`)
    .argument('<kind>', CSV_LOADS.join(' | '))
    .argument('<file>', 'CSV file with a header row (docs/savings.md lists the columns)')
    .option('--by <name>', 'who loads it (recorded)', defaultUser())
    .option('--json', 'print the result as JSON')
    .action(async (kind: string, file: string, options: { by: string; json?: boolean }) => {
      const result = (await callOperation(loadConfig(), 'savings.load', {
        // checked by the operation's schema, which names the kinds
        kind: kind as CsvKind,
        file: readInput(file),
        by: options.by,
      })) as LoadResult;
      reportLoad(result, options.json);
    });

  savings
    .command('loads')
    .description('every version of every savings input: who loaded what, when')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = (await callOperation(loadConfig(), 'savings.loads', {})) as Record<string, unknown>[];
      if (options.json) printJson(rows);
      else printTable(rows);
    });

  savings
    .command('sign-off')
    .description(
      "freeze a contract year's figures (to a month) as validated: a snapshot of its records and their hash",
    )
    .requiredOption('--year <year>', 'the contract year (the calendar year it starts in)')
    .option('--period <yyyy-mm>', 'the last month signed off (default: the whole year)')
    .requiredOption('--by <name>', 'who signs off')
    .requiredOption('--comment <text>', 'what was checked')
    .option('--json', 'print the result as JSON')
    .action(
      async (options: { year: string; period?: string; by: string; comment: string; json?: boolean }) => {
        const result = (await callOperation(loadConfig(), 'savings.signoff', {
          year: Number(options.year),
          ...(options.period ? { period: options.period } : {}),
          by: options.by,
          comment: options.comment,
        })) as { signoffId: number; through: string; records: number; total: string; sha256: string };
        if (options.json) printJson(result);
        else
          process.stdout.write(
            `Sign-off ${result.signoffId}: ${options.year} through ${result.through}, ${result.records} record(s), £${result.total} validated (sha256 ${result.sha256}).\n`,
          );
      },
    );

  savings
    .command('sign-offs')
    .description('every sign-off: year, period, who, when, comment, hash')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = (await callOperation(loadConfig(), 'savings.signoffs', {})) as Record<string, unknown>[];
      if (options.json) printJson(rows);
      else printTable(rows);
    });

  savings
    .command('baselines')
    .description(
      "each body's baseline prices, versioned: the current version of each (or, with --history, every change: before, after, the lines that caused it, when, which run)",
    )
    .option('--body <id>', 'one body')
    .option('--history', 'every change recorded, oldest first')
    .option('--json', 'print as JSON')
    .action(async (options: { body?: string; history?: boolean; json?: boolean }) => {
      const rows = (await callOperation(loadConfig(), 'savings.baselines', {
        ...(options.body ? { body: options.body } : {}),
        history: options.history ?? false,
      })) as Record<string, unknown>[];
      if (options.json) printJson(rows);
      // the lines behind a change are listed in JSON; the table says how many
      else printTable(rows.map(({ causes: _causes, ...row }) => row));
    });

  savings
    .command('statement')
    .description('delivered against guaranteed for a contract year, per stream and body')
    .requiredOption('--year <year>', 'the contract year (the calendar year it starts in)')
    .option('--body <id>', 'one body')
    .option('--as-of <date>', 'the day the run-rate forecast is made on (default today)')
    .option('--json', 'print as JSON')
    .option('--csv', 'print as CSV (rows, then a total line)')
    .option('--html <file>', 'also write a printable page (members, scrutiny committees) to this file')
    .action(
      async (options: {
        year: string;
        body?: string;
        asOf?: string;
        json?: boolean;
        csv?: boolean;
        html?: string;
      }) => {
        const result = (await callOperation(loadConfig(), 'savings.statement', {
          year: Number(options.year),
          ...(options.body ? { body: options.body } : {}),
          ...(options.asOf ? { asOf: options.asOf } : {}),
        })) as StatementForPage;
        if (options.html) {
          const title = `Savings against guarantees, contract year ${options.year}${options.body ? `: ${options.body}` : ''}`;
          writeFileSync(options.html, renderStatementPage(result, title));
          process.stderr.write(`Printable statement written to ${options.html}\n`);
        }
        const columns = ['contract_year', 'stream', 'body_id', ...MONEY_COLUMNS, 'validated_through'];
        if (options.json) printJson(result);
        else if (options.csv) {
          process.stdout.write(statementCsv(result, Number(options.year)));
        } else {
          process.stdout.write(
            `Contract year ${options.year} (${result.yearStart} to ${result.yearEnd}), forecast as of ${result.asOf}\n\n`,
          );
          printTable([...result.rows, { stream: 'total', body_id: '', ...result.totals }], columns.slice(1));
        }
      },
    );

  savings
    .command('explain')
    .description(
      'the records behind a figure (or one record in full, with its invoice line, baseline and index)',
    )
    .requiredOption('--year <year>', 'the contract year')
    .option(
      '--stream <stream>',
      'procurement | services_transferred | consequential | third_party_revenue_share',
    )
    .option('--body <id>', 'one body')
    .option('--validated', 'the records the latest sign-off froze (default: realised today)')
    .option('--record <id>', 'one record, in full')
    .option('--json', 'print as JSON')
    .action(
      async (options: {
        year: string;
        stream?: string;
        body?: string;
        validated?: boolean;
        record?: string;
        json?: boolean;
      }) => {
        const result = (await callOperation(loadConfig(), 'savings.explain', {
          year: Number(options.year),
          // checked by the operation's schema, which names the streams
          ...(options.stream ? { stream: options.stream as Stream } : {}),
          ...(options.body ? { body: options.body } : {}),
          figure: options.validated ? 'validated' : 'realised',
          ...(options.record ? { record: options.record } : {}),
        })) as { records?: Record<string, unknown>[]; total?: string };
        if (options.json || !result.records) printJson(result);
        else {
          printTable(result.records);
          process.stdout.write(`\n${result.records.length} record(s), total £${result.total}\n`);
        }
      },
    );
}

/**
 * `spend service-levels`, `spend commitments` and `spend report partnership`: the partnership's
 * performance (docs/partnership.md), through the owning process when one runs. The figures are
 * what the last transforms run built.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { UserError } from '../lib/errors.ts';
import { callOperation } from '../owner/call-operation.ts';
import type { PartnershipReport } from '../transforms/partnership/report.ts';
import { renderPartnershipReport } from '../transforms/partnership/report-page.ts';
import { MEASURE_NAMES, type Measure } from '../transforms/partnership/terms.ts';
import type { LoadResult } from '../transforms/savings/loads.ts';
import { printJson, printTable } from './output.ts';
import { defaultUser, readInput, reportLoad } from './savings.ts';

const wholeYear = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d{4}$/.test(text))
    throw new UserError('invalid-input', `--year is a contract year such as 2025, not ${text}`);
  return Number(text);
};
const measureOption = (text: string | undefined): Measure | undefined => {
  if (text === undefined) return undefined;
  if (!(MEASURE_NAMES as string[]).includes(text))
    throw new UserError('invalid-input', `--measure is one of ${MEASURE_NAMES.join(', ')}, not ${text}`);
  return text as Measure;
};

type LevelOptions = {
  year?: string;
  body?: string;
  measure?: string;
  monthly?: boolean;
  breaches?: boolean;
  explain?: boolean;
  month?: string;
  limit: string;
  json?: boolean;
};

/** The `report` command, shared with other reports (created by whichever registers first). */
export function reportCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'report') ??
    program.command('report').description('printable reports for the board, members and partners')
  );
}

export function registerPartnershipCommands(program: Command): void {
  program
    .command('service-levels')
    .description("service levels against the agreement's targets, per body and overall (docs/partnership.md)")
    .option('--year <year>', 'one contract year (the calendar year it starts in)')
    .option('--body <id>', "one body's rows (and the partnership's)")
    .option('--measure <measure>', MEASURE_NAMES.join(' | '))
    .option('--monthly', 'month by month instead of by contract year')
    .option('--breaches', 'only the figures below a contractual target')
    .option('--explain', 'the documents explaining each breached month (add --month YYYY-MM to narrow)')
    .option('--month <yyyy-mm>', 'with --explain: one month')
    .option('--limit <n>', 'with --explain: at most this many documents', '200')
    .option('--json', 'print as JSON')
    .action(async (options: LevelOptions) => {
      const config = loadConfig();
      const filters = {
        year: wholeYear(options.year),
        body: options.body,
        measure: measureOption(options.measure),
      };
      if (options.explain) {
        const result = (await callOperation(config, 'partnership.breaches', {
          ...filters,
          month: options.month,
          limit: Number(options.limit),
        })) as { total: number; rows: Record<string, unknown>[] };
        if (options.json) return printJson(result);
        printTable(result.rows, [
          'month',
          'body_id',
          'measure',
          'value',
          'contractual',
          'document_kind',
          'document_id',
          'supplier_name',
          'days_to_pay',
          'net_amount',
          'reason',
        ]);
        process.stdout.write(`${result.rows.length} of ${result.total} document(s) behind the breaches.\n`);
        return;
      }
      const result = (await callOperation(config, 'partnership.serviceLevels', {
        ...filters,
        period: options.monthly ? 'month' : 'year',
        breachesOnly: options.breaches ?? false,
      })) as { rows: Record<string, unknown>[] };
      if (options.json) return printJson(result);
      printTable(
        result.rows.map((r) => ({ ...r, body_id: r.body_id ?? '(partnership)' })),
        [
          'contract_year',
          ...(options.monthly ? ['month'] : []),
          'measure',
          'body_id',
          'value',
          'contractual',
          'stretch',
          'status',
          'rows_counted',
          'rows_excluded',
          ...(options.monthly ? [] : ['months_in_breach']),
        ],
      );
      process.stdout.write(
        'rows_counted: rows the figure stands on; rows_excluded: rows without what the measure needs (a date). spend service-levels --explain lists the documents behind breaches.\n',
      );
    });

  const commitments = program
    .command('commitments')
    .description("the partner's investment against its commitments, per contract year and category")
    .option('--year <year>', 'one contract year')
    .option('--entries', 'list the investment entries (the evidence) too')
    .option('--json', 'print as JSON')
    .action(async (options: { year?: string; entries?: boolean; json?: boolean }) => {
      const result = (await callOperation(loadConfig(), 'partnership.commitments', {
        year: wholeYear(options.year),
        entries: options.entries ?? false,
      })) as {
        rows: Record<string, unknown>[];
        totals: Record<string, unknown>[];
        entries?: Record<string, unknown>[];
      };
      if (options.json) return printJson(result);
      printTable(result.rows);
      process.stdout.write('\nTotals per contract year:\n');
      printTable(result.totals);
      if (result.entries) {
        process.stdout.write('\nInvestment entries:\n');
        printTable(result.entries);
      }
    });
  commitments
    .command('load')
    .description('load a new version of the investment register (CSV; docs/partnership.md lists the columns)')
    .argument('<file>', 'CSV file with a header row')
    .option('--by <name>', 'who loads it (recorded)', defaultUser())
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { by: string; json?: boolean }) => {
      const result = (await callOperation(loadConfig(), 'savings.load', {
        kind: 'investment',
        file: readInput(file),
        by: options.by,
      })) as LoadResult;
      reportLoad(result, options.json);
    });

  reportCommand(program)
    .command('partnership')
    .description('the quarterly partnership report: a print-ready HTML page (print it to PDF from a browser)')
    .requiredOption('--quarter <yyyyQn>', 'the calendar quarter, e.g. 2025Q3 (July to September 2025)')
    .option('--out <file>', 'where to write the page ("-" for standard output)')
    .option(
      '--commentary <file>',
      'commentary to print in it (text; "## Spend", "## Savings", "## Service levels", "## Commitments", "## Membership" headings place it)',
    )
    .option('--json', "print the report's figures as JSON instead")
    .action(async (options: { quarter: string; out?: string; commentary?: string; json?: boolean }) => {
      const report = (await callOperation(loadConfig(), 'partnership.report', {
        quarter: options.quarter,
        commentary: options.commentary ? readInput(options.commentary).text : undefined,
      })) as PartnershipReport;
      if (options.json) return printJson(report);
      const page = renderPartnershipReport(report);
      if (options.out === '-') {
        process.stdout.write(page);
        return;
      }
      const out = options.out ?? `partnership-report-${report.quarter}.html`;
      writeFileSync(out, page);
      process.stdout.write(
        `Wrote ${out}: the ${report.quarter} partnership report (${report.start} to ${report.end}). Open it in a browser and print to PDF.\n`,
      );
    });
}

/**
 * `spend pack …`: the membership packs (docs/membership.md): the case for joining of a prospective
 * body, and the due-diligence spend pack for any partnership bodies and period. Shown as a
 * summary; `--csv dir` writes every section as CSV, `--html file` a printable page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { callOperation } from '../owner/call-operation.ts';
import { type Pack, packCsvFiles, packHtml } from '../owner/operations.ts';
import { printJson, printTable } from './output.ts';

type OutputOptions = { json?: boolean; csv?: string; html?: string };

function output(pack: Pack, options: OutputOptions): void {
  if (options.json) {
    printJson(pack);
    return;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(pack.title);
  say(pack.subtitle);
  say('');
  printTable(pack.summary, ['label', 'value']);
  say('');
  printTable(
    pack.sections.map((s) => ({ section: s.name, title: s.title, rows: s.table.rows.length })),
    ['section', 'title', 'rows'],
  );
  say('');
  for (const caveat of pack.caveats) say(`- ${caveat}`);
  if (options.csv) {
    const dir = resolve(options.csv);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of packCsvFiles(pack)) writeFileSync(join(dir, name), text);
    say(`CSV:  ${dir} (${pack.sections.length + 2} files)`);
  }
  if (options.html) {
    writeFileSync(resolve(options.html), packHtml(pack));
    say(`HTML: ${resolve(options.html)} (printable)`);
  }
}

const withOutputs = (command: Command) =>
  command
    .option('--csv <dir>', 'write every section as CSV into this folder')
    .option('--html <file>', 'write a printable HTML page')
    .option('--json', 'print the whole pack as JSON');

export function registerPackCommands(program: Command): void {
  const pack = program.command('pack').description('membership packs: the case for joining, due diligence');

  withOutputs(
    pack
      .command('case-for-joining <bodyId>')
      .description(
        'a prospective body’s case for joining: addressable spend, shared suppliers, saving at partnership prices, contracts and windows it could join',
      )
      .option('--as-of <YYYY-MM-DD>', 'the day contracts and windows must be open on (default today)'),
  ).action(async (bodyId: string, options: OutputOptions & { asOf?: string }) => {
    const result = (await callOperation(loadConfig(), 'packs.case-for-joining', {
      bodyId,
      ...(options.asOf ? { asOf: options.asOf } : {}),
    })) as Pack;
    output(result, options);
  });

  withOutputs(
    pack
      .command('due-diligence')
      .description(
        'spend by category, supplier, body and month; contracts and expiries; addressable vs not; coverage and caveats',
      )
      .option('--bodies <list>', 'comma-separated partnership bodies (default: all active and left)')
      .requiredOption('--from <YYYY-MM-DD>', 'first day of the period')
      .requiredOption('--to <YYYY-MM-DD>', 'last day of the period'),
  ).action(async (options: OutputOptions & { bodies?: string; from: string; to: string }) => {
    const result = (await callOperation(loadConfig(), 'packs.due-diligence', {
      ...(options.bodies ? { bodies: options.bodies.split(',').map((b) => b.trim()) } : {}),
      from: options.from,
      to: options.to,
    })) as Pack;
    output(result, options);
  });
}

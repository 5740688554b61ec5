/**
 * `spend items matches|confirm|split`: description matches the transforms suggest as one item,
 * and analysts' decisions on them (only confirmed matches enter price comparisons and savings).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { UserError } from '../lib/errors.ts';
import { callOperation } from '../owner/call-operation.ts';
import {
  MATCH_STATUSES,
  type MatchDecisionResult,
  type MatchSuggestion,
} from '../transforms/items/matches.ts';
import { printJson, printTable } from './output.ts';

function decide(decision: 'confirm' | 'split') {
  return async (matchId: string, options: { note?: string }) => {
    const result = (await callOperation(loadConfig(), 'items.decide', {
      matchId,
      decision,
      decidedBy: `cli:${userInfo().username}`,
      note: options.note,
    })) as MatchDecisionResult;
    const what = decision === 'confirm' ? 'confirmed as one item' : 'split: kept apart';
    process.stdout.write(
      `Match ${result.matchId} ${what} (${result.variants.length} variant(s): ${result.variants.join(' | ')}). It applies from the next "spend transforms run".\n`,
    );
  };
}

export function registerItemsCommands(program: Command): void {
  const items = program
    .command('items')
    .description('items known only by their description: suggested matches, and decisions on them');

  items
    .command('matches')
    .description('suggested description matches, best score first')
    .option('--status <status>', 'suggested | confirmed | split | new-variants')
    .option('--json', 'print JSON')
    .action(async (options: { status?: string; json?: boolean }) => {
      const status = MATCH_STATUSES.find((s) => s === options.status);
      if (options.status && !status) {
        throw new UserError('invalid-input', `--status: one of ${MATCH_STATUSES.join(', ')}.`);
      }
      const rows = (await callOperation(
        loadConfig(),
        'items.matches',
        status ? { status } : {},
      )) as MatchSuggestion[];
      if (options.json) printJson(rows);
      else
        printTable(
          rows.map((r) => ({
            match_id: r.match_id,
            supplier: r.supplier_entity_id,
            category: r.category_code,
            score: r.score,
            status: r.status,
            bodies: r.bodies,
            lines: r.lines,
            variants: r.variants.join(' | '),
          })),
        );
    });

  items
    .command('confirm <matchId>')
    .description('the lines of this match are one item: their prices enter comparisons and savings')
    .option('--note <text>', 'why')
    .action(decide('confirm'));

  items
    .command('split <matchId>')
    .description('the lines of this match are not one item: keep them apart and stop suggesting it')
    .option('--note <text>', 'why')
    .action(decide('split'));
}

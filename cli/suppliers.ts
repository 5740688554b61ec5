/**
 * `spend suppliers aliases|show|confirm|merge|split`: the supplier entities the resolver formed,
 * and analysts' decisions on them (they win over the algorithm from the next transforms run).
 */
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { UserError } from '../lib/errors.ts';
import { callOperation } from '../owner/call-operation.ts';
import type { AliasLine } from '../transforms/operations.ts';
import type { DecisionResult } from '../transforms/resolver/decisions.ts';
import type { AliasFacts, PairExplanation } from '../transforms/resolver/explain.ts';
import { printJson, printTable } from './output.ts';

/** `body:name` → parts; the name may itself contain colons. */
function parseAlias(text: string): { bodyId: string; name: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    throw new UserError(
      'invalid-input',
      `--name "${text}" is not <body>:<supplier name>, e.g. "eastvale-dc:Reed#Reed Specialist Recruitment Ltd".`,
    );
  }
  return { bodyId: text.slice(0, colon), name: text.slice(colon + 1) };
}

function reportDecision(result: DecisionResult): void {
  const entities = [...new Set(result.pinned.map((p) => p.entityId))];
  process.stdout.write(
    `Decision ${result.decisionId}: ${result.pinned.length} name(s) pinned to ${entities.join(', ')}. It applies from the next "spend transforms run".\n`,
  );
}

export function registerSuppliersCommands(program: Command): void {
  const suppliers = program
    .command('suppliers')
    .description("supplier entities across bodies: every raw name, its entity, and analysts' decisions");

  suppliers
    .command('aliases')
    .description('every raw supplier name in every body with its entity')
    .option('--json', 'one JSON object per line: {"body","name","entity"} (name exactly as it arrived)')
    .action(async (options: { json?: boolean }) => {
      const aliases = (await callOperation(loadConfig(), 'suppliers.aliases')) as AliasLine[];
      if (options.json) {
        process.stdout.write(aliases.map((a) => `${JSON.stringify(a)}\n`).join(''));
      } else printTable(aliases);
    });

  suppliers
    .command('show <entity>')
    .description("an entity's names, with the evidence (reason, score) that put each in it")
    .option('--json', 'print JSON')
    .action(async (entity: string, options: { json?: boolean }) => {
      const rows = (await callOperation(loadConfig(), 'suppliers.show', { entity })) as Record<
        string,
        unknown
      >[];
      if (rows.length === 0) throw new UserError('not-found', `No supplier entity ${entity}.`);
      if (options.json) printJson(rows);
      else printTable(rows);
    });

  suppliers
    .command('why <a> <b>')
    .description('why two supplier names were, or were not, resolved to one entity')
    .option('--body-a <body>', 'the body that sent the first name (default: any)')
    .option('--body-b <body>', 'the body that sent the second name (default: any)')
    .option('--json', 'print JSON')
    .action(async (a: string, b: string, options: { bodyA?: string; bodyB?: string; json?: boolean }) => {
      const explanation = (await callOperation(loadConfig(), 'suppliers.why', {
        a,
        b,
        bodyA: options.bodyA,
        bodyB: options.bodyB,
      })) as PairExplanation;
      if (options.json) printJson(explanation);
      else process.stdout.write(explanationText(explanation));
    });

  suppliers
    .command('confirm <entity>')
    .description('the entity is right: keep its names together, and apart from other decided entities')
    .option('--note <text>', 'why')
    .action(async (entity: string, options: { note?: string }) => {
      reportDecision(
        (await callOperation(loadConfig(), 'suppliers.decide', {
          action: 'confirm',
          entities: [entity],
          note: options.note,
        })) as DecisionResult,
      );
    });

  suppliers
    .command('merge <entities...>')
    .description('these entities are one organisation (the first id is kept)')
    .option('--note <text>', 'why')
    .action(async (entities: string[], options: { note?: string }) => {
      if (entities.length < 2) throw new UserError('invalid-input', 'merge needs at least two entity ids.');
      reportDecision(
        (await callOperation(loadConfig(), 'suppliers.decide', {
          action: 'merge',
          entities,
          note: options.note,
        })) as DecisionResult,
      );
    });

  suppliers
    .command('split <entity>')
    .description('move the names given out of the entity into a new one')
    .requiredOption('--name <body:name...>', 'a name to move, as <body>:<supplier name> (repeatable)')
    .option('--note <text>', 'why')
    .action(async (entity: string, options: { name: string[]; note?: string }) => {
      reportDecision(
        (await callOperation(loadConfig(), 'suppliers.decide', {
          action: 'split',
          entities: [entity],
          names: options.name.map(parseAlias),
          note: options.note,
        })) as DecisionResult,
      );
    });
}

function aliasText(label: string, f: AliasFacts): string {
  const ids = [
    ...f.vatNumbers.map((v) => `VAT ${v}`),
    ...f.companyNumbers.map((c) => `company ${c}`),
    ...f.charityNumbers.map((c) => `charity ${c}`),
    ...(f.publicBody
      ? [`council ${f.publicBody.code} (${f.publicBody.officialName}, ${f.publicBody.via})`]
      : []),
  ];
  const lines = [`${label} ${f.bodyId}: "${f.name}"`];
  lines.push(`    cleaned: ${f.redacted ? '(redacted)' : (f.cleanedName ?? '(nothing left)')}`);
  if (f.statedNames.length) lines.push(`    states: ${f.statedNames.join('; ')}`);
  if (f.siteOf) lines.push(`    a site of: ${f.siteOf}`);
  if (ids.length) lines.push(`    identifiers: ${ids.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** The explanation as an analyst reads it: the answer first, then the evidence. */
export function explanationText(e: PairExplanation): string {
  const link = (l: PairExplanation['path'][number]) =>
    `  ${l.from.bodyId}: "${l.from.name}" → ${l.to.bodyId}: "${l.to.name}"  [${l.reason}, score ${l.score}]`;
  const parts = [`${e.summary}\n`, aliasText('A', e.a), aliasText('B', e.b)];
  if (e.path.length) parts.push(`Evidence, link by link:\n${e.path.map(link).join('\n')}\n`);
  if (e.refused.length)
    parts.push(`Refused joins:\n${e.refused.map((r) => `${link(r)}  refused: ${r.refused}`).join('\n')}\n`);
  if (e.comparison.length) parts.push(`Compared:\n${e.comparison.map((c) => `  ${c}`).join('\n')}\n`);
  return parts.join('\n');
}

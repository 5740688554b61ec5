/**
 * `spend mapping show|save|list`: the column mapping of a body's file layout. `show` prints
 * what would be used for a file (the saved mapping if the body saved one for this layout, else
 * the detected one); `save` stores a corrected mapping, and every later upload of the same
 * layout (same header) uses it.
 */
import { createReadStream, existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { Mapping, SavedMapping } from '../ingest/uploads/field-mapping.ts';
import { correctMapping, findLayout, type Layout } from '../ingest/uploads/layout.ts';
import { isFileProblem } from '../ingest/uploads/upload.ts';
import { type Config, loadConfig } from '../lib/config.ts';
import { UserError } from '../lib/errors.ts';
import { callOperation } from '../owner/call-operation.ts';
import { printJson, printTable } from './output.ts';

type StoredMapping = { fingerprint: string; header: string[]; mapping: SavedMapping; savedAt: string };

export function registerMappingCommands(program: Command): void {
  const mapping = program.command('mapping').description('the column mapping used for a body’s file layout');

  mapping
    .command('show <file>')
    .description('the header row found in a file and the mapping an upload would use')
    .requiredOption('--body <id>', 'the body the file belongs to')
    .option(
      '--header-row <n>',
      'the header is on this row (for a layout whose column names are not recognised)',
    )
    .option('--json', 'print as JSON')
    .action(async (file: string, options) => {
      const { layout } = await inspect(
        loadConfig(),
        String(options.body),
        file,
        headerRowOption(options.headerRow),
      );
      const used = layout.saved ?? layout.detected;
      if (options.json) {
        printJson({
          file: basename(file),
          headerRow: layout.headerRow,
          fingerprint: layout.fingerprint,
          source: used.source,
          fields: used.choices,
          unused: used.unused,
          problems: layout.problems,
        });
        return;
      }
      printMapping(basename(file), layout, used);
    });

  mapping
    .command('save <file>')
    .description('save a corrected mapping for this file’s layout; later uploads of the layout use it')
    .requiredOption('--body <id>', 'the body the file belongs to')
    .option(
      '--set <field=column...>',
      'map a field to a column (header text, or #N for column N)',
      collect,
      [],
    )
    .option('--unset <field...>', 'map nothing to a field', collect, [])
    .option(
      '--header-row <n>',
      'the header is on this row (for a layout whose column names are not recognised)',
    )
    .option('--json', 'print the saved mapping as JSON')
    .action(async (file: string, options) => {
      const config = loadConfig();
      const bodyId = String(options.body);
      const { layout } = await inspect(config, bodyId, file, headerRowOption(options.headerRow));
      const changes = [
        ...(options.set as string[]).map((assignment) => {
          const at = assignment.indexOf('=');
          if (at <= 0) throw new UserError('invalid-input', `--set ${assignment}: expected field=column`);
          return { field: assignment.slice(0, at).trim(), column: assignment.slice(at + 1).trim() };
        }),
        ...(options.unset as string[]).map((field) => ({ field: field.trim(), column: null })),
      ];
      let saved: SavedMapping;
      try {
        saved = correctMapping(layout, layout.saved ?? layout.detected, changes);
      } catch (error) {
        if (isFileProblem(error))
          throw new UserError('invalid-input', `${basename(file)}: ${(error as Error).message}`);
        throw error;
      }
      await callOperation(config, 'mappings.save', {
        bodyId,
        fingerprint: layout.fingerprint,
        header: layout.header,
        mapping: saved,
      });
      if (options.json) printJson({ bodyId, fingerprint: layout.fingerprint, mapping: saved });
      else
        process.stdout.write(
          `Saved the mapping for layout ${layout.fingerprint} of ${bodyId}:\n${JSON.stringify(saved.fields, null, 2)}\n`,
        );
    });

  mapping
    .command('list')
    .description('the mappings a body saved')
    .requiredOption('--body <id>', 'the body')
    .option('--json', 'print as JSON')
    .action(async (options) => {
      const list = (await callOperation(loadConfig(), 'mappings.list', {
        bodyId: String(options.body),
      })) as StoredMapping[];
      if (options.json) printJson({ mappings: list });
      else
        printTable(
          list.map((m) => ({
            fingerprint: m.fingerprint,
            savedAt: m.savedAt,
            fields: JSON.stringify(m.mapping.fields),
          })),
        );
    });
}

function headerRowOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const row = Number(value);
  if (!Number.isInteger(row) || row < 1)
    throw new UserError('invalid-input', `--header-row ${value}: a row number from 1`);
  return row;
}

async function inspect(
  config: Config,
  bodyId: string,
  file: string,
  headerRow: number | undefined,
): Promise<{ layout: Layout }> {
  if (!existsSync(file)) throw new UserError('not-found', `No such file: ${file}`);
  const stored = (await callOperation(config, 'mappings.list', { bodyId })) as StoredMapping[];
  try {
    const layout = await findLayout(
      { name: basename(file), open: () => createReadStream(file) },
      new Map(stored.map((m) => [m.fingerprint, m.mapping])),
      headerRow,
    );
    return { layout };
  } catch (error) {
    if (isFileProblem(error))
      throw new UserError('invalid-input', `${basename(file)}: ${(error as Error).message}`);
    throw error;
  }
}

function printMapping(file: string, layout: Layout, used: Mapping): void {
  const out = process.stdout;
  out.write(
    `${file}: header on row ${layout.headerRow}${layout.sheet ? ` of sheet "${layout.sheet}"` : ''}, layout ${layout.fingerprint}, ${used.source === 'saved' ? 'saved' : 'detected'} mapping:\n`,
  );
  printTable(
    used.choices.map((c) => ({
      field: c.field,
      column: c.column + 1,
      header: c.header,
      meaning: c.meaning ?? '',
      samples: (c.samples ?? []).join(' | '),
      why: c.why ?? '',
    })),
  );
  if (used.unused.length > 0) {
    out.write('\nNot used:\n');
    printTable(
      used.unused.map((u) => ({
        column: u.column + 1,
        header: u.header,
        why: u.why,
        looksLike: u.looksLike ?? '',
      })),
    );
  }
  for (const problem of layout.problems) out.write(`\nTHE VALUES CONTRADICT THE MAPPING: ${problem}\n`);
  out.write(`\nTo correct it: spend mapping save ${file} --body <id> --set field=column [--unset field]\n`);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

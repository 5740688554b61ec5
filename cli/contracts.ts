/**
 * `spend contracts load <files…> [--body <id>]`: OCDS release packages (Contracts Finder or
 * any OCDS 1.1 publisher) into the contract register, through the owning process when one
 * runs. The register, coverage and joint-procurement windows are built by the next transforms
 * run (`spend transforms run`, or the schedule in `spend serve`).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { UserError } from '../lib/errors.ts';
import { callOperation } from '../owner/call-operation.ts';
import type { LoadedFile } from '../transforms/contracts/store.ts';
import { printJson, printTable } from './output.ts';

/** Release packages are small (Contracts Finder's are kilobytes); this bounds a mistaken file. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

function readPackage(path: string): { name: string; text: string } {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new UserError('not-found', `No file ${path}.`);
  }
  if (size > MAX_FILE_BYTES) {
    throw new UserError(
      'invalid-input',
      `${path} is ${size} bytes; a release package over 256 MB is not loaded.`,
    );
  }
  return { name: path, text: readFileSync(path, 'utf8') };
}

export function registerContractsCommands(program: Command): void {
  const contracts = program
    .command('contracts')
    .description('the contract register from OCDS release packages (Contracts Finder and others)');

  contracts
    .command('load')
    .description('load OCDS 1.1 release packages; the next transforms run builds the register')
    .argument('<files...>', 'release package files (.json)')
    .option(
      '--body <id>',
      "the registered body these contracts belong to (default: matched on the buyer's name)",
    )
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], options: { body?: string; json?: boolean }) => {
      const loaded = (await callOperation(loadConfig(), 'contracts.load', {
        files: files.map(readPackage),
        ...(options.body ? { bodyId: options.body } : {}),
      })) as LoadedFile[];
      if (options.json) {
        printJson(loaded);
        return;
      }
      printTable(
        loaded.map((f) => ({ ...f, buyers: f.buyers.join('; '), packageId: f.packageId.slice(0, 12) })),
        ['file', 'status', 'releases', 'awards', 'buyers', 'packageId'],
      );
      const fresh = loaded.filter((f) => f.status === 'loaded').length;
      process.stdout.write(
        `\n${fresh} package(s) loaded, ${loaded.length - fresh} already loaded. "spend transforms run" builds the register (spend query fct_contracts).\n`,
      );
    });
}

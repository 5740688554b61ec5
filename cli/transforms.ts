/** `spend transforms run|status`: build the SQL models now, and what the last runs did. */
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import { callOperation } from '../owner/call-operation.ts';
import type { RunSummary } from '../transforms/runner.ts';
import { printJson, printTable } from './output.ts';

export function registerTransformsCommands(program: Command): void {
  const transforms = program
    .command('transforms')
    .description('the SQL models (staging → intermediate → marts): build them, see their runs');

  transforms
    .command('run')
    .description('build the models in dependency order (incremental where a model allows it)')
    .option('--full', 'rebuild incremental models from scratch')
    .option('--select <models...>', 'only these models; +name adds upstream, name+ downstream')
    .option('--json', 'print the run summary as JSON')
    .action(async (options: { full?: boolean; select?: string[]; json?: boolean }) => {
      const config = loadConfig();
      const summary = (await callOperation(config, 'transforms.run', {
        full: options.full ?? false,
        select: options.select ?? [],
        codelistsDir: config.codelistsDir,
      })) as RunSummary;
      for (const warning of summary.warnings) process.stderr.write(`Warning: ${warning}\n`);
      if (options.json) printJson(summary);
      else {
        printTable(summary.models, ['model', 'status', 'mode', 'rows', 'durationMs', 'error']);
        process.stdout.write(
          `\nRun ${summary.runId}: ${summary.models.length - summary.failed - summary.skipped} built, ${summary.failed} failed, ${summary.skipped} skipped.\n`,
        );
      }
      if (summary.failed > 0) process.exitCode = 1;
    });

  transforms
    .command('status')
    .description("each model's latest run: when, how long, rows, status and error")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const runs = (await callOperation(loadConfig(), 'transforms.status')) as Record<string, unknown>[];
      if (options.json) printJson(runs);
      else printTable(runs);
    });
}

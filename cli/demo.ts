import type { Command } from 'commander';

export function registerDemoCommand(program: Command): void {
  program.command('demo').description('run the whole pipeline on a realistic demo data set');
}

/**
 * The upload benchmark's part of BENCHMARKS.md: its own section, replaced on every run and
 * nothing else touched (bench/report.ts writeSection), and the machine facts it shows.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { markdownTable, packageVersion } from './report.ts';

export const UPLOAD_SECTION_TITLE = '## Upload (npm run bench:upload)';

export function machineLines(): string[] {
  const version = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '?';
    } catch {
      return '?';
    }
  };
  return markdownTable(
    ['', ''],
    [
      ['CPU', `${cpus()[0]?.model ?? '?'} (nproc ${cpus().length})`],
      ['RAM', `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`],
      ['Kernel', version('uname', ['-r'])],
      ['Node', process.version],
      ['csv-parse', packageVersion('csv-parse')],
      ['@duckdb/node-api', packageVersion('@duckdb/node-api')],
      ['kafkajs', packageVersion('kafkajs')],
    ],
  );
}

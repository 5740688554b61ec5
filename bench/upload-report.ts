/**
 * The upload benchmark's part of BENCHMARKS.md: its own section, replaced on every run and
 * nothing else touched, plus the machine facts and a markdown table helper.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';

export const UPLOAD_SECTION_TITLE = '## Upload (npm run bench:upload)';
const BENCHMARKS_FILE = resolve(import.meta.dirname, '../BENCHMARKS.md');

export function markdownTable(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
}

export function machineLines(): string[] {
  const version = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '?';
    } catch {
      return '?';
    }
  };
  const packageVersion = (name: string) => {
    try {
      return (
        JSON.parse(
          readFileSync(resolve(import.meta.dirname, `../node_modules/${name}/package.json`), 'utf8'),
        ) as {
          version: string;
        }
      ).version;
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

/** Replaces (or appends) the upload section of BENCHMARKS.md; returns the file written. */
export function writeUploadSection(body: string, file = BENCHMARKS_FILE): string {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const section = `${UPLOAD_SECTION_TITLE}\n\n${body.trim()}\n`;
  const start = current.indexOf(`${UPLOAD_SECTION_TITLE}\n`);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.slice(start + UPLOAD_SECTION_TITLE.length);
    const end = after.search(/^## /m);
    const rest = end < 0 ? '' : after.slice(end);
    next = `${current.slice(0, start)}${section}${rest ? `\n${rest}` : ''}`;
  }
  writeFileSync(file, next);
  return file;
}

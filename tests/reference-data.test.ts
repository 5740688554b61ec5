/**
 * The reference data shipped in reference/ (code lists, registers) stays documented: every file
 * has a row in reference/SOURCES.md whose size and sha256 are those of the file as it is now, so
 * a replaced list cannot ship without its origin, licence and date being updated too.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REFERENCE = join(import.meta.dirname, '..', 'reference');

describe('reference/SOURCES.md', () => {
  const sources = readFileSync(join(REFERENCE, 'SOURCES.md'), 'utf8');
  const files = readdirSync(REFERENCE, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.csv'))
    .sort();

  it('covers the code lists and the register', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'codelists/cpv_codes.csv',
        'codelists/proclass_17.csv',
        'registers/uk-local-authorities.csv',
      ]),
    );
  });

  it.each(files)('gives %s with its size and sha256', (file) => {
    const bytes = readFileSync(join(REFERENCE, file));
    const row = sources.split('\n').find((line) => line.startsWith(`| \`${file}\` |`));
    expect(row, `no row for ${file}`).toBeDefined();
    const cells = (row ?? '').split('|').map((cell) => cell.trim());
    const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    expect(cells).toContain(String(bytes.length));
    expect(cells).toContain(`\`${sha}\``);
  });
});

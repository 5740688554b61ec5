/**
 * The values agree with the headers on every real file in ../shared: checking the mapping by
 * the values changes nothing there (each file maps exactly as by its headers alone) and stops
 * none of them. The header-only mapping is detectMapping's; the checked one is what an upload
 * uses (findLayout reads the rows around the header as an upload does).
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectMapping } from '../ingest/uploads/field-mapping.ts';
import { findLayout } from '../ingest/uploads/layout.ts';

const DATASETS = resolve(import.meta.dirname, '../../shared/datasets/uk-spend');
const available = existsSync(DATASETS);
if (!available && process.env.CI === 'true') throw new Error(`the shared datasets are not at ${DATASETS}`);

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

describe.skipIf(!available)('real files: mapping checked by the values', () => {
  it('every uk-spend file maps exactly as by its headers, with no contradiction', async () => {
    const files = filesUnder(DATASETS);
    expect(files.length).toBeGreaterThanOrEqual(16);
    for (const path of files) {
      const layout = await findLayout(
        { name: basename(path), open: () => createReadStream(path) },
        new Map(),
      );
      expect(layout.problems, path).toEqual([]);
      expect(layout.detected.fields, path).toEqual(detectMapping(layout.header).fields);
      expect(
        layout.detected.choices.every((c) => c.why !== undefined && c.samples !== undefined),
        path,
      ).toBe(true);
    }
  }, 120_000);
});

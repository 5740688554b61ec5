/**
 * What each switchable name rule of the resolver merges across every real name in
 * ../shared/datasets/uk-spend (all 18 files: Nov and Dec 2023, Jan–Mar 2017), identifiers hidden,
 * equals the merges a person reviewed in evaluation/resolver/rule-merges-reviewed.csv, and none of
 * them was judged wrong. A rule change that merges anything new fails here until the new merges
 * are read and recorded. (Six resolutions of 16,000 names: the slowest part is this file's.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readRealAliases, SHARED_SPEND_DIR, sharedDataAvailable } from '../evaluation/resolver/real-names.ts';
import { ruleMerges } from '../evaluation/resolver/rule-merges.ts';
import { publicBodyRegister } from '../transforms/resolver/model.ts';
import { NAME_RULES } from '../transforms/resolver/normalise.ts';
import { requiredUnderCi } from './helpers/shared-data.ts';

const REVIEWED = join(import.meta.dirname, '..', 'evaluation', 'resolver', 'rule-merges-reviewed.csv');

const present = requiredUnderCi(
  'resolver-rule-merges: real supplier names',
  sharedDataAvailable(),
  SHARED_SPEND_DIR,
);

describe.skipIf(!present)('resolver rules on every real supplier name', () => {
  it('merge exactly the reviewed pairs, none of them wrong', { timeout: 600_000 }, async () => {
    const reviewed = parse(readFileSync(REVIEWED, 'utf8'), {
      columns: true,
      comment: '#',
      comment_no_infix: true, // Bolton's names hold '#'
      skip_empty_lines: true,
    }) as { rule: string; kind: string; verdict: string; names: string }[];
    expect(reviewed.filter((r) => r.verdict === 'wrong')).toEqual([]);
    const aliases = await readRealAliases();
    const unique = new Map(
      aliases.map((a) => [`${a.bodyId}\u0000${a.name}`, { bodyId: a.bodyId, name: a.name }]),
    );
    const merges = ruleMerges([...unique.values()], publicBodyRegister());
    const line = (rule: string, kind: string, names: string) => `${rule} ${kind} ${names}`;
    expect(merges.map((m) => line(m.rule, m.kind, m.joined.join('  ||  '))).sort()).toEqual(
      reviewed.map((r) => line(r.rule, r.kind, r.names)).sort(),
    );
    // every rule was counted, and every rule merges something on real names
    for (const rule of NAME_RULES)
      expect(
        merges.some((m) => m.rule === rule && m.kind === 'merge'),
        rule,
      ).toBe(true);
  });
});

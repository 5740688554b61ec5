/**
 * What each of the resolver's switchable name rules merges across the whole real population
 * (every raw name of every body and period in ../shared/datasets/uk-spend, identifiers hidden):
 * the population is resolved with every rule, and again without the rule, and each entity of the
 * first that joins two or more entities of the second is a merge the rule made. Every merge is
 * then read by a person (rule-merges-reviewed.csv): a rule that merges a wrong pair is changed or
 * left out, and the test fails when a rule's merges differ from the reviewed ones.
 */
import { ALL_RULES, NAME_RULES, type NameRule } from '../../transforms/resolver/normalise.ts';
import type { PublicBodyRegister } from '../../transforms/resolver/public-bodies.ts';
import { type AliasInput, resolveSuppliers } from '../../transforms/resolver/resolve.ts';

export type RuleMerge = {
  rule: NameRule;
  /** `merge`: entities the rule joins; `split`: an entity the rule breaks apart (it was a wrong merge without it). */
  kind: 'merge' | 'split';
  /** One name of each entity the rule joined (the alphabetically first of each, body:name), sorted. */
  joined: string[];
};

function entities(inputs: AliasInput[], rules: ReadonlySet<NameRule>, register: PublicBodyRegister | null) {
  const matches = resolveSuppliers(inputs, [], { rules, publicBodies: register });
  return matches.map((m) => m.entityId);
}

/** Every merge each rule makes (or the rules given) on these aliases. */
export function ruleMerges(
  inputs: AliasInput[],
  register: PublicBodyRegister | null,
  rules: readonly NameRule[] = NAME_RULES,
): RuleMerge[] {
  const all = entities(inputs, ALL_RULES, register);
  const label = (i: number) => `${inputs[i]?.bodyId}:${inputs[i]?.name}`;
  const merges: RuleMerge[] = [];
  for (const rule of rules) {
    const without = entities(inputs, new Set([...ALL_RULES].filter((r) => r !== rule)), register);
    // entity with the rule → entity without it → its first name
    const groups = new Map<string, Map<string, string>>();
    all.forEach((entity, i) => {
      if (entity === null) return;
      const before = without[i] ?? `none:${i}`;
      const group = groups.get(entity) ?? new Map<string, string>();
      groups.set(entity, group);
      const name = label(i);
      const seen = group.get(before);
      if (seen === undefined || name < seen) group.set(before, name);
    });
    for (const group of groups.values())
      if (group.size > 1) merges.push({ rule, kind: 'merge', joined: [...group.values()].sort() });
    // and the other way round: entities without the rule that it splits
    const splits = new Map<string, Map<string, string>>();
    without.forEach((entity, i) => {
      if (entity === null) return;
      const after = all[i] ?? `none:${i}`;
      const group = splits.get(entity) ?? new Map<string, string>();
      splits.set(entity, group);
      const name = label(i);
      const seen = group.get(after);
      if (seen === undefined || name < seen) group.set(after, name);
    });
    for (const group of splits.values())
      if (group.size > 1) merges.push({ rule, kind: 'split', joined: [...group.values()].sort() });
  }
  return merges.sort((a, b) =>
    a.rule + a.kind + a.joined.join('|') < b.rule + b.kind + b.joined.join('|') ? -1 : 1,
  );
}

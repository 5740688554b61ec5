/**
 * The identifier-labelled sample of real supplier-name pairs, built at test or bench time from
 * ../shared (never stored in the repository): two different raw names of one body with the same
 * normalised identifier are a match, with different identifiers no match. The truth comes from
 * Kirklees' Companies House numbers and Devon's VAT numbers; the resolver is then scored with
 * every identifier hidden. Negatives are the hard ones only: names sharing their first word or
 * a distinctive word (easy negatives prove nothing). Redaction markers are left out, and so is a
 * name seen with two identifiers in one file (ambiguous truth).
 *
 * Pairs are formed within one file (one body, one period): across years a firm's number can
 * change (Canon's VAT number after it absorbed Océ, a re-registration), so two names with
 * different numbers in 2017 and 2023 are not evidence of two organisations. A pair met in two
 * periods with opposite labels is left out.
 */
import {
  cleanName,
  isRedactionMarker,
  normaliseCompanyNumber,
  normaliseVat,
} from '../../transforms/resolver/normalise.ts';
import type { RealAlias } from './real-names.ts';
import type { LabelledPair } from './score.ts';

type Named = { name: string; id: string; tokens: string[] };

const SOURCES = [
  {
    body: 'kirklees',
    source: 'kirklees-company-number',
    id: (a: RealAlias) => normaliseCompanyNumber(a.companyNumber),
  },
  { body: 'devon', source: 'devon-vat-number', id: (a: RealAlias) => normaliseVat(a.vatNumber) },
] as const;

export type IdentifierSample = {
  pairs: LabelledPair[];
  /** Per body: names with an identifier, matching pairs, hard non-matching pairs. */
  bodies: { body: string; names: number; matches: number; distinct: number }[];
};

export function buildIdentifierPairs(aliases: RealAlias[]): IdentifierSample {
  const pairs: LabelledPair[] = [];
  const bodies: IdentifierSample['bodies'] = [];
  for (const { body, source, id: identify } of SOURCES) {
    const byPeriod = new Map<string, Map<string, Named>>();
    for (const alias of aliases) {
      if (alias.bodyId !== body || isRedactionMarker(alias.name)) continue;
      const id = identify(alias);
      const cleaned = cleanName(alias.name);
      if (!id || !cleaned) continue;
      const byName = byPeriod.get(alias.period) ?? new Map<string, Named>();
      byPeriod.set(alias.period, byName);
      const seen = byName.get(alias.name);
      if (seen && seen.id !== id) seen.id = '';
      else byName.set(alias.name, { name: alias.name, id, tokens: cleaned.tokens });
    }
    // (name a, name b) → match?, or null when two periods disagree
    const labels = new Map<string, { nameA: string; nameB: string; match: boolean | null }>();
    const names = new Set<string>();
    for (const byName of byPeriod.values()) {
      const named = [...byName.values()].filter((n) => n.id).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const n of named) names.add(n.name);
      for (let i = 0; i < named.length; i++) {
        for (let j = i + 1; j < named.length; j++) {
          const [a, b] = [named[i] as Named, named[j] as Named];
          const same = a.id === b.id;
          const sharedFirst = a.tokens[0] === b.tokens[0];
          const sharedWords = a.tokens.some((t) => t.length >= 4 && b.tokens.includes(t));
          if (!same && !sharedFirst && !sharedWords) continue;
          const key = `${a.name}\u0000${b.name}`;
          const known = labels.get(key);
          if (!known) labels.set(key, { nameA: a.name, nameB: b.name, match: same });
          else if (known.match !== same) known.match = null;
        }
      }
    }
    let [matches, distinct] = [0, 0];
    for (const { nameA, nameB, match } of labels.values()) {
      if (match === null) continue;
      if (match) matches++;
      else distinct++;
      pairs.push({ bodyA: body, nameA, bodyB: body, nameB, match, source });
    }
    bodies.push({ body, names: names.size, matches, distinct });
  }
  return { pairs, bodies };
}

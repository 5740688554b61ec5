/**
 * The identifier-labelled sample of real supplier-name pairs, built at test or bench time from
 * ../shared (never stored in the repository): two different raw names of one body with the same
 * normalised identifier are a match, with different identifiers no match. The truth comes from
 * Kirklees' Companies House numbers and Devon's VAT numbers; the resolver is then scored with
 * every identifier hidden. Negatives are the hard ones only: names sharing their first word or
 * a distinctive word (easy negatives prove nothing). Redaction markers are left out, and so is a
 * name seen with two identifiers (ambiguous truth).
 */
import { cleanName, isRedactionMarker, normaliseCompanyNumber, normaliseVat } from '../normalise.ts';
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
    const byName = new Map<string, Named>();
    for (const alias of aliases) {
      if (alias.bodyId !== body || isRedactionMarker(alias.name)) continue;
      const id = identify(alias);
      const cleaned = cleanName(alias.name);
      if (!id || !cleaned) continue;
      const seen = byName.get(alias.name);
      if (seen && seen.id !== id) seen.id = '';
      else byName.set(alias.name, { name: alias.name, id, tokens: cleaned.tokens });
    }
    const named = [...byName.values()].filter((n) => n.id).sort((a, b) => (a.name < b.name ? -1 : 1));
    let [matches, distinct] = [0, 0];
    for (let i = 0; i < named.length; i++) {
      for (let j = i + 1; j < named.length; j++) {
        const [a, b] = [named[i] as Named, named[j] as Named];
        const same = a.id === b.id;
        const sharedFirst = a.tokens[0] === b.tokens[0];
        const sharedWords = a.tokens.some((t) => t.length >= 4 && b.tokens.includes(t));
        if (!same && !sharedFirst && !sharedWords) continue;
        if (same) matches++;
        else distinct++;
        pairs.push({ bodyA: body, nameA: a.name, bodyB: body, nameB: b.name, match: same, source });
      }
    }
    bodies.push({ body, names: named.length, matches, distinct });
  }
  return { pairs, bodies };
}

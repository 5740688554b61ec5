/**
 * Scores the resolver on the labelled samples of real supplier pairs: the whole population of raw
 * names (every body and period in ../shared/datasets/uk-spend) is resolved with its identifiers hidden (the truth must not leak),
 * then each labelled pair is a true/false positive/negative by whether both names got one entity.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { publicBodyRegister } from '../../transforms/resolver/model.ts';
import { type AliasInput, resolveSuppliers } from '../../transforms/resolver/resolve.ts';
import { type RealAlias, readRealAliases } from './real-names.ts';

/** Cross-body pairs labelled by hand (the identifier-labelled sample is built at run time: identifier-pairs.ts). */
export const HAND_LABELLED_PAIRS = join(import.meta.dirname, 'hand-labelled-pairs.csv');

export type LabelledPair = {
  bodyA: string;
  nameA: string;
  bodyB: string;
  nameB: string;
  match: boolean;
  source: string;
  /** What distinguishes the two names, or why distinct ones look alike (hand-labelled pairs only). */
  kind?: string;
};

export function readPairs(path: string): LabelledPair[] {
  const rows = parse(readFileSync(path, 'utf8'), {
    columns: true,
    trim: false,
    skip_empty_lines: true,
    comment: '#',
    comment_no_infix: true,
  }) as Record<string, string>[];
  return rows.map((r) => ({
    bodyA: r.body_a as string,
    nameA: r.name_a as string,
    bodyB: r.body_b as string,
    nameB: r.name_b as string,
    match: r.label === 'match',
    source: r.source as string,
    ...(r.kind ? { kind: r.kind } : {}),
  }));
}

export type Score = {
  pairs: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
};

export function score(
  pairs: LabelledPair[],
  entityOf: (body: string, name: string) => string | null,
): Score & { errors: LabelledPair[] } {
  let [tp, fp, fn, tn] = [0, 0, 0, 0];
  const errors: LabelledPair[] = [];
  for (const pair of pairs) {
    const a = entityOf(pair.bodyA, pair.nameA);
    const predicted = a !== null && a === entityOf(pair.bodyB, pair.nameB);
    if (predicted && pair.match) tp++;
    else if (predicted) {
      fp++;
      errors.push(pair);
    } else if (pair.match) {
      fn++;
      errors.push(pair);
    } else tn++;
  }
  return {
    pairs: pairs.length,
    tp,
    fp,
    fn,
    tn,
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: tp + fn ? tp / (tp + fn) : 1,
    errors,
  };
}

/** Resolves the real population with every identifier hidden; returns a lookup (body, raw name) → entity. */
export async function resolveRealNamesOnly(
  aliases?: RealAlias[],
): Promise<(body: string, name: string) => string | null> {
  aliases ??= await readRealAliases();
  const unique = new Map<string, AliasInput>();
  for (const a of aliases) unique.set(`${a.bodyId}\u0000${a.name}`, { bodyId: a.bodyId, name: a.name });
  // the product's own register (reference/registers), as spend transforms use it
  const matches = resolveSuppliers([...unique.values()], [], { publicBodies: publicBodyRegister() });
  const entity = new Map(matches.map((m) => [`${m.bodyId}\u0000${m.name}`, m.entityId]));
  return (body, name) => {
    const key = `${body}\u0000${name}`;
    if (!entity.has(key)) throw new Error(`labelled name not in the population: ${body}: ${name}`);
    return entity.get(key) ?? null;
  };
}

/** Positives whose names share a distinctive word: the ones a name can reveal at all. */
export function nameRecoverable(pair: LabelledPair, wordsOf: (name: string) => string[]): boolean {
  const a = wordsOf(pair.nameA);
  const b = new Set(wordsOf(pair.nameB));
  return a.some((w) => w.length >= 3 && b.has(w));
}

export type ScoredSample = { name: string; pairs: number; score: Score };

/**
 * Every real-pair row reported by the test and the benchmark: the identifier sample whole, its
 * Companies House and VAT halves apart (a company number is one legal entity; a VAT number may be
 * a group registration covering several), its positives whose names share a distinctive word
 * (with every negative), and the hand-labelled pairs.
 */
export function realSamples(
  identifierPairs: LabelledPair[],
  handPairs: LabelledPair[],
  entityOf: (body: string, name: string) => string | null,
  wordsOf: (name: string) => string[],
): ScoredSample[] {
  const sample = (name: string, pairs: LabelledPair[]) => ({
    name,
    pairs: pairs.length,
    score: score(pairs, entityOf),
  });
  return [
    sample(
      'real, Kirklees company numbers and Devon VAT numbers as truth, identifiers hidden',
      identifierPairs,
    ),
    sample(
      '… of which Kirklees Companies House numbers (one legal entity each)',
      identifierPairs.filter((p) => p.source === 'kirklees-company-number'),
    ),
    sample(
      '… of which Devon VAT numbers (a VAT group may cover several entities)',
      identifierPairs.filter((p) => p.source === 'devon-vat-number'),
    ),
    sample(
      '… name-recoverable: matches whose names share a distinctive word, all non-matches',
      identifierPairs.filter((p) => !p.match || nameRecoverable(p, wordsOf)),
    ),
    sample('real, cross-body and cross-period pairs labelled by hand', handPairs),
  ];
}

/**
 * Scores by kind of pair. Precision needs predicted matches, which only the distinct pairs of a
 * kind can falsify: each kind's row counts its own pairs; `precision` of a kind of distinct pairs
 * is 1 − (wrongly merged / pairs), reported as `merged`.
 */
export function scoreByKind(
  pairs: LabelledPair[],
  entityOf: (body: string, name: string) => string | null,
): { kind: string; label: 'match' | 'distinct'; pairs: number; joined: number; errors: LabelledPair[] }[] {
  const groups = new Map<string, LabelledPair[]>();
  for (const pair of pairs) {
    const key = `${pair.match ? 'match' : 'distinct'}\u0000${pair.kind ?? 'unlabelled'}`;
    groups.set(key, [...(groups.get(key) ?? []), pair]);
  }
  return [...groups.entries()]
    .map(([key, list]) => {
      const [label, kind] = key.split('\u0000') as ['match' | 'distinct', string];
      const result = score(list, entityOf);
      return { kind, label, pairs: list.length, joined: result.tp + result.fp, errors: result.errors };
    })
    .sort((a, b) => (a.label + a.kind < b.label + b.kind ? -1 : 1));
}

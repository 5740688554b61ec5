/**
 * Why two supplier names were, or were not, resolved to one entity (`spend suppliers why "A" "B"`
 * and GET /api/v1/suppliers/why): the resolution is run again over the same names and decisions,
 * keeping every edge of evidence it accepted and refused. Merged names are explained by the chain
 * of evidence joining them (each link with its reason and score); names kept apart by the guards
 * that refused a join between their entities, and by how the two names compare under each rule.
 */
import {
  type AliasInput,
  type Edge,
  type Pin,
  type Prepared,
  type ResolveOptions,
  resolveWithEvidence,
} from './resolve.ts';
import { tokenSetSimilarity } from './similarity.ts';

export type NameRef = { bodyId?: string | undefined; name: string };

export type AliasFacts = {
  bodyId: string;
  name: string;
  cleanedName: string | null;
  /** Other names the raw name states (a legal name before T/A, a bracketed organisation…). */
  statedNames: string[];
  /** The organisation a site name belongs to (`NUGENT CARE - NUGENT HOUSE SCHOOL` → NUGENT CARE). */
  siteOf: string | null;
  vatNumbers: string[];
  companyNumbers: string[];
  charityNumbers: string[];
  publicBody: { code: string; officialName: string; via: string } | null;
  redacted: boolean;
};

export type EvidenceLink = {
  from: { bodyId: string; name: string };
  to: { bodyId: string; name: string };
  reason: string;
  score: number;
};

export type PairExplanation = {
  a: AliasFacts;
  b: AliasFacts;
  merged: boolean;
  /** One sentence: the answer. */
  summary: string;
  /** Merged: the chain of evidence from A to B. */
  path: EvidenceLink[];
  /** Not merged: joins between their entities that a guard refused, with the guard. */
  refused: (EvidenceLink & { refused: string })[];
  /** How the two names compare, rule by rule. */
  comparison: string[];
};

const ref = (alias: Prepared) => ({ bodyId: alias.input.bodyId, name: alias.input.name });

function facts(alias: Prepared): AliasFacts {
  return {
    ...ref(alias),
    cleanedName: alias.cleaned?.key ?? null,
    statedNames: alias.cleaned?.alternates ?? [],
    siteOf: alias.cleaned?.branchOf ?? null,
    vatNumbers: alias.vats,
    companyNumbers: alias.companies,
    charityNumbers: alias.charities,
    publicBody: alias.publicBody
      ? {
          code: alias.publicBody.code,
          officialName: alias.publicBody.officialName,
          via: alias.publicBody.via,
        }
      : null,
    redacted: alias.redacted,
  };
}

/** The aliases a reference names: exactly as written, else ignoring case and surrounding spaces. */
function find(aliases: Prepared[], wanted: NameRef): Prepared[] {
  const inBody = (a: Prepared) => wanted.bodyId === undefined || a.input.bodyId === wanted.bodyId;
  const exact = aliases.filter((a) => inBody(a) && a.input.name === wanted.name);
  if (exact.length > 0) return exact;
  const loose = (s: string) =>
    s
      .replace(/[\s\u00a0]+/g, ' ')
      .trim()
      .toUpperCase();
  return aliases.filter((a) => inBody(a) && loose(a.input.name) === loose(wanted.name));
}

export class UnknownNameError extends Error {}

export function explainPair(
  inputs: readonly AliasInput[],
  pins: readonly Pin[],
  options: ResolveOptions,
  wantedA: NameRef,
  wantedB: NameRef,
): PairExplanation {
  const { aliases, clusters, accepted, refused } = resolveWithEvidence(inputs, pins, options);
  const [a] = find(aliases, wantedA);
  const [b] = find(aliases, wantedB);
  const describe = (w: NameRef) => (w.bodyId ? `${w.bodyId}:${w.name}` : w.name);
  if (!a) throw new UnknownNameError(`No supplier name "${describe(wantedA)}" has arrived from any body.`);
  if (!b) throw new UnknownNameError(`No supplier name "${describe(wantedB)}" has arrived from any body.`);

  const comparison = compare(a, b);
  if (a.redacted || b.redacted) {
    return {
      a: facts(a),
      b: facts(b),
      merged: false,
      summary: 'A redacted name never belongs to a supplier entity.',
      path: [],
      refused: [],
      comparison,
    };
  }
  const link = (edge: Edge, from: number): EvidenceLink => {
    const to = edge.a === from ? edge.b : edge.a;
    return {
      from: ref(aliases[from] as Prepared),
      to: ref(aliases[to] as Prepared),
      reason: edge.reason,
      score: edge.score,
    };
  };
  const [rootA, rootB] = [clusters.find(a.index), clusters.find(b.index)];
  if (rootA === rootB) {
    const path = shortestPath(accepted, a.index, b.index).map(([edge, from]) => link(edge, from));
    const reasons = [...new Set(path.map((l) => l.reason))].join(', ');
    return {
      a: facts(a),
      b: facts(b),
      merged: true,
      summary:
        a.index === b.index
          ? 'The same name.'
          : `One entity: joined by ${path.length} link(s) of evidence (${reasons}); the weakest scores ${Math.min(...path.map((l) => l.score))}.`,
      path,
      refused: [],
      comparison,
    };
  }
  const between = refused
    .filter((edge) => {
      const [x, y] = [clusters.find(edge.a), clusters.find(edge.b)];
      return (x === rootA && y === rootB) || (x === rootB && y === rootA);
    })
    .map((edge) => ({ ...link(edge, edge.a), refused: edge.refused }));
  const summary =
    between.length > 0
      ? `Two entities: evidence would join them (${[...new Set(between.map((e) => e.reason))].join(', ')}) but a guard keeps them apart: ${[...new Set(between.map((e) => e.refused))].join('; ')}.`
      : 'Two entities: no rule found evidence that these names are one organisation.';
  return { a: facts(a), b: facts(b), merged: false, summary, path: [], refused: between, comparison };
}

/** Breadth-first over accepted edges: each step as (edge, the alias it leaves from). */
function shortestPath(edges: Edge[], from: number, to: number): [Edge, number][] {
  const adjacent = new Map<number, Edge[]>();
  for (const edge of edges)
    for (const end of [edge.a, edge.b]) {
      const list = adjacent.get(end) ?? [];
      list.push(edge);
      adjacent.set(end, list);
    }
  const cameBy = new Map<number, [Edge, number]>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const at = queue.shift() as number;
    if (at === to) break;
    for (const edge of adjacent.get(at) ?? []) {
      const next = edge.a === at ? edge.b : edge.a;
      if (seen.has(next)) continue;
      seen.add(next);
      cameBy.set(next, [edge, at]);
      queue.push(next);
    }
  }
  const steps: [Edge, number][] = [];
  for (let at = to; at !== from; ) {
    const step = cameBy.get(at);
    if (!step) return [];
    steps.unshift(step);
    at = step[1];
  }
  return steps;
}

/** The two names side by side under each rule, in words. */
function compare(a: Prepared, b: Prepared): string[] {
  const out: string[] = [];
  const [ka, kb] = [a.cleaned?.key ?? null, b.cleaned?.key ?? null];
  const shared = (x: string[], y: string[]) => x.filter((v) => y.includes(v));
  if (shared(a.vats, b.vats).length) out.push(`Same VAT number ${shared(a.vats, b.vats)[0]}.`);
  else if (a.vats.length && b.vats.length) out.push(`Different VAT numbers (${a.vats[0]}, ${b.vats[0]}).`);
  if (shared(a.companies, b.companies).length)
    out.push(`Same Companies House number ${shared(a.companies, b.companies)[0]}.`);
  else if (a.companies.length && b.companies.length)
    out.push(`Different Companies House numbers (${a.companies[0]}, ${b.companies[0]}).`);
  if (a.publicBody && b.publicBody)
    out.push(
      a.publicBody.code === b.publicBody.code
        ? `Both name ${a.publicBody.officialName} (register code ${a.publicBody.code}).`
        : `They name two councils: ${a.publicBody.officialName} (${a.publicBody.code}) and ${b.publicBody.officialName} (${b.publicBody.code}).`,
    );
  else if (a.publicBody || b.publicBody) {
    const body = (a.publicBody ?? b.publicBody) as NonNullable<Prepared['publicBody']>;
    out.push(`Only one names a council in the register: ${body.officialName} (${body.code}).`);
  }
  if (ka === null || kb === null) return out;
  out.push(ka === kb ? `Both clean to "${ka}".` : `They clean to "${ka}" and "${kb}".`);
  const statedA = a.cleaned?.alternates ?? [];
  const statedB = b.cleaned?.alternates ?? [];
  if (statedA.includes(kb)) out.push(`"${a.input.name}" states the name "${kb}".`);
  if (statedB.includes(ka)) out.push(`"${b.input.name}" states the name "${ka}".`);
  if (a.cleaned?.branchOf === kb) out.push(`"${a.input.name}" is a site of "${kb}".`);
  if (b.cleaned?.branchOf === ka) out.push(`"${b.input.name}" is a site of "${ka}".`);
  if (ka !== kb) {
    const fuzzy = tokenSetSimilarity(ka.split(' '), kb.split(' '));
    out.push(
      fuzzy === null
        ? 'Word by word they do not pair up (every word must match, allowing typos in long words).'
        : `Word by word they pair up with similarity ${fuzzy}.`,
    );
  }
  // the trade-word and cut-name rules compare the shorter name with longer ones of one entity
  const [short, long] = ka.length <= kb.length ? [ka, kb] : [kb, ka];
  if (long.startsWith(`${short} `)) out.push(`"${long}" extends "${short}".`);
  return out;
}

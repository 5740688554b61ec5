/**
 * Supplier resolution: which raw supplier names, across all bodies, are one organisation.
 *
 * The unit is an alias: one raw name in one body, with the identifiers sent with it. Aliases are
 * joined in order of evidence: analysts' decisions, VAT number, Companies House number, charity
 * number, the cleaned name, then fuzzy similarity within blocks of aliases sharing a rare word.
 * A join on a name never crosses a conflict (both sides carry different VAT or company numbers,
 * or analysts put them in different entities), and fuzzy joins are deliberately narrow:
 * precision matters more than recall, because a wrong merge silently misstates spend.
 *
 * Every alias records the strongest evidence that put it in its entity (reason and score).
 */
import { createHash } from 'node:crypto';
import {
  ALL_RULES,
  type CleanedName,
  cleanName,
  isRedactionMarker,
  type NameRule,
  normaliseCharityNumber,
  normaliseCompanyNumber,
  normaliseVat,
  REGION_WORDS,
  stripNoise,
} from './normalise.ts';
import { matchPublicBody, type PublicBodyMatch, type PublicBodyRegister } from './public-bodies.ts';
import { GENERIC_WORDS, isDistinctive, tokenSetSimilarity } from './similarity.ts';

export type AliasInput = {
  bodyId: string;
  /** Exactly as it arrived. */
  name: string;
  vatNumbers?: readonly string[];
  companyNumbers?: readonly string[];
  charityNumbers?: readonly string[];
  /** Sent as redacted by the body. */
  redacted?: boolean;
};

/** An analyst's decision: this alias belongs to this entity (see decisions.ts). */
export type Pin = { bodyId: string; name: string; entityId: string };

export type MatchReason =
  | 'analyst'
  | 'vat-number'
  | 'company-number'
  | 'charity-number'
  | 'public-body'
  | 'name'
  | 'name-compact'
  | 'name-alternate'
  | 'name-fuzzy'
  | 'name-prefix'
  | 'single'
  | 'redacted';

export type AliasMatch = {
  bodyId: string;
  name: string;
  /** null for redaction markers: they never form a supplier. */
  entityId: string | null;
  cleanedName: string | null;
  reason: MatchReason;
  /** Confidence of that evidence, 0–1. */
  score: number;
  /** The alias the evidence links to (null for 'single', 'redacted'). */
  matchedBodyId: string | null;
  matchedName: string | null;
  vatNumber: string | null;
  companyNumber: string | null;
  charityNumber: string | null;
  /** The local authority register's code when the name names a council (public-bodies.ts). */
  publicBodyCode: string | null;
  /** How that code was found: `register-spelling: LANCASHIRE COUNTY COUNCIL`, `register-place: PENDLE`. */
  publicBodyMatch: string | null;
};

export type ResolveOptions = {
  /** The local authority register: councils named in any spelling join by their register code. */
  publicBodies?: PublicBodyRegister | null;
  /** The name rules in force (normalise.ts NameRule): all by default; fewer to count what one rule merges. */
  rules?: ReadonlySet<NameRule>;
};

/** Evidence strength, strongest first: an alias reports its strongest edge. */
const RANK: Record<MatchReason, number> = {
  analyst: 0,
  'vat-number': 1,
  'company-number': 2,
  'charity-number': 3,
  'public-body': 4,
  name: 5,
  'name-alternate': 6,
  'name-compact': 7,
  'name-fuzzy': 8,
  'name-prefix': 9,
  single: 10,
  redacted: 11,
};

const SCORE: Partial<Record<MatchReason, number>> = {
  analyst: 1,
  'vat-number': 1,
  'company-number': 1,
  'charity-number': 1,
  // read from the name, not sent as an identifier: a little below a number
  'public-body': 0.98,
  name: 0.97,
  'name-alternate': 0.93,
  'name-compact': 0.93,
  'name-prefix': 0.85,
};

export type Prepared = {
  index: number;
  input: AliasInput;
  cleaned: CleanedName | null;
  vats: string[];
  companies: string[];
  charities: string[];
  publicBody: PublicBodyMatch | null;
  redacted: boolean;
};

export type Edge = { a: number; b: number; reason: MatchReason; score: number };

export class Clusters {
  private readonly parent: number[];
  readonly vats: Set<string>[];
  readonly companies: Set<string>[];
  readonly publicBodies: Set<string>[];
  readonly pins: (string | null)[];

  constructor(aliases: Prepared[], pinOf: (alias: Prepared) => string | null) {
    this.parent = aliases.map((_, i) => i);
    this.vats = aliases.map((a) => new Set(a.vats));
    this.companies = aliases.map((a) => new Set(a.companies));
    this.publicBodies = aliases.map((a) => new Set(a.publicBody ? [a.publicBody.code] : []));
    this.pins = aliases.map(pinOf);
  }

  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root] as number;
    for (let j = i; this.parent[j] !== root; ) {
      const next = this.parent[j] as number;
      this.parent[j] = root;
      j = next;
    }
    return root;
  }

  /** Why two clusters must stay apart for evidence of this strength, or null when they may join. */
  conflict(a: number, b: number, reason: MatchReason): string | null {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra === rb) return null;
    const [pa, pb] = [this.pins[ra], this.pins[rb]];
    if (pa && pb && pa !== pb) return 'analysts keep them apart';
    if (reason === 'analyst') return null;
    const disjoint = (x: Set<string>, y: Set<string>) =>
      x.size > 0 && y.size > 0 && ![...x].some((v) => y.has(v));
    if (
      reason !== 'company-number' &&
      disjoint(this.companies[ra] as Set<string>, this.companies[rb] as Set<string>)
    )
      return 'different company numbers';
    if (
      RANK[reason] > RANK['company-number'] &&
      disjoint(this.vats[ra] as Set<string>, this.vats[rb] as Set<string>)
    )
      return 'different VAT numbers';
    if (
      RANK[reason] > RANK['public-body'] &&
      disjoint(this.publicBodies[ra] as Set<string>, this.publicBodies[rb] as Set<string>)
    )
      return 'different public bodies in the register';
    return null;
  }

  union(a: number, b: number): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra === rb) return;
    this.parent[rb] = ra;
    for (const v of this.vats[rb] as Set<string>) this.vats[ra]?.add(v);
    for (const c of this.companies[rb] as Set<string>) this.companies[ra]?.add(c);
    for (const p of this.publicBodies[rb] as Set<string>) this.publicBodies[ra]?.add(p);
    this.pins[ra] ??= this.pins[rb] ?? null;
  }
}

const aliasKey = (bodyId: string, name: string) => `${bodyId}\u0000${name}`;

function prepare(
  input: AliasInput,
  index: number,
  register: PublicBodyRegister | null,
  rules: ReadonlySet<NameRule>,
): Prepared {
  const redacted = input.redacted === true || isRedactionMarker(input.name);
  const norm = (values: readonly string[] | undefined, f: (v: string) => string | null) => [
    ...new Set((values ?? []).map(f).filter((v): v is string => v !== null)),
  ];
  return {
    index,
    input,
    cleaned: redacted ? null : cleanName(input.name, rules),
    vats: redacted ? [] : norm(input.vatNumbers, normaliseVat),
    companies: redacted ? [] : norm(input.companyNumbers, normaliseCompanyNumber),
    charities: redacted ? [] : norm(input.charityNumbers, normaliseCharityNumber),
    publicBody: redacted || !register ? null : matchPublicBody(register, input.name),
    redacted,
  };
}

/** Edges joining every alias that shares a value to the first alias with it. */
function sameValueEdges(
  aliases: Prepared[],
  valuesOf: (a: Prepared) => readonly string[],
  reason: MatchReason,
): Edge[] {
  const first = new Map<string, number>();
  const edges: Edge[] = [];
  for (const alias of aliases) {
    for (const value of valuesOf(alias)) {
      const seen = first.get(value);
      if (seen === undefined) first.set(value, alias.index);
      else edges.push({ a: seen, b: alias.index, reason, score: SCORE[reason] ?? 1 });
    }
  }
  return edges;
}

export function resolveSuppliers(
  inputs: readonly AliasInput[],
  pins: readonly Pin[] = [],
  options: ResolveOptions = {},
): AliasMatch[] {
  const { aliases, clusters, accepted } = resolveWithEvidence(inputs, pins, options);
  return buildMatches(aliases, clusters, accepted);
}

/** An edge the evidence proposed but a guard refused, with the guard's reason. */
export type RefusedEdge = Edge & { refused: string };

/** The resolution with every edge it accepted and refused: what `suppliers why` explains a pair from. */
export function resolveWithEvidence(
  inputs: readonly AliasInput[],
  pins: readonly Pin[] = [],
  options: ResolveOptions = {},
): { aliases: Prepared[]; clusters: Clusters; accepted: Edge[]; refused: RefusedEdge[] } {
  const rules = options.rules ?? ALL_RULES;
  const register = rules.has('public-body') ? (options.publicBodies ?? null) : null;
  const aliases = inputs.map((input, index) => prepare(input, index, register, rules));
  const named = aliases.filter((a) => !a.redacted && a.cleaned);
  const pinByAlias = new Map(pins.map((p) => [aliasKey(p.bodyId, p.name), p.entityId]));
  const clusters = new Clusters(
    aliases,
    (a) => pinByAlias.get(aliasKey(a.input.bodyId, a.input.name)) ?? null,
  );

  const accepted: Edge[] = [];
  const refused: RefusedEdge[] = [];
  const apply = (edges: Edge[]) => {
    for (const edge of edges) {
      const conflict = clusters.conflict(edge.a, edge.b, edge.reason);
      if (conflict !== null) {
        refused.push({ ...edge, refused: conflict });
        continue;
      }
      if (clusters.find(edge.a) !== clusters.find(edge.b)) clusters.union(edge.a, edge.b);
      accepted.push(edge);
    }
  };

  apply(
    sameValueEdges(
      named,
      (a) => (clusters.pins[a.index] ? [clusters.pins[a.index] as string] : []),
      'analyst',
    ),
  );
  apply(sameValueEdges(named, (a) => a.vats, 'vat-number'));
  apply(sameValueEdges(named, (a) => a.companies, 'company-number'));
  apply(sameValueEdges(named, (a) => a.charities, 'charity-number'));
  apply(sameValueEdges(named, (a) => (a.publicBody ? [a.publicBody.code] : []), 'public-body'));
  // A cleaned name made only of trade words (`EDUCATION GROUP LTD` → `EDUCATION`) joins only
  // names written the same way, not names that merely clean to the same words.
  const nameKey = (a: Prepared) =>
    a.cleaned?.tokens.some(isDistinctive) || (a.cleaned?.tokens.length ?? 0) > 1
      ? (a.cleaned?.key ?? '')
      : `=${strictKey(a.input.name)}`;
  apply(sameValueEdges(named, (a) => [nameKey(a)], 'name'));
  apply(alternateEdges(named));
  apply(
    sameValueEdges(
      named,
      (a) => (a.cleaned?.tokens.some(isDistinctive) ? [a.cleaned.compact] : []),
      'name-compact',
    ),
  );
  apply(fuzzyEdges(named));
  apply(branchEdges(named));
  apply(prefixEdges(named, clusters));

  return { aliases, clusters, accepted, refused };
}

/**
 * `O2 (Telefonica UK Ltd)` and `Telefonica UK Limited`: a name stated inside another (a bracketed
 * legal name, the legal name before a branch note or `t/a`) equals another alias's name, or two
 * aliases state the same one (`FRANCOTYP POSTALIA LTD (RENTALS)` / `(TELESET)`).
 */
function alternateEdges(named: Prepared[]): Edge[] {
  const byKey = new Map<string, number>();
  for (const alias of named)
    if (!byKey.has(alias.cleaned?.key ?? '')) byKey.set(alias.cleaned?.key ?? '', alias.index);
  const byAlternate = new Map<string, number>();
  const edges: Edge[] = [];
  for (const alias of named) {
    const legalNames = new Set(alias.cleaned?.legalNames ?? []);
    for (const alternate of alias.cleaned?.alternates ?? []) {
      // A stated name says little when it is only trade words (`(SOUTH WEST)`, `EDUCATION`).
      const words = alternate.split(' ');
      if (!words.some(isDistinctive) && !(legalNames.has(alternate) && words.length >= 2)) continue;
      const other =
        byKey.get(alternate) ?? (legalNames.has(alternate) ? byAlternate.get(alternate) : undefined);
      // A trading name beside a legal name (`CROWN OIL LTD t/a CROWN GAS & POWER`) is not the
      // company registered under that name (`CROWN GAS & POWER LTD`, another VAT number).
      const tradingOnly = alias.cleaned?.tradingNames.includes(alternate) ?? false;
      if (tradingOnly && other !== undefined && registered(named.find((a) => a.index === other) as Prepared))
        continue;
      if (other !== undefined && other !== alias.index)
        edges.push({ a: other, b: alias.index, reason: 'name-alternate', score: 0.93 });
      if (legalNames.has(alternate) && !byAlternate.has(alternate)) byAlternate.set(alternate, alias.index);
    }
  }
  return edges;
}

/** Upper case, single spaces, only LTD/LIMITED/PLC/LLP dropped: how a name made of trade words must agree. */
function strictKey(name: string): string {
  return stripNoise(name)
    .toUpperCase()
    .replace(/&/g, ' AND ')
    .replace(/['’`.]/g, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim()
    .replace(/\s+(LTD|LIMITED|PLC|LLP)$/, '');
}

/** How many distinct cleaned names use each word: rare words make good blocks and evidence. */
function wordFrequencies(named: Prepared[]): Map<string, number> {
  const frequency = new Map<string, number>();
  const keys = new Set(named.map((a) => a.cleaned?.key ?? ''));
  for (const key of keys)
    for (const token of new Set(key.split(' '))) frequency.set(token, (frequency.get(token) ?? 0) + 1);
  return frequency;
}

/**
 * Names whose words all pair up, allowing typos and accents in longer words (`DRAEGER SAFETY` /
 * `DRAGER SAFETY`) and a different word order (`BUCKINGHAM WH` / `WH BUCKINGHAM`), compared
 * within blocks of names sharing a rare word or a three-letter start.
 */
function fuzzyEdges(named: Prepared[]): Edge[] {
  const frequency = wordFrequencies(named);
  const byKey = new Map<string, Prepared>();
  for (const alias of named)
    if (!byKey.has(alias.cleaned?.key ?? '')) byKey.set(alias.cleaned?.key ?? '', alias);
  // The legal name written before a branch note (`PSYCHOLOGY ASSOC. LTD (EXETER)`) is compared too.
  for (const alias of named)
    for (const legalName of alias.cleaned?.legalNames ?? [])
      if (!byKey.has(legalName)) byKey.set(legalName, alias);
  const keys = [...byKey.keys()];
  const blocks = new Map<string, string[]>();
  const addTo = (block: string, key: string) => {
    const members = blocks.get(block);
    if (members) members.push(key);
    else blocks.set(block, [key]);
  };
  for (const key of keys) {
    const tokens = key.split(' ');
    for (const token of new Set(tokens))
      if ((frequency.get(token) ?? 0) <= 50 && isDistinctive(token)) addTo(`w:${token}`, key);
    addTo(`p:${key.replace(/ /g, '').slice(0, 3)}`, key);
  }
  const compared = new Set<string>();
  const edges: Edge[] = [];
  for (const members of blocks.values()) {
    if (members.length > 400) continue; // a block this large is a common word, not evidence
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const [x, y] = [members[i] as string, members[j] as string].sort() as [string, string];
        const pair = `${x}\u0000${y}`;
        if (compared.has(pair)) continue;
        compared.add(pair);
        const score = tokenSetSimilarity(x.split(' '), y.split(' '));
        if (score === null) continue;
        edges.push({
          a: byKey.get(x)?.index as number,
          b: byKey.get(y)?.index as number,
          reason: 'name-fuzzy',
          score,
        });
      }
    }
  }
  return edges.sort((p, q) => q.score - p.score);
}

/**
 * A name that states its organisation and a site (`SENSE_OTTERY ST MARY`, `ACTION FOR CHILDREN
 * (WATFORD)`) joins the organisation's own name when another alias is written exactly so: each
 * site joins it, however many sites there are. The organisation's name must hold a distinctive
 * word (`CARE HOME (EXETER)` names nobody).
 */
function branchEdges(named: Prepared[]): Edge[] {
  const byKey = new Map<string, number>();
  for (const alias of named)
    if (!byKey.has(alias.cleaned?.key ?? '')) byKey.set(alias.cleaned?.key ?? '', alias.index);
  const edges: Edge[] = [];
  for (const alias of named) {
    const head = alias.cleaned?.branchOf ?? '';
    if (!head.split(' ').some(isDistinctive)) continue;
    const other = byKey.get(head);
    if (other !== undefined && other !== alias.index)
      edges.push({ a: other, b: alias.index, reason: 'name-prefix', score: SCORE['name-prefix'] ?? 0.85 });
  }
  return edges;
}

/**
 * The width of a body's supplier-name field, when its finance system cuts names at one: the
 * length at which names pile up (Devon 32, Kirklees and Liverpool 35), with at most 1 % of names
 * longer (a later system or a manual entry), at least 10 names there, and half again as many as
 * one character shorter. A name of exactly that width may have lost its end.
 */
export function fieldWidths(inputs: readonly { bodyId: string; name: string }[]): Map<string, number> {
  const lengths = new Map<string, Map<number, number>>();
  const seen = new Set<string>();
  for (const { bodyId, name } of inputs) {
    const key = aliasKey(bodyId, name);
    if (seen.has(key)) continue;
    seen.add(key);
    const counts = lengths.get(bodyId) ?? new Map<number, number>();
    lengths.set(bodyId, counts);
    counts.set(name.length, (counts.get(name.length) ?? 0) + 1);
  }
  const widths = new Map<string, number>();
  for (const [bodyId, counts] of lengths) {
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    let longer = 0;
    for (const length of [...counts.keys()].sort((a, b) => b - a)) {
      if (longer > total * 0.01) break;
      const here = counts.get(length) ?? 0;
      if (length >= 20 && here >= 10 && here >= 1.5 * (counts.get(length - 1) ?? 0)) {
        widths.set(bodyId, length);
        break;
      }
      longer += here;
    }
  }
  return widths;
}

/** Words naming a kind of body: `PRESTON NORTH END` + `COMMUNITY AND EDUCATION TRUST` is a charity beside the club. */
const ORGANISATION_KINDS = new Set(['TRUST', 'FOUNDATION', 'CHARITY', 'SOCIETY', 'ASSOCIATION', 'FUND']);

/** Whether the name as written carries a legal form (`… LTD`, `… PLC`, `… LLP`). */
const registered = (alias: Prepared) => /\b(LTD|LIMITED|PLC|LLP|CIC)\b/i.test(stripNoise(alias.input.name));

/** Whether a (possibly cut-off) last word could be a trade word: `ENTERPRIS` → ENTERPRISES. */
const couldBeGeneric = (fragment: string) =>
  fragment.length >= 3 && [...GENERIC_WORDS].some((word) => word.startsWith(fragment));

/**
 * A name that longer names of exactly one entity extend: `TARMAC` / `TARMAC TRADING`,
 * `CARASTON HALL` / `CARASTON HALL SUPPORT LTD`, `SENSE` / `SENSE_OTTERY ST MARY` (a site after
 * Devon's underscore), `UNIVERSITY OF PLYMOUTH` / `UNIVERSITY OF PLYMOUTH ENTERPRIS` (cut at
 * Devon's 32 characters). The longer names may add only trade words or a site; the shorter name
 * must hold a distinctive word; and when names starting alike belong to two entities
 * (`NORTHGATE PUBLIC SERVICES` / `NORTHGATE VEHICLE HIRE`), the shorter name joins neither.
 * A name cut at its body's field width also joins the one entity whose names continue it.
 */
function prefixEdges(named: Prepared[], clusters: Clusters): Edge[] {
  const widths = fieldWidths(named.map((a) => a.input));
  const truncated = (alias: Prepared) => widths.get(alias.input.bodyId) === alias.input.name.length;
  // Names by cleaned name, and cleaned names by every shorter run of their first words
  // (`UNIVERSITY`, `UNIVERSITY OF`, …); cleaned names sorted, for those continuing a cut one.
  const aliasesOf = new Map<string, Prepared[]>();
  for (const alias of named) {
    const key = alias.cleaned?.key ?? '';
    const list = aliasesOf.get(key);
    if (list) list.push(alias);
    else aliasesOf.set(key, [alias]);
  }
  const byWordPrefix = new Map<string, string[]>();
  for (const key of aliasesOf.keys()) {
    const tokens = key.split(' ');
    for (let k = 1; k < tokens.length; k++) {
      const prefix = tokens.slice(0, k).join(' ');
      const list = byWordPrefix.get(prefix);
      if (list) list.push(key);
      else byWordPrefix.set(prefix, [key]);
    }
  }
  const sortedKeys = [...aliasesOf.keys()].sort();
  const continuing = (key: string): string[] => {
    let [lo, hi] = [0, sortedKeys.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sortedKeys[mid] as string) <= key) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < sortedKeys.length && (sortedKeys[i] as string).startsWith(key); i++)
      out.push(sortedKeys[i] as string);
    return out;
  };
  const isRegistered = named.map(registered);
  const registeredOf = new Map(named.map((alias, i) => [alias.index, isRegistered[i] as boolean]));
  const frequency = wordFrequencies(named);
  const edges: Edge[] = [];
  for (const alias of named) {
    const cleaned = alias.cleaned as CleanedName;
    const tokens = cleaned.tokens;
    if (!tokens.some(isDistinctive)) continue;
    // A one-word name: the word must be a name, not a word many names use (`ACCESS …`).
    // (A site after an underscore names its organisation whatever the word.)
    const commonWord =
      tokens.length === 1 &&
      ((tokens[0] as string).length < 3 || (frequency.get(tokens[0] as string) ?? 0) > 3);
    const cut = truncated(alias);
    const own = clusters.find(alias.index);
    const longerKeys = byWordPrefix.get(cleaned.key) ?? [];
    if (longerKeys.length === 0 && !cut) continue;
    // A cut that left a stub of the legal form: `MACQUARIE EQUIPMENT FINANCE(UK)L`.
    const stub = cut ? /[^A-Za-z]([A-Za-z]{1,6})$/.exec(alias.input.name) : null;
    const withoutStub =
      stub && 'LIMITED'.startsWith((stub[1] as string).toUpperCase())
        ? cleanName(alias.input.name.slice(0, -(stub[1] as string).length))?.key
        : undefined;
    const extending: Prepared[] = [];
    const allowed: Prepared[] = [];
    const candidateKeys = [
      ...longerKeys,
      ...(cut ? continuing(cleaned.key) : []),
      ...(withoutStub && withoutStub !== cleaned.key && aliasesOf.has(withoutStub) ? [withoutStub] : []),
    ];
    const candidates = new Set(candidateKeys.flatMap((key) => aliasesOf.get(key) ?? []));
    for (const other of candidates) {
      const otherCleaned = other.cleaned as CleanedName;
      const otherTokens = otherCleaned.tokens;
      if (otherCleaned.key === cleaned.key) continue;
      const byWords =
        otherTokens.length > tokens.length && tokens.every((token, i) => otherTokens[i] === token);
      const byCut = cut && (otherCleaned.key.startsWith(cleaned.key) || otherCleaned.key === withoutStub);
      if (!byWords && !byCut) continue;
      extending.push(other);
      const extra = byWords ? otherTokens.slice(tokens.length) : [];
      const lastCut = truncated(other);
      const tradeWords =
        byWords &&
        !extra.some((word) => ORGANISATION_KINDS.has(word) || REGION_WORDS.has(word)) &&
        extra.every(
          (word, i) => GENERIC_WORDS.has(word) || (lastCut && i === extra.length - 1 && couldBeGeneric(word)),
        );
      // Trade words added to a name of several words are evidence only in one body's ledger
      // (`LAKESIDE CARE` / `LAKESIDE CARE HOME` in two counties are two firms), and never when
      // both names are registered ones: a company name is unique in the register, so `DELPHI
      // MEDICAL LIMITED` and `DELPHI MEDICAL CONSULTANTS LTD` are two companies.
      const sameLedger =
        tokens.length === 1 ||
        (other.input.bodyId === alias.input.bodyId &&
          !(registeredOf.get(alias.index) && registeredOf.get(other.index)));
      const branch = otherCleaned.branchOf === cleaned.key;
      if (branch || (!commonWord && (byCut || (tradeWords && sameLedger)))) allowed.push(other);
    }
    if (tokens.length === 1) {
      // `TARMAC`: sister firms (`TARMAC QUARRY MATERIALS`) may share the word; only the
      // trade-word extensions must agree.
      extending.length = 0;
      extending.push(...allowed);
    }
    const entities = new Set(extending.map((other) => clusters.find(other.index)));
    entities.delete(own);
    if (entities.size !== 1 || allowed.length === 0) continue;
    const target = allowed.find((other) => clusters.find(other.index) !== own);
    if (!target) continue;
    edges.push({
      a: target.index,
      b: alias.index,
      reason: 'name-prefix',
      score: SCORE['name-prefix'] ?? 0.85,
    });
  }
  return edges;
}

function buildMatches(aliases: Prepared[], clusters: Clusters, accepted: Edge[]): AliasMatch[] {
  // The strongest accepted edge at each alias explains why it is in its entity.
  const best = new Map<number, Edge>();
  for (const edge of accepted) {
    for (const end of [edge.a, edge.b]) {
      const current = best.get(end);
      if (
        !current ||
        RANK[edge.reason] < RANK[current.reason] ||
        (edge.reason === current.reason && edge.score > current.score)
      )
        best.set(end, edge);
    }
  }
  const members = new Map<number, Prepared[]>();
  for (const alias of aliases) {
    if (alias.redacted || !alias.cleaned) continue;
    const root = clusters.find(alias.index);
    const list = members.get(root);
    if (list) list.push(alias);
    else members.set(root, [alias]);
  }
  // Two entities may share an anchor (same cleaned name kept apart by a conflict): those take
  // their first member's name too, so ids never collide.
  const anchors = new Map<number, string>();
  const anchorUses = new Map<string, number>();
  for (const [root, list] of members) {
    const anchor = entityAnchor(list);
    anchors.set(root, anchor);
    anchorUses.set(anchor, (anchorUses.get(anchor) ?? 0) + 1);
  }
  const entityOf = new Map<number, string>();
  for (const [root, list] of members) {
    let anchor = anchors.get(root) as string;
    if ((anchorUses.get(anchor) ?? 0) > 1) {
      const first = list.map((m) => `${m.input.bodyId}\u0000${m.input.name}`).sort()[0];
      anchor = `${anchor}\u0000${first}`;
    }
    entityOf.set(
      root,
      clusters.pins[root] ?? `S${createHash('sha1').update(anchor).digest('hex').slice(0, 10)}`,
    );
  }

  return aliases.map((alias): AliasMatch => {
    const ids = {
      vatNumber: alias.vats[0] ?? null,
      companyNumber: alias.companies[0] ?? null,
      charityNumber: alias.charities[0] ?? null,
      publicBodyCode: alias.publicBody?.code ?? null,
      publicBodyMatch: alias.publicBody ? `${alias.publicBody.via}: ${alias.publicBody.matched}` : null,
    };
    const base = { bodyId: alias.input.bodyId, name: alias.input.name, ...ids };
    if (alias.redacted || !alias.cleaned) {
      return {
        ...base,
        entityId: null,
        cleanedName: null,
        reason: 'redacted',
        score: 1,
        matchedBodyId: null,
        matchedName: null,
      };
    }
    const edge = best.get(alias.index);
    const other = edge ? (aliases[edge.a === alias.index ? edge.b : edge.a] as Prepared) : null;
    return {
      ...base,
      entityId: entityOf.get(clusters.find(alias.index)) as string,
      cleanedName: alias.cleaned.key,
      reason: edge ? edge.reason : 'single',
      score: edge ? edge.score : 1,
      matchedBodyId: other?.input.bodyId ?? null,
      matchedName: other?.input.name ?? null,
    };
  });
}

/**
 * What a stable entity id is made from: the entity's strongest identifier (VAT, then company,
 * then charity number), else its first cleaned name, so the id survives re-runs as long as that
 * anchor stays in the entity.
 */
function entityAnchor(members: Prepared[]): string {
  const first = (values: string[]) => values.sort()[0];
  const vat = first(members.flatMap((m) => m.vats));
  const company = first(members.flatMap((m) => m.companies));
  const charity = first(members.flatMap((m) => m.charities));
  const publicBody = first(members.flatMap((m) => (m.publicBody ? [m.publicBody.code] : [])));
  if (vat) return `vat:${vat}`;
  if (company) return `ch:${company}`;
  if (charity) return `charity:${charity}`;
  if (publicBody) return `la:${publicBody}`;
  return `name:${first(members.map((m) => m.cleaned?.key ?? ''))}`;
}

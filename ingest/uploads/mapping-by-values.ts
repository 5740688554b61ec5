/**
 * The mapping checked by the values, not just the headers. A header says what a column should
 * hold; the first rows say what it does hold. For every mapped field the column's values are
 * tested against what the field must hold (a supplier name is not mostly digits, a date
 * parses, an amount is an amount); candidates the headers rank equally (`Supplier` /
 * `Supplier(T)`, `Cost Centre` / `Cost Centre(T)`) are settled by the values; a code column
 * that lost the name to its text column becomes the reference. When the values contradict the
 * mapping and no other column the headers name fits, the upload stops before anything is sent.
 */
import { parseAmount } from './amounts.ts';
import { parseDate } from './dates.ts';
import {
  type FieldChoice,
  type MappedField,
  type Mapping,
  normaliseHeader,
  recogniseHeaderCell,
} from './field-mapping.ts';
import { isRedactionMarker } from './redaction.ts';

/** How many rows after the header (and before it, when it sits mid-file) are looked at. */
export const SAMPLE_ROWS = 200;

export type ColumnProfile = {
  filled: number;
  dates: number;
  amounts: number;
  /** Whole numbers with no other character: codes, ids, Excel serial dates. */
  digitsOnly: number;
  /** Mostly letters: names, labels, descriptions (redaction markers included). */
  textual: number;
  /** Values with a decimal point, read as amounts (what tells a second amount from a code). */
  decimals: number;
  /** Up to three different values. */
  samples: string[];
};

export function profileColumn(values: string[]): ColumnProfile {
  const profile: ColumnProfile = {
    filled: 0,
    dates: 0,
    amounts: 0,
    digitsOnly: 0,
    textual: 0,
    decimals: 0,
    samples: [],
  };
  for (const raw of values) {
    const value = raw.replace(/^[\s\u00a0]+|[\s\u00a0]+$/g, '');
    if (value === '') continue;
    profile.filled++;
    if (profile.samples.length < 3 && !profile.samples.includes(value))
      profile.samples.push(value.slice(0, 80));
    if (parseDate(value).ok) profile.dates++;
    const amount = parseAmount(value);
    if (amount.ok) {
      profile.amounts++;
      if (/\.\d/.test(value)) profile.decimals++;
    }
    if (/^\d+$/.test(value)) profile.digitsOnly++;
    const letters = value.match(/\p{L}/gu)?.length ?? 0;
    const digits = value.match(/\d/g)?.length ?? 0;
    if ((letters >= 1 && letters >= digits) || isRedactionMarker(value)) profile.textual++;
  }
  return profile;
}

type Kind = 'name' | 'text' | 'code' | 'date' | 'amount' | 'any';

const KINDS: Partial<Record<MappedField, Kind>> = {
  supplierName: 'name',
  paymentDate: 'date',
  invoiceDate: 'date',
  netAmount: 'amount',
  grossAmount: 'amount',
  vatAmount: 'amount',
  supplierRef: 'code',
  proclassCode: 'code',
  expenseCode: 'code',
  proclassLabel: 'text',
  expenseType: 'text',
  serviceArea: 'text',
  costCentre: 'text',
};

/** The share of a column's values that fit a field (1 when the column is empty: no evidence). */
function score(kind: Kind, p: ColumnProfile): number {
  if (p.filled === 0) return 1;
  switch (kind) {
    case 'name':
    case 'text':
      return p.textual / p.filled;
    case 'code':
      return p.digitsOnly / p.filled;
    case 'date':
      return p.dates / p.filled;
    case 'amount':
      return p.amounts / p.filled;
    default:
      return 1;
  }
}

/** Whether the values can be what the field holds; only names, dates and amounts are held to it. */
function fits(kind: Kind, p: ColumnProfile): boolean {
  // Too few values to tell a wrong column from a few bad rows (which are rejected, row by row).
  if (p.filled < MIN_EVIDENCE) return true;
  // A name is not mostly bare numbers (codes such as "S10" or "A1" may be names).
  if (kind === 'name') return p.digitsOnly / p.filled < 0.5;
  if (kind === 'date' || kind === 'amount') return score(kind, p) >= 0.5;
  return true;
}

/** Values needed before a column can contradict its field. */
const MIN_EVIDENCE = 3;

function describe(kind: Kind, p: ColumnProfile): string {
  const share = (n: number) => `${n} of ${p.filled}`;
  if (p.filled === 0) return 'no values in the rows looked at';
  if (kind === 'name' && p.digitsOnly / p.filled >= 0.5)
    return `${share(p.digitsOnly)} values are numbers, not names`;
  if (kind === 'name' || kind === 'text') return `${share(p.textual)} values are text`;
  if (kind === 'code') return `${share(p.digitsOnly)} values are numeric codes`;
  if (kind === 'date') return `${share(p.dates)} values are dates`;
  if (kind === 'amount') return `${share(p.amounts)} values are amounts`;
  return `${p.filled} values`;
}

export type ValueCheck = {
  mapping: Mapping;
  /** Sentences for the report: where the values settled or changed what the headers said. */
  settled: string[];
  /** Contradictions nothing better fits: the upload must stop. */
  problems: string[];
};

/** Checks (and, for a detected mapping, settles) a mapping against sample rows. */
export function checkMappingByValues(header: string[], mapping: Mapping, rows: string[][]): ValueCheck {
  const profiles = header.map((_, column) => profileColumn(rows.map((cells) => cells[column] ?? '')));
  const profileOf = (column: number) => profiles[column] ?? profileColumn([]);
  const name = (column: number) => `column ${column + 1} "${(header[column] ?? '').trim()}"`;
  const settled: string[] = [];
  const problems: string[] = [];
  const chosen = new Map<MappedField, FieldChoice>(mapping.choices.map((c) => [c.field, { ...c }]));

  if (mapping.source === 'detected') {
    // Every column the headers name for a field, best rank first.
    const candidates = new Map<MappedField, { column: number; rank: number }[]>();
    header.forEach((cell, column) => {
      const match = recogniseHeaderCell(cell);
      if (!match?.field || match.field === 'marker') return;
      const list = candidates.get(match.field) ?? [];
      list.push({ column, rank: match.rank });
      candidates.set(match.field, list);
    });
    for (const [field, list] of candidates) {
      const kind = KINDS[field] ?? 'any';
      const current = chosen.get(field);
      if (!current || list.length < 2) continue;
      const fitting = list.filter((c) => fits(kind, profileOf(c.column)));
      if (fitting.length === 0) continue;
      const bestRank = Math.min(...fitting.map((c) => c.rank));
      const tied = fitting.filter((c) => c.rank === bestRank);
      const best = tied.reduce((a, b) =>
        score(kind, profileOf(b.column)) > score(kind, profileOf(a.column)) ? b : a,
      );
      const headerOnly = list.filter((c) => c.rank === Math.min(...list.map((x) => x.rank)));
      if (best.column === current.column) {
        if (headerOnly.length > 1) {
          const others = headerOnly.filter((c) => c.column !== best.column).map((c) => name(c.column));
          current.how = 'values';
          current.why = `the headers fit ${name(best.column)} and ${others.join(', ')} equally; its values fit ${field} best (${describe(kind, profileOf(best.column))})`;
          settled.push(`${field}: ${current.why}`);
        }
        continue;
      }
      const loser = current.column;
      const why = fits(kind, profileOf(loser))
        ? `the headers fit ${name(best.column)} and ${name(loser)} equally; the values of ${name(best.column)} fit ${field} better (${describe(kind, profileOf(best.column))}; ${name(loser)}: ${describe(kind, profileOf(loser))})`
        : `${name(loser)} was the header's choice, but ${describe(kind, profileOf(loser))}; ${name(best.column)} fits (${describe(kind, profileOf(best.column))})`;
      chosen.set(field, {
        field,
        column: best.column,
        header: (header[best.column] ?? '').trim(),
        how: 'values',
        why,
      });
      settled.push(`${field}: ${why}`);
      // A supplier code column that lost the name to its text column is the supplier's reference.
      if (
        field === 'supplierName' &&
        !chosen.has('supplierRef') &&
        profileOf(loser).digitsOnly / Math.max(1, profileOf(loser).filled) >= 0.8
      ) {
        const refWhy = `its values are numeric codes beside the names of ${name(best.column)}: the supplier's reference`;
        chosen.set('supplierRef', {
          field: 'supplierRef',
          column: loser,
          header: (header[loser] ?? '').trim(),
          how: 'values',
          why: refWhy,
        });
        settled.push(`supplierRef: ${name(loser)}: ${refWhy}`);
      }
    }
  }

  for (const choice of chosen.values()) {
    const kind = KINDS[choice.field] ?? 'any';
    const profile = profileOf(choice.column);
    choice.samples = profile.samples;
    choice.why ??=
      (choice.how === 'saved'
        ? 'the body’s saved mapping'
        : `the header "${choice.header}" reads as ${choice.field}`) +
      (kind === 'any' ? '' : `; ${describe(kind, profile)}`);
    if (!fits(kind, profile)) {
      const better = header
        .map((_, column) => column)
        .filter(
          (column) =>
            column !== choice.column &&
            score(kind, profileOf(column)) >= 0.9 &&
            profileOf(column).filled > 0 &&
            fits(kind, profileOf(column)),
        )
        .map(name);
      problems.push(
        `${choice.field} is ${name(choice.column)}, but ${describe(kind, profile)} (e.g. ${profile.samples.join(', ')})` +
          (better.length > 0 ? `; ${better.slice(0, 3).join(', ')} would fit` : '; no other column fits'),
      );
    }
  }
  problems.push(...crossChecks(chosen, rows, name));

  const used = new Set([...chosen.values()].map((c) => c.column));
  const unused = mapping.unused
    .filter((u) => !used.has(u.column))
    .map((u) => {
      const looksLike = looksLikeSomething(u.header, profileOf(u.column));
      return looksLike ? { ...u, looksLike } : u;
    });
  for (const choice of mapping.choices) {
    if (!used.has(choice.column))
      unused.push({
        column: choice.column,
        header: choice.header,
        why: `its values did not fit ${choice.field}`,
      });
  }
  unused.sort((a, b) => a.column - b.column);
  const choices = [...chosen.values()].sort((a, b) => a.column - b.column);
  const fields = Object.fromEntries(choices.map((c) => [c.field, c.column]));
  return { mapping: { source: mapping.source, fields, choices, unused }, settled, problems };
}

/** Net above gross, or payment before invoice, on most rows: the two columns are swapped. */
function crossChecks(
  chosen: Map<MappedField, FieldChoice>,
  rows: string[][],
  name: (column: number) => string,
): string[] {
  const problems: string[] = [];
  const pair = (
    a: MappedField,
    b: MappedField,
    read: (text: string) => bigint | string | null,
    wrong: (x: bigint | string, y: bigint | string) => boolean,
    what: string,
  ) => {
    const first = chosen.get(a);
    const second = chosen.get(b);
    if (!first || !second) return;
    let both = 0;
    let wrongWay = 0;
    for (const cells of rows) {
      const x = read(cells[first.column] ?? '');
      const y = read(cells[second.column] ?? '');
      if (x === null || y === null) continue;
      both++;
      if (wrong(x, y)) wrongWay++;
    }
    if (both >= 3 && wrongWay * 2 > both) {
      problems.push(
        `${name(first.column)} (${a}) ${what} ${name(second.column)} (${b}) on ${wrongWay} of ${both} rows: are the two columns swapped?`,
      );
    }
  };
  const pence = (text: string) => {
    const parsed = parseAmount(text.trim());
    return parsed.ok ? (parsed.pence < 0n ? -parsed.pence : parsed.pence) : null;
  };
  const iso = (text: string) => {
    const parsed = parseDate(text.trim());
    return parsed.ok ? parsed.iso : null;
  };
  pair('netAmount', 'grossAmount', pence, (net, gross) => net > gross, 'is larger than');
  pair('paymentDate', 'invoiceDate', iso, (paid, invoiced) => paid < invoiced, 'is earlier than');
  return problems;
}

/** What an unmapped column looks like, when it looks like something we could use. */
function looksLikeSomething(headerText: string, p: ColumnProfile): string | undefined {
  if (p.filled === 0) return undefined;
  if (p.dates / p.filled >= 0.9 && p.digitsOnly / p.filled < 0.5)
    return `dates (e.g. ${p.samples.join(', ')})`;
  if (p.amounts / p.filled >= 0.9 && p.decimals / p.filled >= 0.5)
    return `a second amount (e.g. ${p.samples.join(', ')})`;
  if (
    /name|supplier|vendor|payee|creditor/.test(normaliseHeader(headerText)) &&
    p.textual / p.filled >= 0.8
  ) {
    return `names (e.g. ${p.samples.join(', ')})`;
  }
  return undefined;
}

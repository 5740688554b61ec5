/**
 * Public bodies as an identifier source: a supplier name that names a UK local authority
 * ("KNOWSLEY MBC", "Borough of Pendle", "EXETER CITY COUNCIL(RATES&C/TAX)") is resolved to its
 * entry in the local authority register (mySociety's, shipped in reference/registers with its
 * source in reference/SOURCES.md), and the register code becomes the alias's identifier, as a VAT
 * or company number does for a firm.
 *
 * A name is read as a council only when it says it is one (COUNCIL, an abbreviation of it such as
 * MBC or DC, or "Borough of X"), what it names besides is only a note (a department, an account, a
 * site after a dash, `RE <school>`), and the place it names is one register entry. Town, parish
 * and church councils are not local authorities; nor is a body whose name merely holds the word
 * (`ARTS COUNCIL ENGLAND`, `Oldham Metropolitan Borough Council Total Care`: another organisation
 * named after the council). NHS trusts, police and fire authorities have no register here yet.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stripNoise } from './normalise.ts';

export type RegisterEntry = {
  code: string;
  officialName: string;
  /** Type code of the register: CTY, NMD, MD, UA, LBO, SCO, WPA, NID, COMB… */
  type: string;
  endDate: string | null;
  replacedBy: string | null;
};

export type PublicBodyRegister = {
  entries: Map<string, RegisterEntry>;
  /** Normalised spelling (whole name, as the register writes it) → codes. */
  spellings: Map<string, Set<string>>;
  /** The place a spelling names once its council words are taken off → codes. */
  places: Map<string, Set<string>>;
  /** A digest of the files, so a new register resolves names again. */
  version: string;
};

export type PublicBodyMatch = {
  code: string;
  officialName: string;
  /** How the name was found: a spelling of the register, or its place and council words. */
  via: 'register-spelling' | 'register-place';
  /** What was compared, for the profile and `suppliers why`. */
  matched: string;
};

export const REGISTER_FILES = {
  authorities: 'uk-local-authorities.csv',
  names: 'uk-local-authority-names.csv',
} as const;

const readCsv = (path: string) =>
  parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, bom: true }) as Record<
    string,
    string
  >[];

/** Reads the register from a folder holding the two files of reference/registers. */
export function loadPublicBodyRegister(dir: string): PublicBodyRegister {
  const authoritiesText = readFileSync(join(dir, REGISTER_FILES.authorities));
  const namesText = readFileSync(join(dir, REGISTER_FILES.names));
  const entries = new Map<string, RegisterEntry>();
  const spellings = new Map<string, Set<string>>();
  const places = new Map<string, Set<string>>();
  const add = (index: Map<string, Set<string>>, key: string, code: string) => {
    if (!key) return;
    const set = index.get(key) ?? new Set<string>();
    set.add(code);
    index.set(key, set);
  };
  const addSpelling = (spelling: string, code: string) => {
    const words = councilWords(spelling);
    add(spellings, words.join(' '), code);
    add(places, placeOf(words).join(' '), code);
  };
  for (const row of readCsv(join(dir, REGISTER_FILES.authorities))) {
    const code = row['local-authority-code'] as string;
    entries.set(code, {
      code,
      officialName: row['official-name'] as string,
      type: row['local-authority-type'] as string,
      endDate: row['end-date'] || null,
      replacedBy: row['replaced-by'] || null,
    });
    addSpelling(row['official-name'] as string, code);
    addSpelling(row['nice-name'] as string, code);
    // alt-names is a comma-separated list, but a name may itself hold a comma
    // ("Kingston upon Hull, City of"): the names file below gives those whole.
    for (const alt of (row['alt-names'] ?? '').split(',')) addSpelling(alt, code);
  }
  for (const row of readCsv(join(dir, REGISTER_FILES.names))) {
    const code = row['local-authority-code'] as string;
    if (entries.has(code)) addSpelling(row['la-name'] as string, code);
  }
  const version = createHash('sha1').update(authoritiesText).update(namesText).digest('hex').slice(0, 12);
  return { entries, spellings, places, version };
}

/** Abbreviations of council words, read at the end of a name only (`DC` starts `DC CONTRACTS LTD`). */
const TRAILING_ABBREVIATIONS: Record<string, string[]> = {
  MBC: ['METROPOLITAN', 'BOROUGH', 'COUNCIL'],
  BC: ['BOROUGH', 'COUNCIL'],
  DC: ['DISTRICT', 'COUNCIL'],
  CC: ['COUNCIL'], // county or city: the place decides
  CBC: ['COUNTY', 'BOROUGH', 'COUNCIL'],
};
const WORD_ABBREVIATIONS: Record<string, string> = {
  DIST: 'DISTRICT',
  CNCL: 'COUNCIL',
  COUN: 'COUNCIL',
  COUNCL: 'COUNCIL',
  CTY: 'COUNTY',
  MET: 'METROPOLITAN',
  BORO: 'BOROUGH',
  YORKS: 'YORKSHIRE',
  LANCS: 'LANCASHIRE',
  SAINT: 'ST',
};

/** Upper case, `&` as AND, punctuation as spaces, council abbreviations written out. */
function councilWords(text: string): string[] {
  const words = text
    .toUpperCase()
    .replace(/&/g, ' AND ')
    .replace(/['’`.]/g, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .map((w) => WORD_ABBREVIATIONS[w] ?? w);
  // the last word that is not a note (`SEFTON MBC NO 2`)
  let at = words.length - 1;
  while (at > 0 && (NOTE_WORDS.has(words[at] as string) || /^\d+$/.test(words[at] as string))) at--;
  const expansion = TRAILING_ABBREVIATIONS[words[at] as string];
  if (at > 0 && expansion) words.splice(at, 1, ...expansion);
  return words;
}

/** Words saying what kind of council, not where: taken off to leave the place. */
const KIND_WORDS = new Set([
  'THE',
  'COUNCIL',
  'COUNTY',
  'BOROUGH',
  'CITY',
  'DISTRICT',
  'METROPOLITAN',
  'ROYAL',
  'LONDON',
  'CORPORATION',
  'UA',
]);

/**
 * The place a council name names: kind words taken off both ends, and `OF` after them
 * (`LONDON BOROUGH OF SOUTHWARK COUNCIL` → SOUTHWARK, `BOROUGH OF PENDLE` → PENDLE). LONDON is
 * a kind word only before BOROUGH (`CITY OF LONDON` stays LONDON).
 */
function placeOf(words: string[]): string[] {
  let place = [...words];
  const isKind = (w: string, i: number, all: string[]) =>
    KIND_WORDS.has(w) && !(w === 'LONDON' && all[i + 1] !== 'BOROUGH');
  while (place.length > 1 && (isKind(place[0] as string, 0, place) || place[0] === 'OF'))
    place = place.slice(1);
  while (place.length > 1 && KIND_WORDS.has(place[place.length - 1] as string)) place = place.slice(0, -1);
  // `KINGSTON UPON HULL CITY OF`: the register's inverted form
  if (place.length > 2 && place[place.length - 1] === 'OF' && place[place.length - 2] === 'CITY')
    place = place.slice(0, -2);
  return place;
}

/** Councils that are not local authorities, or bodies named after one. */
const NOT_AUTHORITIES =
  /\b(TOWN|PARISH|PAR|P|COMMUNITY|CHURCH|PAROCHIAL|YOUTH|ARTS|SPORTS?|DESIGN)\s+COUNCIL\b/;

/** Words a body adds after the council's name about the payment, not the payee. */
const NOTE_WORDS = new Set([
  'FINANCE',
  'GENERAL',
  'ACCOUNT',
  'ACCOUNTS',
  'AC',
  'ACS',
  'ACC',
  'NO',
  'NUMBER',
  'TREASURY',
  'TREAS',
  'RATES',
  'PAYMENTS',
  'INCOME',
]);

/** The register entry a supplier name names, or null when it names no local authority (or several). */
export function matchPublicBody(register: PublicBodyRegister, raw: string): PublicBodyMatch | null {
  const stripped = stripNoise(raw.replace(/\bA\/CS?\b/gi, 'ACCOUNT'))
    .replace(/^\s*\([^()]{1,6}\)\s*/, '') // a ledger's prefix note: `(SB) Wakefield Council`
    .replace(/[\u2013\u2014]/g, '-')
    // `ST HELENS COUNCIL-ST JOHN VIANNEY C`: a school or site after the council and a dash
    .replace(/\bCOUNCIL\s*-.*$/i, 'COUNCIL');
  const upper = stripped.toUpperCase();
  if (NOT_AUTHORITIES.test(upper.replace(/[^A-Z ]+/g, ' ').replace(/\s+/g, ' '))) return null;
  // The council's own name, and what follows it: a bracket, a dash, `RE …`, or note words only.
  const head = /^(.*?)(?:\s*\(.*|\s+-.*|\s*:.*|\s+RE\s+.*)?$/i.exec(stripped)?.[1] ?? stripped;
  let words = councilWords(head);
  const councilAt = words.lastIndexOf('COUNCIL');
  const boroughOf = words[0] === 'BOROUGH' && words[1] === 'OF';
  const londonBoroughOf = /^(LONDON|ROYAL) BOROUGH OF /.test(words.join(' '));
  if (councilAt < 0 && !boroughOf && !londonBoroughOf) return null;
  if (councilAt >= 0) {
    const tail = words.slice(councilAt + 1);
    if (!tail.every((w) => NOTE_WORDS.has(w) || /^\d+$/.test(w))) return null;
    words = words.slice(0, councilAt + 1);
  }
  const whole = words.join(' ');
  const exact = register.spellings.get(whole);
  if (exact?.size === 1) {
    const code = [...exact][0] as string;
    return matchOf(register, code, 'register-spelling', whole);
  }
  const place = placeOf(words);
  if (place.every((w) => KIND_WORDS.has(w))) return null; // `Blackpool Illuminations#Council`
  let codes = [...(register.places.get(place.join(' ')) ?? [])];
  if (codes.length > 1) {
    // `DURHAM COUNTY COUNCIL` and the former `CITY OF DURHAM COUNCIL`: the kind words the name
    // states must all be in the entry's official name.
    const kinds = words.filter((w) => KIND_WORDS.has(w) && w !== 'THE' && w !== 'COUNCIL');
    codes = codes.filter((code) => {
      const official = councilWords(register.entries.get(code)?.officialName ?? '');
      return kinds.every((k) => official.includes(k));
    });
  }
  if (codes.length !== 1) return null;
  return matchOf(register, codes[0] as string, 'register-place', place.join(' '));
}

function matchOf(
  register: PublicBodyRegister,
  code: string,
  via: PublicBodyMatch['via'],
  matched: string,
): PublicBodyMatch {
  return { code, officialName: register.entries.get(code)?.officialName ?? code, via, matched };
}

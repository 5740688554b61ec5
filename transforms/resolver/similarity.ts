/**
 * How alike two cleaned supplier names are, word by word, for the resolver's fuzzy joins
 * (resolve.ts): which words can name a firm at all, and how close two words must be to pair.
 */
import { AMBIGUOUS_ABBREVIATIONS } from './normalise.ts';

/**
 * Words that describe a trade rather than name a firm: a name made only of them (`FOSTERING`,
 * `CARE SERVICES`) says too little to be matched by similarity or as a prefix.
 */
export const GENERIC_WORDS = new Set(
  `AND OF THE FOR IN AT ON UK GB BRITISH NATIONAL INTERNATIONAL NORTH SOUTH EAST WEST NORTHERN SOUTHERN
  EASTERN WESTERN CENTRAL COUNTY CITY COUNCIL BOROUGH DISTRICT TRUST GROUP HOLDINGS HOLDING SERVICES
  SERVICE SOLUTIONS SYSTEMS SUPPLIES SUPPLY PRODUCTS CARE HOMECARE HOME HOMES HEALTHCARE HEALTH MEDICAL
  FOSTERING FOSTER FAMILY FAMILIES CHILDREN CHILDRENS SUPPORT SUPPORTED LIVING COMMUNITY SOCIAL NURSING RESIDENTIAL
  RECRUITMENT PERSONNEL STAFFING AGENCY TRAINING EDUCATION EDUCATIONAL LEARNING SCHOOL ACADEMY COLLEGE
  CONSULTING CONSULTANCY CONSULTANTS ASSOCIATES PARTNERSHIP PARTNERS MANAGEMENT PROPERTY PROPERTIES
  CONSTRUCTION BUILDING BUILDERS CONTRACTORS CONTRACTING ENGINEERING ELECTRICAL PLUMBING HEATING
  ROOFING CLEANING FACILITIES SECURITY ENERGY POWER GAS WATER ELECTRICITY WASTE RECYCLING ENVIRONMENTAL
  TAXIS TAXI CARS TRAVEL TRANSPORT COACHES HIRE PRIVATE MOTORS GARAGE LEGAL LAW SOLICITORS CHAMBERS
  ELECTRIC
  TECHNOLOGY DIGITAL SOFTWARE COMPUTER DATA NETWORKS COMMUNICATIONS MEDIA FOOD FOODS CATERING
  ENTERPRISES ENTERPRISE TRADING COMPANY INDUSTRIES INDUSTRIAL SALES DIRECT LOCAL REGIONAL
  CENTER CENTRE PROJECT PROJECTS ADVICE ADVOCACY INDEPENDENT SPECIALIST PROFESSIONAL PERSONAL`.split(/\s+/),
);

export const isDistinctive = (token: string) =>
  token.length >= 2 && !GENERIC_WORDS.has(token) && !/^\d+$/.test(token);

/**
 * Similarity of two names when every word of each pairs with a word of the other (exactly, or
 * by Jaro-Winkler ≥ 0.92 for words of 5+ letters of about the same length, starting alike), else null. At least one
 * paired word must be distinctive, and digits must agree exactly (`UNIT 4` ≠ `UNIT 5`).
 */
export function tokenSetSimilarity(a: string[], b: string[]): number | null {
  if (a.length !== b.length) return null;
  if (!a.some(isDistinctive) || !b.some(isDistinctive)) return null;
  const unused = [...b];
  let total = 0;
  for (const token of a) {
    let best = -1;
    let bestScore = 0;
    unused.forEach((candidate, i) => {
      const score = wordSimilarity(token, candidate);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    });
    if (best < 0) return null;
    unused.splice(best, 1);
    total += bestScore;
  }
  const score = total / a.length;
  return score >= 0.9 ? Math.round(score * 1000) / 1000 : null;
}

function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  // Every rule below keeps the first letter (and this keeps the blocks' many pairs cheap).
  if (a[0] !== b[0]) return 0;
  // `HOUSING ASSOC` / `HOUSING ASSOCIATION`, `PSYCHOLOGY ASSOC` / `PSYCHOLOGY ASSOCIATES`.
  if (AMBIGUOUS_ABBREVIATIONS[a]?.includes(b) || AMBIGUOUS_ABBREVIATIONS[b]?.includes(a)) return 0.95;
  // A word written without its vowels (`PRFSSNL` / `PROFESSIONAL`).
  if (consonantsOf(a, b) || consonantsOf(b, a)) return 0.93;
  if (/\d/.test(a) || /\d/.test(b)) return 0;
  // Typos and transliterations, not longer words: `ACCESS` is not `ACCESSIBLE`.
  if (a.length < 5 || b.length < 5 || Math.abs(a.length - b.length) > 1) return 0;
  // A plural is another word for matching purposes (`SCHOOL BADGE` / `SCHOOL BADGES` are two firms).
  if (a === `${b}S` || b === `${a}S`) return 0;
  const score = jaroWinkler(a, b);
  if (score >= 0.92) return score;
  // One letter dropped or added in a long word (`RCOVERY` / `RECOVERY`): JW punishes early slips.
  return Math.max(a.length, b.length) >= 8 && oneEditApart(a, b) ? 0.92 : 0;
}

const consonantsOf = (short: string, long: string) =>
  short.length >= 4 &&
  long.length > short.length &&
  !/[AEIOU\d]/.test(short) &&
  long.replace(/[AEIOU]/g, '') === short;

/** Whether one insertion, deletion or substitution turns a into b. */
function oneEditApart(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rest = (x: string, y: string) => x.slice(i + 1) === y.slice(i + 1);
  if (a.length === b.length) return rest(a, b);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

export function jaroWinkler(s: string, t: string): number {
  if (s === t) return 1;
  const window = Math.max(0, Math.floor(Math.max(s.length, t.length) / 2) - 1);
  const sMatched = new Array<boolean>(s.length).fill(false);
  const tMatched = new Array<boolean>(t.length).fill(false);
  let matches = 0;
  for (let i = 0; i < s.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(t.length, i + window + 1); j++) {
      if (tMatched[j] || s[i] !== t[j]) continue;
      sMatched[i] = tMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    if (!sMatched[i]) continue;
    while (!tMatched[j]) j++;
    if (s[i] !== t[j]) transpositions++;
    j++;
  }
  const jaro = (matches / s.length + matches / t.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && s[prefix] === t[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

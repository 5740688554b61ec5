/**
 * Normalising what bodies send about a supplier so that equal things compare equal: VAT,
 * Companies House and charity numbers, and the supplier name itself (case, punctuation, `&`/AND,
 * legal suffixes, payment notes such as `*1614*` or `_BACS`, `#` aliases, NBSP, accents).
 *
 * Cleaning deliberately keeps words that distinguish organisations: "UK" at the start of a name
 * stays (`UK FOSTERING LTD` is not `FOSTERING LTD`); only a trailing country qualifier goes.
 */

/** UK VAT: 9 digits (a 12-digit branch number keeps its first 9), GB prefix optional; others keep their country prefix. */
export function normaliseVat(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const compact = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (!compact) return null;
  const uk = /^(?:GB)?(\d{9})(\d{3})?$/.exec(compact);
  if (uk) {
    const digits = uk[1] as string;
    return isValidUkVat(digits) ? `GB${digits}` : null;
  }
  // Government departments and health authorities: GBGD001, GBHA500.
  if (/^GB(GD|HA)\d{3}$/.test(compact)) return compact;
  // Another EU member state's number: two letters and at least 8 characters.
  if (/^[A-Z]{2}[0-9A-Z]{8,12}$/.test(compact) && !compact.startsWith('GB')) return compact;
  return null;
}

/** HMRC's weighted modulus check: mod 97, or mod 9755 for numbers issued since 2010. */
export function isValidUkVat(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || /^0+$/.test(digits)) return false;
  const weighted = [...digits.slice(0, 7)].reduce((sum, d, i) => sum + Number(d) * (8 - i), 0);
  const check = Number(digits.slice(7));
  return (weighted + check) % 97 === 0 || (weighted + check + 55) % 97 === 0;
}

/** Companies House prefixes (CoNamePrefix.csv): two letters, or R0, before six digits. */
const COMPANY_PREFIXES = new Set(
  'AC ZC FC GE LP OC SE SA SZ SF GS SL SO SC ES NA NZ NF GN NL NC R0 NI EN IP SP IC SI NP NV RC SR NR NO'.split(
    ' ',
  ),
);

/**
 * Companies House number: 8 characters, digits zero-padded on the left (`9927180` → `09927180`,
 * a spreadsheet ate the zero), or a prefix (SC, NI, OC, …) and six zero-padded digits.
 */
export function normaliseCompanyNumber(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const compact = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const digitsOnly = /^\d{1,8}$/.exec(compact);
  if (digitsOnly) {
    // Fewer than 5 significant digits is a placeholder ("0", "1000"), not a real registration.
    return /^0*\d{5,}$/.test(compact) && !/^0+$/.test(compact) ? compact.padStart(8, '0') : null;
  }
  const prefixed = /^([A-Z][A-Z0-9])(\d{1,6})$/.exec(compact);
  if (prefixed && COMPANY_PREFIXES.has(prefixed[1] as string) && !/^0+$/.test(prefixed[2] as string)) {
    return `${prefixed[1]}${(prefixed[2] as string).padStart(6, '0')}`;
  }
  return null;
}

/** Charity numbers: England & Wales digits (leading zeros dropped), or Scottish SC + 6 digits. */
export function normaliseCharityNumber(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const compact = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (/^SC\d{6}$/.test(compact)) return compact;
  const digits = /^0*(\d{5,8})$/.exec(compact);
  return digits ? (digits[1] as string) : null;
}

/**
 * Markers bodies print instead of a supplier's name. Words such as PRIVATE, PERSONAL or
 * CONFIDENTIAL alone are not markers: `A1 PRIVATE HIRE`, `PEE WEES PERSONAL HOMECARE` and
 * `P AND W CONFIDENTIAL BUSINESS` are real suppliers.
 */
export function isRedactionMarker(name: string): boolean {
  const upper = name
    .toUpperCase()
    .replace(/\u00a0/g, ' ')
    .trim();
  if (!/[A-Z0-9]/.test(upper)) return true; // empty, or a row of asterisks
  if (/\bREDACTED\b|\bREDACTION\b/.test(upper)) return true;
  const words = upper
    .replace(/[^A-Z ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return REDACTION_PHRASES.has(words);
}

const REDACTION_PHRASES = new Set([
  'PERSONAL DATA',
  'PERSONAL INFORMATION',
  'PERSONAL INFO',
  'WITHHELD',
  'NAME WITHHELD',
  'DATA PROTECTION',
  'DATA PROTECTION ACT',
  'COMMERCIALLY SENSITIVE',
  'NOT DISCLOSED',
  'PRIVATE INDIVIDUAL',
  'PRIVATE AND CONFIDENTIAL',
]);

/** Legal forms dropped from the end of a name (repeatedly: `… CO LTD`). */
const LEGAL_SUFFIXES = new Set([
  'LTD',
  'LIMITED',
  'LTD.',
  'LD',
  // Truncated by a finance system's 32-character field: `… SERVICES LT`.
  'LT',
  'LIMITE',
  'LIMIT',
  'LIMI',
  'PLC',
  'LLP',
  'LP',
  'CIC',
  'CIO',
  'INC',
  'INCORPORATED',
  'LLC',
  'CORP',
  'CORPORATION',
  'GMBH',
  'AG',
  'SARL',
  'SAS',
  'SA',
  'BV',
  'NV',
  'SPA',
  'PTY',
  'CO',
  'COMPANY',
]);

/** Qualifiers dropped only at the end of a name (`COMPUTACENTER (UK) LTD`, `PREMIER EDUCATION GROUP`). */
const TRAILING_QUALIFIERS = new Set(['UK', 'GB', 'GREAT BRITAIN', 'U K', 'ENGLAND', 'THE', 'GROUP']);

/** Spelling variants and abbreviations with one reading: rewritten in the cleaned name. */
const ABBREVIATIONS: Record<string, string> = {
  SVCS: 'SERVICES',
  SERVS: 'SERVICES',
  SERVCS: 'SERVICES',
  SERV: 'SERVICES',
  SRV: 'SERVICES',
  SVC: 'SERVICE',
  INTL: 'INTERNATIONAL',
  BROS: 'BROTHERS',
  ASSOCS: 'ASSOCIATES',
  MGMT: 'MANAGEMENT',
  MGT: 'MANAGEMENT',
  DEPT: 'DEPARTMENT',
  CNCL: 'COUNCIL',
  COUN: 'COUNCIL',
  COUNCL: 'COUNCIL',
  ST: 'SAINT',
  CENTRE: 'CENTER',
  CTRE: 'CENTER',
  CNTR: 'CENTER',
  ORGANISATION: 'ORGANIZATION',
  HLDNG: 'HOLDING',
  HLDG: 'HOLDING',
  HLDGS: 'HOLDINGS',
  HLDNGS: 'HOLDINGS',
  TECH: 'TECHNOLOGY',
  TECHNOLOGIES: 'TECHNOLOGY',
  SOLNS: 'SOLUTIONS',
  ENG: 'ENGINEERING',
  GRP: 'GROUP',
  YORKS: 'YORKSHIRE',
  LANCS: 'LANCASHIRE',
  INST: 'INSTITUTE',
  UNIV: 'UNIVERSITY',
  UNIVSTY: 'UNIVERSITY',
  NATL: 'NATIONAL',
  GOVT: 'GOVERNMENT',
  MAINT: 'MAINTENANCE',
  HSG: 'HOUSING',
  HSING: 'HOUSING',
  HOSP: 'HOSPITAL',
};

/**
 * Abbreviations with several readings (`HOUSING ASSOC` is an association, `PSYCHOLOGY ASSOC` a firm
 * of associates): kept as written, and only the word-by-word comparison lets them stand for one
 * of their readings.
 */
export const AMBIGUOUS_ABBREVIATIONS: Record<string, readonly string[]> = {
  ASSOC: ['ASSOCIATES', 'ASSOCIATION'],
  ASSN: ['ASSOCIATION'],
  CATH: ['CATHOLIC', 'CATHEDRAL'],
  COMM: ['COMMUNITY', 'COMMUNICATIONS', 'COMMITTEE'],
  DIST: ['DISTRICT', 'DISTRIBUTION'],
  CO: ['COMPANY'],
};

/** One-word notes in brackets that say what was bought, not who from: `EDF ENERGY (ELECTRIC)`. */
const BRACKET_NOTES = new Set([
  'ELECTRIC',
  'ELECTRICITY',
  'GAS',
  'WATER',
  'FUEL',
  'RENTALS',
  'RENTAL',
  'SERVICES',
  'SUPPLIES',
  'MAINTENANCE',
  'REPAIRS',
  'LEASING',
  'POSTAGE',
  'TRAINING',
  // a department of the payee: `EXETER CITY COUNCIL (FINANCE)`, `UNIVERSITY OF PLYMOUTH(FINANCE)`
  'FINANCE',
  'ACCOUNTS',
  'PAYMENTS',
]);

/**
 * Regions: added to a name they often name a regional company or franchise (`PRIMARY SPORTS &
 * EDUCATION SOUTH` and `(NORTH)` have VAT numbers of their own), so they are never a mere note.
 */
export const REGION_WORDS = new Set(
  'NORTH SOUTH EAST WEST NORTHERN SOUTHERN EASTERN WESTERN CENTRAL MIDLANDS NW NE SW SE NORTHWEST NORTHEAST SOUTHWEST SOUTHEAST'.split(
    ' ',
  ),
);

export type CleanedName = {
  /** Upper case, words separated by single spaces, legal suffix and notes removed. */
  key: string;
  tokens: string[];
  /** The key without spaces (`WATERPLUS` = `WATER PLUS`). */
  compact: string;
  /** Other names the raw name states: the organisation in `O2 (TELEFONICA UK LTD)`, the legal name before `t/a`. */
  alternates: string[];
  /** Of those, legal names (or a council) written before a branch note: two aliases stating the same one match. */
  legalNames: string[];
  /** Of those, trading names written beside a legal name (`CROWN OIL LTD/CROWN GAS & POWER`): they never join a registered name. */
  tradingNames: string[];
  /**
   * The name before an underscore, when the part after it is a branch or place (`SENSE_OTTERY ST
   * MARY` → `SENSE`): Devon's finance system writes a site after the organisation that way.
   */
  branchOf: string | null;
};

/**
 * The resolver's name rules that can be switched off one by one, so that the merges each makes
 * across the real population can be counted (evaluation/resolver/rule-merges.ts):
 * - `hash-parts`: Bolton's `#` read part by part (the organisation, not a short alias, a place or a
 *   lone `Limited` after it); without it, the part after the last `#` is the name;
 * - `site-suffix`: `<organisation> - <site>` joins the organisation's own name;
 * - `trading-as`: `X T/A Y` where X has no legal form (an academy trust, a charity) states X;
 *   a leading `T/A` is dropped;
 * - `honorific`: `HM`, `Her Majesty's`, `His Majesty's` are one word;
 * - `legal-form-note`: words after a legal form (`… LTD-CARLETON`, `… LIMITED FORMERLY JBW`) are
 *   a note: the name up to the legal form is stated; misspelt legal forms (`LIMTED`) are legal forms;
 * - `public-body`: a council's register code (public-bodies.ts, applied in resolve.ts).
 */
export type NameRule =
  | 'hash-parts'
  | 'site-suffix'
  | 'trading-as'
  | 'honorific'
  | 'legal-form-note'
  | 'public-body';
export const NAME_RULES: readonly NameRule[] = [
  'hash-parts',
  'site-suffix',
  'trading-as',
  'honorific',
  'legal-form-note',
  'public-body',
];
export const ALL_RULES: ReadonlySet<NameRule> = new Set(NAME_RULES);

/** The organisation's name among the parts Bolton's ledger joins with `#`. */
function hashParts(name: string): { main: string; tradingName: string | null } {
  const parts: string[] = [];
  for (const raw of name.split('#').map((p) => p.trim())) {
    if (!/[A-Za-z]/.test(raw)) continue; // `Creative Support Limited#3`: a site number
    const words = raw
      .toUpperCase()
      .replace(/[^A-Z ]+/g, ' ')
      .trim()
      .split(/\s+/);
    // `Altitude Services#Limited`: the field's end, not a name
    if (parts.length > 0 && words.every((w) => LEGAL_SUFFIXES.has(w))) {
      parts[parts.length - 1] = `${parts[parts.length - 1]} ${raw}`;
      continue;
    }
    if (parts.length > 0 && words.every((w) => BRACKET_NOTES.has(w))) continue; // `Quadient UK Ltd#Finance`
    parts.push(raw);
  }
  if (parts.length <= 1) return { main: parts[0] ?? name, tradingName: null };
  const [first, last] = [parts[0] as string, parts[parts.length - 1] as string];
  const words = (text: string) => cleanPart(text)?.tokens ?? [];
  // The last part is the organisation (`Reed#Reed Specialist Recruitment Limited`, `62 Wright
  // Street#Mencap`) unless it is weak: one word (`#CQC`, `#BLACKBURN`, `#Keys Group`: an acronym, a
  // place or a short alias that may be another firm's name) after a name that is not an address,
  // or a name without legal form after a registered one (`Stocks Hall Care Homes Ltd#St Helens`).
  const address = /^\s*\d/.test(first);
  const weak =
    (words(last).length <= 1 && !address) || (hasLegalForm(first) && !hasLegalForm(last) && !address);
  // After a registered name, a name of two or more words without a legal form is its trading
  // name (`Gazprom Marketing & Retail Limited#Gazprom Energy`): stated, as a trading name (it never
  // joins a registered name). Two registered names joined by `#` may be sister companies (`Kays
  // Traffic Management Systems Limited#Kays Highways Limited`): only the last is used.
  const tradingName =
    weak && hasLegalForm(first) && !hasLegalForm(last) && words(last).length >= 2 ? last : null;
  return { main: weak ? first : last, tradingName };
}

/** Strips what is not part of the organisation's name: notes, aliases, accents, padding. */
export function stripNoise(raw: string, rules: ReadonlySet<NameRule> = ALL_RULES): string {
  let name = raw.replace(/[\u00a0\u2000-\u200b\u202f\u3000]/g, ' ').normalize('NFKD');
  name = name.replace(/[\u0300-\u036f]/g, ''); // accents: Dräger → Drager
  name = name.replace(/\uFFFD/g, '');
  if (rules.has('hash-parts')) {
    if (name.includes('#')) name = hashParts(name).main;
  } else {
    // `Reed#Reed Specialist Recruitment Ltd`: a site or alias, then '#', then the organisation.
    // `Creative Support Limited#3`: a site number after '#'.
    name = name.replace(/#\s*\d+\s*$/, '');
    const hash = name.lastIndexOf('#');
    if (hash >= 0 && /[A-Za-z]/.test(name.slice(hash + 1))) name = name.slice(hash + 1);
  }
  // `T/A Holyrood Day Nursery - Salford`: the ledger kept only the trading part
  if (rules.has('trading-as')) name = name.replace(/^\s*(T\/A|TRADING AS)\s+/i, '');
  // Payment notes: `_BACS`, `*1614*`, `**6795**`, `****5033`, `**FEES ONLY***`: cut at the first.
  name = name.replace(/_BACS\b.*$/i, ' ');
  const star = name.indexOf('*');
  if (star > 0 && /[A-Za-z]/.test(name.slice(0, star))) name = name.slice(0, star);
  // Account notes in brackets, closed or cut off: `(AC 03953785)`, `(GEN A/C)`, `(S O ACC)`,
  // `(RADIUS A/C`, `(80352128)`; and a trailing account number: `PEAC (UK) LTD 23366731`.
  name = name.replace(/\(([^()]*\b(A\/CS?|ACC|AC|ACCOUNT|ACCT)\b[^()]*|\s*\d{5,}\s*)(\)|$)/gi, ' ');
  name = name.replace(/\s\d{6,}\s*$/, ' ');
  // A bracket cut off by a fixed-width field (`NORTHERN POWERGRID (YORKS) PLC (YED`) is closed, so
  // that what it holds is read as the note it is.
  name = name.trim();
  if ((name.match(/\(/g)?.length ?? 0) > (name.match(/\)/g)?.length ?? 0)) name = `${name})`;
  return name;
}

export function cleanName(raw: string, rules: ReadonlySet<NameRule> = ALL_RULES): CleanedName | null {
  const stripped = stripNoise(raw, rules);
  const cleanPart = (text: string) => cleanWords(text, rules);
  const main = cleanPart(stripped);
  if (!main) return null;
  const alternates = new Set<string>();
  const legalNames = new Set<string>();
  const tradingNames = new Set<string>();
  // `X t/a Y`: X is the legal name when it carries a legal form; Y is a trading name.
  // `Ford Retail Limited t/a TrustFord`: both the legal name and, when a company trades under
  // it, the trading name. (`J Patel t/a Premier Taxis` gives neither: a person's trading name is
  // too weak to join on.)
  const hashTradingName = rules.has('hash-parts') && raw.includes('#') ? hashParts(raw).tradingName : null;
  const hashTrading = hashTradingName ? cleanPart(hashTradingName) : null;
  if (hashTrading) {
    alternates.add(hashTrading.key);
    tradingNames.add(hashTrading.key);
  }
  const tradingAs = /^(.*?)\s+(?:T\/A|T\/AS|TRADING AS)\s+(.*)$/i.exec(stripped);
  // `BPSCAT T/A St Paulinus`, `NUGENT CARE T/A …`: an organisation without a legal form before
  // T/A (an academy trust's schools) is stated too, when it is no person's name: one distinctive
  // word of three letters or more, or a trade word beside it.
  const unregisteredOrganisation = (text: string) => {
    const tokens = cleanPart(text)?.tokens ?? [];
    const distinctive = tokens.filter((t) => t.length >= 2 && !/^\d+$/.test(t));
    return (
      (tokens.length === 1 && (tokens[0]?.length ?? 0) >= 3) ||
      (tokens.length >= 2 && distinctive.some((t) => TRADE_WORDS.has(t)) && !/^[A-Z]\b/i.test(text.trim()))
    );
  };
  if (
    tradingAs &&
    rules.has('trading-as') &&
    !hasLegalForm(tradingAs[1] as string) &&
    unregisteredOrganisation(tradingAs[1] as string)
  ) {
    const organisation = cleanPart(tradingAs[1] as string);
    if (organisation) {
      alternates.add(organisation.key);
      legalNames.add(organisation.key);
    }
  }
  if (tradingAs && hasLegalForm(tradingAs[1] as string)) {
    const [legal, trading] = [cleanPart(tradingAs[1] as string), cleanPart(tradingAs[2] as string)];
    if (legal) alternates.add(legal.key);
    if (trading) {
      alternates.add(trading.key);
      tradingNames.add(trading.key);
    }
  }
  const beforeNote =
    rules.has('legal-form-note') && !/\s-\s|#|\/|\(/.test(stripped) ? legalNameBeforeNote(stripped) : null;
  if (beforeNote) {
    const key = cleanPart(beforeNote);
    if (key && key.key !== main.key) {
      alternates.add(key.key);
      legalNames.add(key.key);
    }
  }
  // `O2 (Telefonica UK Ltd)`, `Chartwells (Compass Contract Services)`: a bracketed name of two or
  // more words is the organisation. `NHS SUPPLY CHAIN (SCCL)`: a bracketed abbreviation is a
  // note, so the name without it is an alternate; a bracketed place (`WILLOW NURSING HOME
  // (STANMOOR)`) is not, since branches of a name can be different firms.
  // `FRANCOTYP POSTALIA LTD (RENTALS)`, `EXETER CITY COUNCIL (FINANCE)`, `OCEAN HEALTHCARE (T/A
  // TAHER LTD)`: a legal name (or a council) before a bracketed branch or department note.
  // Also a site after a dash: `Sanctuary Care Ltd - Guy's Court Nursing Home`.
  const beforeBracket = /^([^()]+?)\s*(?:\(|\s-\s)(.*)$/.exec(stripped);
  if (beforeBracket) {
    const head = beforeBracket[1] as string;
    const headKey = cleanPart(head);
    const council = headKey?.tokens[headKey.tokens.length - 1] === 'COUNCIL';
    if (hasLegalForm(head) || council || /^\s*(T\/A|TRADING AS)\b/i.test(beforeBracket[2] as string)) {
      if (headKey) {
        alternates.add(headKey.key);
        legalNames.add(headKey.key);
      }
    }
  }
  // `STC SERVICES (PLANT HIRE) LIMITED`, `LOTUS CARE (FINCH MANOR) LIMITED`: brackets inside a
  // registered name are part of it, not another organisation (nor a note to drop: `LOTUS CARE
  // (ELLERSLIE COURT) LTD` is another company).
  const noteInside = /\)\s*(LTD|LIMITED|PLC|LLP)\.?\s*$/i.test(stripped);
  for (const match of stripped.matchAll(/\(([^()]+)\)/g)) {
    const innerKey = cleanPart(match[1] as string);
    if (!innerKey || (noteInside && innerKey.tokens.length >= 2)) continue;
    const onlyNotes = innerKey.tokens.every((t) => BRACKET_NOTES.has(t) || t === 'AND');
    if (onlyNotes) {
      // `NEOPOST (SUPPLIES & SERVICES)`: what was bought, not who from.
      const outside = cleanPart(stripped.replace(match[0], ' '));
      if (outside) alternates.add(outside.key);
    } else if (innerKey.tokens.length >= 2 || hasLegalForm(match[1] as string)) alternates.add(innerKey.key);
    else if (
      innerKey.tokens.length === 1 &&
      !REGION_WORDS.has(innerKey.key) &&
      (innerKey.key.length <= 4 || /^[A-Z]{1,5}$/.test(match[1]?.trim() ?? ''))
    ) {
      const outside = cleanPart(stripped.replace(match[0], ' '));
      if (outside && outside.tokens.length >= 2) alternates.add(outside.key);
    }
  }
  // `A + D-SW SUPPLIES/AUK SUPPLIES`, `CARASTON HALL SUPPORT LTD/CLIENT`: a slash between words
  // (not `A/C`, `C/O`, `T/A`) separates two names or a name and a note. A part carrying a legal
  // form is a name; so is a last part of two or more words, unless it follows a site note
  // (`… LTD - SION HOUSE/OLIVER HOUSE` names two sites).
  const slashParts = stripped.split(/(?<=[A-Za-z0-9)]{2})\s*\/\s*(?=[A-Za-z]{2})/);
  if (slashParts.length > 1) {
    const beside = slashParts.some(hasLegalForm);
    slashParts.forEach((part, i) => {
      const partKey = cleanPart(part);
      if (!partKey) return;
      const last = i === slashParts.length - 1 && !/\s-\s|#/.test(stripped);
      if (hasLegalForm(part)) alternates.add(partKey.key);
      else if (last && partKey.tokens.length >= 2) {
        alternates.add(partKey.key);
        if (beside) tradingNames.add(partKey.key);
      }
    });
  }
  // Devon writes a site after an underscore; the underscore is otherwise a space
  // (`SPACE ODYSSEY_LTD`, `BURDON GRANGE_CARE HOME`), so only a head the resolver finds as a
  // name of its own is used (resolve.ts, prefix edges).
  // So does a place or site in closing brackets (`ACTION FOR CHILDREN (WATFORD)`), not a region
  // (`AFFINITY SUPPORTING PEOPLE (SOUTH) LTD` is a company of its own).
  const underscore = /^([^_]+)_(.+)$/.exec(stripped);
  // `NUGENT CARE - CHILDWALL`, `Methodist Homes - Pennystone Court`: a site after a spaced dash, the
  // organisation before it without a legal form (one with a legal form is stated above). Not a
  // person's trade (`ZOE MARINER - CHILDMINDER`), an acronym spelt out (`HFT - HOME FARM TRUST`)
  // or a registered name after the dash (the reversed order: `FERNDALE COURT - HC ONE LTD`).
  const dash = rules.has('site-suffix') ? /^([^()_]+?)\s+-\s+([^()]+)$/.exec(stripped) : null;
  const dashSite = dash ? cleanPart(dash[2] as string) : null;
  const dashHead = dash ? cleanPart(dash[1] as string) : null;
  const siteAfterDash =
    dash !== null &&
    dashSite !== null &&
    dashHead !== null &&
    !hasLegalForm(dash[1] as string) &&
    !hasLegalForm(dash[2] as string) &&
    dashSite.tokens.length <= 5 &&
    // a site, not a place alone: `HOME INSTEAD SENIOR CARE - LYTHAM` and `- PRESTON` are franchisees
    dashSite.tokens.some((t) => SITE_WORDS.has(t)) &&
    !dashSite.tokens.some((t) => PERSON_TRADES.has(t) || REGION_WORDS.has(t)) &&
    !dashSite.tokens.some((t) => BRACKET_NOTES.has(t)) &&
    !initialsOf(dashHead.compact, dashSite.tokens);
  const site = /^([^()_]+?)\s*\(([^()]+)\)$/.exec(stripped);
  const siteKey = site ? cleanPart(site[2] as string) : null;
  const siteIsPlace =
    siteKey !== null &&
    siteKey.tokens.length <= 3 &&
    !siteKey.tokens.some((t) => REGION_WORDS.has(t) || BRACKET_NOTES.has(t)) &&
    !hasLegalForm(site?.[2] as string);
  const branchOf = underscore
    ? (cleanPart(underscore[1] as string)?.key ?? null)
    : siteIsPlace
      ? (cleanPart(site?.[1] as string)?.key ?? null)
      : siteAfterDash
        ? (dashHead?.key ?? null)
        : null;
  alternates.delete(main.key);
  return {
    ...main,
    alternates: [...alternates],
    legalNames: [...legalNames],
    tradingNames: [...tradingNames],
    branchOf: branchOf && branchOf !== main.key ? branchOf : null,
  };
}

function hasLegalForm(text: string): boolean {
  return /\b(LTD|LIMITED|LIMTED|LIMITIED|PLC|LLP|CIC)\b\.?\s*$/i.test(text.trim());
}

/** Words naming a site: `… - GREENWAYS REST HOME`, `… - Oak Lodge`. */
const SITE_WORDS = new Set(
  'HOUSE LODGE COURT HOME HOMES HALL MANOR GRANGE VIEW GARDENS PLACE VILLA CLOSE NURSING REST ACADEMY SCHOOL PRIMARY CENTRE CENTER FARM PARK COTTAGE MEWS'.split(
    ' ',
  ),
);
/** A person's trade after their name: `PETER SMITH - GUITAR TUTOR`. */
const PERSON_TRADES = new Set(
  'CHILDMINDER CHILDMINDING TUTOR THERAPIST PSYCHOLOGIST CONSULTANT COUNSELLOR TRAINER'.split(' '),
);
/** Trade words that make a name an organisation's, not a person's (`NUGENT CARE`, `BRIDGE CHAPEL`). */
const TRADE_WORDS = new Set(
  'CARE TRUST SOCIETY CHARITY FOUNDATION ASSOCIATION SERVICES NURSERY NURSERIES HOMES ACADEMY SCHOOLS CHURCH CHAPEL CENTRE CENTER GROUP PARTNERSHIP'.split(
    ' ',
  ),
);

/** Whether the words' initials spell the name: `HFT` - `HOME FARM TRUST`. */
function initialsOf(compact: string, tokens: string[]): boolean {
  const initials = tokens.map((t) => t[0]).join('');
  const significant = tokens
    .filter((t) => t !== 'AND' && t !== 'OF' && t !== 'THE')
    .map((t) => t[0])
    .join('');
  return compact.length >= 2 && (compact === initials || compact === significant);
}

/** `HM`, `HER MAJESTYS`, `HIS MAJESTYS` at the start of a name: one honorific. */
function honorific(tokens: string[]): string[] {
  if (tokens[0] === 'HM' && tokens.length > 1) return tokens;
  if ((tokens[0] === 'HER' || tokens[0] === 'HIS') && /^MAJEST/.test(tokens[1] ?? '') && tokens.length > 2)
    return ['HM', ...tokens.slice(2)];
  return tokens;
}

/** `… LTD-CARLETON`, `CDER GROUP LIMITED FORMERLY JBW`: the name ends at its legal form (not `BUCKINGHAM LTD W H`). */
export function legalNameBeforeNote(text: string): string | null {
  const m = /^(.*?\b(?:LTD|LIMITED|PLC|LLP))\b\.?\s*[-,:]?\s*(.+)$/i.exec(text.trim());
  if (!m) return null;
  const rest = (m[2] as string)
    .toUpperCase()
    .replace(/[^A-Z0-9 ]+/g, ' ')
    .trim();
  if (!/[A-Z]{2}/.test(rest)) return null;
  if (/^(THE|[A-Z]( [A-Z])*|T A|T AS|TRADING AS .*|AND .*|PARTNERSHIP.*|COMPANY.*)$/.test(rest)) return null;
  return m[1] as string;
}

function cleanPart(text: string) {
  return cleanWords(text, ALL_RULES);
}

function cleanWords(
  text: string,
  rules: ReadonlySet<NameRule>,
): Omit<CleanedName, 'alternates' | 'legalNames' | 'tradingNames' | 'branchOf'> | null {
  let name = text.toUpperCase();
  name = name.replace(/&/g, ' AND ').replace(/\+/g, ' AND ');
  // Dots and apostrophes join letters (E.D.F. → EDF, O'BRIEN → OBRIEN); other punctuation separates.
  name = name.replace(/['’`.]/g, '').replace(/[^A-Z0-9]+/g, ' ');
  let tokens = name.split(' ').filter(Boolean);
  // `BUCKINGHAM LTD W H`: a surname-first ledger puts the legal form before the initials.
  const formBeforeInitials = tokens.findIndex(
    (t, i) =>
      (t === 'LTD' || t === 'LIMITED') && i > 0 && tokens.slice(i + 1).every((r) => /^[A-Z]$/.test(r)),
  );
  if (formBeforeInitials > 0 && formBeforeInitials < tokens.length - 1) tokens.splice(formBeforeInitials, 1);
  tokens = joinInitials(tokens).map((token) => ABBREVIATIONS[token] ?? token);
  if (rules.has('honorific')) tokens = honorific(tokens);
  if (rules.has('legal-form-note'))
    tokens = tokens.map((t) => (t === 'LIMTED' || t === 'LIMITIED' ? 'LTD' : t));
  // `OUTDOORS GROUP LTD THE`, `THE OUTDOORS GROUP LTD`: THE is not part of the name.
  if (tokens[0] === 'THE' && tokens.length > 1) tokens = tokens.slice(1);
  for (let changed = true; changed && tokens.length > 1; ) {
    changed = false;
    const last = tokens[tokens.length - 1] as string;
    const lastTwo = tokens.slice(-2).join(' ');
    if (LEGAL_SUFFIXES.has(last) || TRAILING_QUALIFIERS.has(last)) {
      tokens = tokens.slice(0, -1);
      changed = true;
    } else if (TRAILING_QUALIFIERS.has(lastTwo) && tokens.length > 2) {
      tokens = tokens.slice(0, -2);
      changed = true;
    }
  }
  if (tokens.length === 0) return null;
  return { key: tokens.join(' '), tokens, compact: tokens.join('') };
}

/** Runs of single letters are one word: `W C F` → `WCF`, `B T` → `BT` (but `P AND W` stays). */
function joinInitials(tokens: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length >= 2) out.push(run.join(''));
    else out.push(...run);
    run = [];
  };
  for (const token of tokens) {
    if (/^[A-Z]$/.test(token)) run.push(token);
    else {
      flush();
      out.push(token);
    }
  }
  flush();
  return out;
}

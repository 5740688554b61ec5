/**
 * Supplier resolution: normalising identifiers and names, the evidence order and its guards
 * against over-merging, and precision / recall on (a) the demo generator's planted supplier
 * groups and (b) the labelled sample of real supplier pairs from ../shared (skipped without it).
 */
import { describe, expect, it } from 'vitest';
import { plantedDemoSample } from '../evaluation/resolver/demo-pairs.ts';
import { buildIdentifierPairs } from '../evaluation/resolver/identifier-pairs.ts';
import { readRealAliases, SHARED_SPEND_DIR, sharedDataAvailable } from '../evaluation/resolver/real-names.ts';
import {
  HAND_LABELLED_PAIRS,
  readPairs,
  realSamples,
  resolveRealNamesOnly,
  score,
  scoreByKind,
} from '../evaluation/resolver/score.ts';
import {
  cleanName,
  isRedactionMarker,
  normaliseCharityNumber,
  normaliseCompanyNumber,
  normaliseVat,
} from '../transforms/resolver/normalise.ts';
import { type AliasInput, fieldWidths, resolveSuppliers } from '../transforms/resolver/resolve.ts';
import { isDistinctive } from '../transforms/resolver/similarity.ts';
import { requiredUnderCi } from './helpers/shared-data.ts';

describe('identifiers', () => {
  it('normalises VAT numbers and rejects ones failing the HMRC check', () => {
    expect(normaliseVat('GB 245 7193 48')).toBe('GB245719348');
    expect(normaliseVat('245719348')).toBe('GB245719348');
    expect(normaliseVat('245719348001')).toBe('GB245719348'); // branch suffix
    expect(normaliseVat('245719349')).toBeNull(); // check digits wrong
    expect(normaliseVat('000000000')).toBeNull();
    expect(normaliseVat('IE 6388047V')).toBe('IE6388047V');
    expect(normaliseVat('n/a')).toBeNull();
  });

  it('normalises Companies House numbers: lost leading zeros and prefixes', () => {
    expect(normaliseCompanyNumber('9927180')).toBe('09927180');
    expect(normaliseCompanyNumber('09927180')).toBe('09927180');
    expect(normaliseCompanyNumber('sc 12345')).toBe('SC012345');
    expect(normaliseCompanyNumber('NI601234')).toBe('NI601234');
    expect(normaliseCompanyNumber('OC312345')).toBe('OC312345');
    expect(normaliseCompanyNumber('1000')).toBeNull(); // a placeholder, not a registration
    expect(normaliseCompanyNumber('XX123456')).toBeNull(); // not a Companies House prefix
    expect(normaliseCharityNumber('0207076')).toBe('207076');
    expect(normaliseCharityNumber('SC012345')).toBe('SC012345');
  });
});

describe('names', () => {
  it('cleans case, punctuation, &, legal suffixes, notes, # aliases, NBSP and accents', () => {
    const key = (name: string) => cleanName(name)?.key;
    expect(key('EDF ENERGY PLC')).toBe(key('Edf Energy'));
    expect(key('E.D.F. Energy Ltd')).toBe('EDF ENERGY');
    expect(key('SUEZ RECYCLING & RECOVERY UK LTD')).toBe(key('Suez Recycling And Recovery'));
    expect(key('SHARED LIVES SOUTH WEST *1614*')).toBe('SHARED LIVES SOUTH WEST');
    expect(key('TEAM EDUCATE LTD_BACS **6795**')).toBe('TEAM EDUCATE');
    expect(key('OUTDOORS GROUP LTD THE ****5033')).toBe(key('The Outdoors Group Ltd'));
    expect(key('PEARSON    EDEXCEL**FEES ONLY***')).toBe('PEARSON EDEXCEL');
    expect(key('Reed#Reed Specialist Recruitment Limited')).toBe('REED SPECIALIST RECRUITMENT');
    expect(key('62 Wright Street#Mencap')).toBe('MENCAP');
    expect(key('TOTAL TOTS LTD\u00a0')).toBe('TOTAL TOTS');
    expect(key('Dräger Safety UK Ltd')).toBe('DRAGER SAFETY');
    expect(key('W C F Ltd')).toBe(key('WCF LTD'));
    expect(key('UK FOSTERING LTD')).toBe('UK FOSTERING');
    expect(key('FOSTERING LTD')).toBe('FOSTERING');
    expect(cleanName('O2 (Telefonica UK Ltd)')?.alternates).toContain('TELEFONICA');
    expect(key('True Grit (Yorks) Ltd')).toBe(key('TRUE GRIT (YORKSHIRE) LTD'));
    // a bracket cut off by a field width is a note; a region in brackets is not
    expect(cleanName('Northern Powergrid (Yorks) Plc (YED')?.alternates).toContain(
      'NORTHERN POWERGRID YORKSHIRE',
    );
    expect(cleanName('NEW START (NW) LTD')?.alternates).not.toContain('NEW START');
    // a slash between names; a trading name beside a legal name is marked as such
    expect(cleanName('A + D-SW SUPPLIES/AUK SUPPLIES')?.alternates).toContain('AUK SUPPLIES');
    expect(cleanName('CROWN OIL LTD/CROWN GAS & POWER')).toMatchObject({
      alternates: expect.arrayContaining(['CROWN OIL', 'CROWN GAS AND POWER']),
      tradingNames: ['CROWN GAS AND POWER'],
    });
    expect(cleanName('SENSE_OTTERY ST MARY')?.branchOf).toBe('SENSE');
  });

  it('knows redaction markers from real suppliers whose names merely look like them', () => {
    for (const marker of [
      'REDACTED',
      'REDACTED PERSONAL DATA',
      'Redacted Data',
      'Redacted - Personal Data',
      'REDACTED UNDER DP ACT',
      '****REDACTED PERSONAL INFO****',
      '****REDACTED COMMERCIALLY SENSITIVE****',
      '********',
      '',
    ]) {
      expect(isRedactionMarker(marker), marker).toBe(true);
    }
    for (const supplier of [
      'P AND W CONFIDENTIAL BUSINESS',
      'PEE WEES PERSONAL HOMECARE',
      'A1 PRIVATE HIRE',
    ]) {
      expect(isRedactionMarker(supplier), supplier).toBe(false);
    }
  });
});

describe('resolution', () => {
  const entityOf = (inputs: AliasInput[]) => {
    const matches = resolveSuppliers(inputs);
    return (body: string, name: string) =>
      matches.find((m) => m.bodyId === body && m.name === name)?.entityId;
  };

  it('does not over-merge look-alikes', () => {
    const of = entityOf([
      { bodyId: 'a', name: 'FOSTERING LTD' },
      { bodyId: 'b', name: 'UK FOSTERING LTD' },
      { bodyId: 'a', name: 'NORTHGATE PUBLIC SERVICES (UK) LTD' },
      { bodyId: 'b', name: 'Northgate Vehicle Hire Ltd' },
      { bodyId: 'c', name: 'NORTHGATE' },
      { bodyId: 'a', name: 'SANCTUARY PERSONNEL LTD' },
      { bodyId: 'b', name: 'Sanctuary Care Ltd' },
      { bodyId: 'a', name: 'SCHOOL BADGE LTD' },
      { bodyId: 'b', name: 'SCHOOL BADGES UK' },
    ]);
    expect(of('a', 'FOSTERING LTD')).not.toBe(of('b', 'UK FOSTERING LTD'));
    expect(of('a', 'NORTHGATE PUBLIC SERVICES (UK) LTD')).not.toBe(of('b', 'Northgate Vehicle Hire Ltd'));
    // a bare NORTHGATE could be either: it joins neither
    expect(of('c', 'NORTHGATE')).not.toBe(of('a', 'NORTHGATE PUBLIC SERVICES (UK) LTD'));
    expect(of('c', 'NORTHGATE')).not.toBe(of('b', 'Northgate Vehicle Hire Ltd'));
    expect(of('a', 'SANCTUARY PERSONNEL LTD')).not.toBe(of('b', 'Sanctuary Care Ltd'));
    expect(of('a', 'SCHOOL BADGE LTD')).not.toBe(of('b', 'SCHOOL BADGES UK'));
  });

  it('reads ambiguous abbreviations as either word, and extends a name by trade words only in one ledger', () => {
    const of = entityOf([
      { bodyId: 'a', name: 'Adullam Homes Housing Assoc Ltd' },
      { bodyId: 'b', name: 'Adullam Homes Housing Association' },
      { bodyId: 'a', name: 'LAKESIDE CARE LTD' },
      { bodyId: 'b', name: 'LAKESIDE CARE HOME' },
      { bodyId: 'c', name: 'BRIGHT FUTURES NURSERY' },
      { bodyId: 'c', name: 'BRIGHT FUTURES NURSERY SCHOOL LTD' },
      { bodyId: 'c', name: 'DELPHI MEDICAL LIMITED' },
      { bodyId: 'c', name: 'DELPHI MEDICAL CONSULTANTS LTD' },
      { bodyId: 'c', name: 'PRESTON NORTH END PLC' },
      { bodyId: 'c', name: 'PRESTON NORTH END COMMUNITY & EDUCATION TRUST' },
    ]);
    expect(of('a', 'Adullam Homes Housing Assoc Ltd')).toBe(of('b', 'Adullam Homes Housing Association'));
    expect(of('a', 'LAKESIDE CARE LTD')).not.toBe(of('b', 'LAKESIDE CARE HOME'));
    expect(of('c', 'BRIGHT FUTURES NURSERY')).toBe(of('c', 'BRIGHT FUTURES NURSERY SCHOOL LTD'));
    expect(of('c', 'DELPHI MEDICAL LIMITED')).not.toBe(of('c', 'DELPHI MEDICAL CONSULTANTS LTD'));
    expect(of('c', 'PRESTON NORTH END PLC')).not.toBe(
      of('c', 'PRESTON NORTH END COMMUNITY & EDUCATION TRUST'),
    );
  });

  it('joins a name cut at its body’s field width to the one entity continuing it', () => {
    // body d cuts names at 32 characters: 14 fillers of that length set the width
    const fillers = Array.from({ length: 14 }, (_, i) => ({
      bodyId: 'd',
      name: `FILLER ${String.fromCharCode(65 + i)} SUPPLIES`.padEnd(32, 'Q'),
    }));
    const of = entityOf([
      ...fillers,
      { bodyId: 'd', name: 'TRIANGLE CONSULTING SOCIAL ENTER' },
      { bodyId: 'e', name: 'TRIANGLE CONSULTING SOCIAL ENTERPRISE LTD' },
      { bodyId: 'd', name: 'MACQUARIE EQUIPMENT FINANCE(UK)L' },
      { bodyId: 'f', name: 'MACQUARIE EQUIPMENT FINANCE (UK) LTD' },
      // the same cut, but two entities continue it: joins neither
      { bodyId: 'd', name: 'NORTHERN COUNTIES TRAVEL AND COA' },
      { bodyId: 'e', name: 'NORTHERN COUNTIES TRAVEL AND COACHES LTD' },
      { bodyId: 'f', name: 'NORTHERN COUNTIES TRAVEL AND COACHWORKS LTD' },
      // not at the width: not a cut name
      { bodyId: 'd', name: 'ACME TRAVEL PLAN' },
      { bodyId: 'e', name: 'ACME TRAVEL PLANNERS LTD' },
    ]);
    expect(of('d', 'TRIANGLE CONSULTING SOCIAL ENTER')).toBe(
      of('e', 'TRIANGLE CONSULTING SOCIAL ENTERPRISE LTD'),
    );
    expect(of('d', 'MACQUARIE EQUIPMENT FINANCE(UK)L')).toBe(of('f', 'MACQUARIE EQUIPMENT FINANCE (UK) LTD'));
    const cut = of('d', 'NORTHERN COUNTIES TRAVEL AND COA');
    expect([
      of('e', 'NORTHERN COUNTIES TRAVEL AND COACHES LTD'),
      of('f', 'NORTHERN COUNTIES TRAVEL AND COACHWORKS LTD'),
    ]).not.toContain(cut);
    expect(of('d', 'ACME TRAVEL PLAN')).not.toBe(of('e', 'ACME TRAVEL PLANNERS LTD'));
  });

  it('finds a body’s name-field width where names pile up', () => {
    const names = (n: number, length: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ bodyId: 'd', name: `${prefix}${i}`.padEnd(length, 'X') }));
    const widths = fieldWidths([...names(30, 32, 'A'), ...names(12, 31, 'B'), ...names(40, 20, 'C')]);
    expect(widths.get('d')).toBe(32);
    // lengths tailing off, no pile: no width
    expect(
      fieldWidths([...names(12, 31, 'B'), ...names(12, 30, 'E'), ...names(40, 20, 'C')]).get('d'),
    ).toBeUndefined();
  });

  it('never joins names across different company numbers, and records reason and score', () => {
    const matches = resolveSuppliers([
      { bodyId: 'a', name: 'ACME LTD', companyNumbers: ['01234567'] },
      { bodyId: 'b', name: 'Acme Limited', companyNumbers: ['07654321'] },
      { bodyId: 'c', name: 'ACME LTD' },
      { bodyId: 'd', name: 'Draeger Safety UK Ltd' },
      { bodyId: 'e', name: 'DRAGER SAFETY UK LIMITED' },
    ]);
    const [a, b, c, d, e] = matches;
    expect(a?.entityId).not.toBe(b?.entityId);
    expect([a?.entityId, b?.entityId]).toContain(c?.entityId);
    expect(d?.entityId).toBe(e?.entityId);
    expect(d).toMatchObject({ reason: 'name-fuzzy', matchedName: 'DRAGER SAFETY UK LIMITED' });
    expect(d?.score).toBeGreaterThan(0.9);
    expect(d?.score).toBeLessThan(1);
  });

  it('lets analysts pins win over the evidence', () => {
    const matches = resolveSuppliers(
      [
        { bodyId: 'a', name: 'ACME LTD', vatNumbers: ['GB245719348'] },
        { bodyId: 'b', name: 'ACME LIMITED', vatNumbers: ['GB245719348'] },
        { bodyId: 'c', name: 'Viking Direct' },
        { bodyId: 'd', name: 'Office Depot UK' },
      ],
      [
        { bodyId: 'a', name: 'ACME LTD', entityId: 'E1' },
        { bodyId: 'b', name: 'ACME LIMITED', entityId: 'E2' },
        { bodyId: 'c', name: 'Viking Direct', entityId: 'E3' },
        { bodyId: 'd', name: 'Office Depot UK', entityId: 'E3' },
      ],
    );
    expect(matches.map((m) => m.entityId)).toEqual(['E1', 'E2', 'E3', 'E3']);
  });
});

describe('on the demo generator’s planted suppliers', () => {
  it('joins every spelling it has evidence for and never two planted entities', () => {
    const { inputs, pairs } = plantedDemoSample();
    const predicted = new Map(resolveSuppliers(inputs).map((m) => [`${m.bodyId}:${m.name}`, m.entityId]));
    const result = score(pairs, (body, name) => predicted.get(`${body}:${name}`) ?? null);
    // no two planted suppliers joined (false positives), and nearly every spelling found
    expect(result.errors.filter((pair) => !pair.match)).toEqual([]);
    expect(result.recall).toBeGreaterThanOrEqual(0.98);
  });
});

const realPairsPresent = requiredUnderCi(
  'transforms-resolver: real supplier pairs',
  sharedDataAvailable(),
  SHARED_SPEND_DIR,
);

describe.skipIf(!realPairsPresent)(
  'on real supplier pairs (../shared/datasets/uk-spend: Nov and Dec 2023, Jan–Mar 2017)',
  () => {
    it('keeps precision on identifier truth and hand labels, and recalls the hand-labelled matches', async () => {
      const aliases = await readRealAliases();
      const entityOf = await resolveRealNamesOnly(aliases);
      // labelled from Kirklees' company numbers and Devon's VAT numbers, built now, never stored
      const identifierPairs = buildIdentifierPairs(aliases).pairs;
      const handPairs = readPairs(HAND_LABELLED_PAIRS);
      const words = (name: string) => (cleanName(name)?.tokens ?? []).filter(isDistinctive);
      const samples = realSamples(identifierPairs, handPairs, entityOf, words);
      for (const s of samples)
        process.stdout.write(
          `resolver on ${s.name.trim()}: ${s.pairs} pairs, P=${s.score.precision.toFixed(3)} R=${s.score.recall.toFixed(3)}\n`,
        );
      expect(identifierPairs.length).toBeGreaterThan(10_000);
      // The one known false positive: two Canon VAT registrations in Devon's March 2017 file whose
      // names clean alike (`CANON (UK) LIMITED`, `CANON UK LTD (PREVIOUSLY OCE UK)`). Any other fails.
      const byIdentifier = score(identifierPairs, entityOf);
      expect(byIdentifier.errors.filter((p) => !p.match).map((p) => [p.nameA, p.nameB])).toEqual([
        ['CANON (UK) LIMITED', 'CANON UK LTD (PREVIOUSLY OCE UK)'],
      ]);
      const byHand = score(handPairs, entityOf);
      expect(byHand.fp).toBe(0);
      expect(
        score(
          handPairs.filter((p) => p.source === 'hand'),
          entityOf,
        ).recall,
      ).toBeGreaterThanOrEqual(0.95);
      // the harder pairs across periods: 23 of 24 when written (the miss: `City & Guilds Of London
      // Institute` / `CITY & GUILDS INSTITUTE`)
      expect(
        score(
          handPairs.filter((p) => p.source === 'hand-periods'),
          entityOf,
        ).recall,
      ).toBeGreaterThanOrEqual(0.95);
      // the pairs added with the issue-15 rules (read while reviewing those rules: not independent)
      const byRules = score(
        handPairs.filter((p) => p.source === 'hand-rules'),
        entityOf,
      );
      expect(byRules.fp).toBe(0);
      expect(byRules.recall).toBeGreaterThanOrEqual(0.9);
      for (const k of scoreByKind(handPairs, entityOf))
        process.stdout.write(`resolver by kind: ${k.label} ${k.kind}: ${k.joined} of ${k.pairs} joined\n`);
      // no kind of distinct pair is ever joined
      expect(scoreByKind(handPairs, entityOf).filter((k) => k.label === 'distinct' && k.joined > 0)).toEqual(
        [],
      );
      // Recovered by name: an abbreviation and a cut-off bracket, a site after Devon's underscore,
      // a name cut at Devon's 32 characters, trade words added in one ledger.
      const same = (body: string, a: string, b: string) =>
        expect(entityOf(body, a), `${a} ~ ${b}`).toBe(entityOf(body, b));
      same('kirklees', 'Northern Powergrid (Yorks) Plc (YED', 'Northern Powergrid (Yorkshire) Plc');
      same('devon', 'SENSE', 'SENSE_OTTERY ST MARY');
      same('devon', 'UNIVERSITY OF PLYMOUTH', 'UNIVERSITY OF PLYMOUTH ENTERPRIS');
      same('devon', 'CARASTON HALL', 'CARASTON HALL SUPPORT LTD');
      same('devon', 'ACTION FOR CHILDREN', 'ACTION FOR CHILDREN (WATFORD)');
      same('devon', 'BUCKINGHAM LTD W H', 'BUCKINGHAM W H');
      expect(entityOf('devon', 'MACQUARIE EQUIPMENT FINANCE(UK)L')).toBe(
        entityOf('oxford', 'MACQUARIE EQUIPMENT FINANCE (UK) LTD'),
      );
      // …and kept apart: a sister company in a VAT group, a regional franchise, a trading name
      // beside another legal name.
      const apart = (body: string, a: string, b: string) =>
        expect(entityOf(body, a), `${a} ≁ ${b}`).not.toBe(entityOf(body, b));
      apart('devon', 'CAPITA BUSINESS SERVICES LTD', 'CAPITA PENSION SOLUTIONS LIMITED');
      apart('devon', 'PRIMARY SPORTS & EDUCATION', 'PRIMARY SPORTS & EDUCATION SOUTH');
      apart('devon', 'CROWN GAS & POWER LTD', 'CROWN OIL LTD/CROWN GAS & POWER');
      apart('lancashire-cc', 'FOSTERING LTD', 'UK FOSTERING LTD');
    });
  },
);

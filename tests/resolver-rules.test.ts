/**
 * The resolver's name rules of issue 15, each on hand-built names: what it joins, and the wrong
 * merges it must not make. (What each rule merges across every real name is
 * tests/resolver-rule-merges.test.ts.) Councils are resolved with the register shipped in
 * reference/registers, never ../shared.
 */
import { describe, expect, it } from 'vitest';
import { REFERENCE_REGISTERS_DIR } from '../lib/config.ts';
import { explainPair } from '../transforms/resolver/explain.ts';
import { ALL_RULES, cleanName, type NameRule } from '../transforms/resolver/normalise.ts';
import { loadPublicBodyRegister, matchPublicBody } from '../transforms/resolver/public-bodies.ts';
import { type AliasInput, resolveSuppliers } from '../transforms/resolver/resolve.ts';

const register = loadPublicBodyRegister(REFERENCE_REGISTERS_DIR);

function resolved(inputs: AliasInput[], rules: ReadonlySet<NameRule> = ALL_RULES) {
  const matches = resolveSuppliers(inputs, [], { publicBodies: register, rules });
  const entity = (body: string, name: string) => {
    const m = matches.find((x) => x.bodyId === body && x.name === name);
    if (!m) throw new Error(`${body}:${name} not resolved`);
    return m.entityId;
  };
  return {
    matches,
    same: (a: [string, string], b: [string, string]) =>
      entity(...a) !== null && entity(...a) === entity(...b),
  };
}
const without = (rule: NameRule) => new Set([...ALL_RULES].filter((r) => r !== rule));

describe('public bodies: the local authority register', () => {
  it('finds a council under its abbreviations, "Borough of X", notes and accounts', () => {
    const code = (name: string) => matchPublicBody(register, name)?.code ?? null;
    expect(code('KNOWSLEY MBC')).toBe('KWL');
    expect(code('Knowsley Metropolitan Borough Council')).toBe('KWL');
    expect(code('BOROUGH OF PENDLE')).toBe('PEN');
    expect(code('Pendle Borough Council')).toBe('PEN');
    expect(code('VALE OF WHITE HORSE DC')).toBe('VAL');
    expect(code('TORRIDGE DIST COUNCIL')).toBe('TOR');
    expect(code('EXETER CITY COUNCIL(RATES&C/TAX)')).toBe('EXE');
    expect(code('SEFTON MBC NO 2')).toBe('SFT');
    expect(code('ST HELENS COUNCIL RE GRANGE VALLEY')).toBe('SHN');
    expect(code('ST HELENS COUNCIL-ST JOHN VIANNEY C')).toBe('SHN');
    expect(code('(SB) Wakefield Council')).toBe('WKF');
    expect(code('LONDON BOROUGH OF SOUTHWARK COUNCIL')).toBe('SWK');
    expect(code('East Riding Of Yorks Council')).toBe('ERY');
    expect(code('Blackpool Council')).toBe('BPL');
    // a former council keeps its own code
    expect(code('CUMBRIA COUNTY COUNCIL')).toBe('CMA');
  });

  it('reads no code from town and parish councils, bodies named after a council, or other councils', () => {
    const code = (name: string) => matchPublicBody(register, name)?.code ?? null;
    for (const name of [
      'SEATON TOWN COUNCIL',
      'HALSALL PARISH COUNCIL',
      'SAMPFORD COURTENAY P COUNCIL',
      'ARTS COUNCIL ENGLAND',
      'BRITISH YOUTH COUNCIL',
      'Oldham Metropolitan Borough Council Total Care',
      'WORKMAN LLP CLIENT - BLACKPOOL COUNCIL SERVICE CHARGE',
      'Blackpool Illuminations#Council',
      'DC CONTRACTS (NORMANTON) LTD',
      'BLACKPOOL',
    ])
      expect(code(name), name).toBeNull();
  });

  it('joins a council’s spellings by its code, records it, and never joins two councils', () => {
    const inputs: AliasInput[] = [
      { bodyId: 'a', name: 'KNOWSLEY MBC' },
      { bodyId: 'b', name: 'Knowsley Metropolitan Borough Council' },
      { bodyId: 'a', name: 'BOROUGH OF PENDLE' },
      { bodyId: 'b', name: 'PENDLE BOROUGH COUNCIL' },
      { bodyId: 'c', name: 'BLACKPOOL COUNCIL' },
      { bodyId: 'c', name: 'BLACKBURN WITH DARWEN BOROUGH COUNCIL' },
    ];
    const { matches, same } = resolved(inputs);
    expect(same(['a', 'KNOWSLEY MBC'], ['b', 'Knowsley Metropolitan Borough Council'])).toBe(true);
    expect(same(['a', 'BOROUGH OF PENDLE'], ['b', 'PENDLE BOROUGH COUNCIL'])).toBe(true);
    expect(same(['c', 'BLACKPOOL COUNCIL'], ['c', 'BLACKBURN WITH DARWEN BOROUGH COUNCIL'])).toBe(false);
    expect(matches[0]).toMatchObject({
      reason: 'public-body',
      publicBodyCode: 'KWL',
      publicBodyMatch: 'register-spelling: KNOWSLEY METROPOLITAN BOROUGH COUNCIL',
    });
    // without the rule, the two spellings of Knowsley stay apart
    expect(
      resolved(inputs, without('public-body')).same(
        ['a', 'KNOWSLEY MBC'],
        ['b', 'Knowsley Metropolitan Borough Council'],
      ),
    ).toBe(false);
  });
});

describe('site suffixes', () => {
  it('joins "<organisation> - <site>" to the organisation, not a franchisee’s place or a person’s trade', () => {
    const inputs: AliasInput[] = [
      { bodyId: 'a', name: 'NUGENT CARE' },
      { bodyId: 'b', name: 'NUGENT CARE - NUGENT HOUSE SCHOOL' },
      { bodyId: 'a', name: 'METHODIST HOMES' },
      { bodyId: 'b', name: 'Methodist Homes - Pennystone Court' },
      { bodyId: 'a', name: 'HOME INSTEAD SENIOR CARE' },
      { bodyId: 'b', name: 'HOME INSTEAD SENIOR CARE - LYTHAM' },
      { bodyId: 'a', name: 'PETER SMITH' },
      { bodyId: 'b', name: 'PETER SMITH - GUITAR TUTOR' },
      { bodyId: 'a', name: 'HOME FARM TRUST' },
      { bodyId: 'b', name: 'HFT - HOME FARM TRUST' },
    ];
    const { same } = resolved(inputs);
    expect(same(['a', 'NUGENT CARE'], ['b', 'NUGENT CARE - NUGENT HOUSE SCHOOL'])).toBe(true);
    expect(same(['a', 'METHODIST HOMES'], ['b', 'Methodist Homes - Pennystone Court'])).toBe(true);
    expect(same(['a', 'HOME INSTEAD SENIOR CARE'], ['b', 'HOME INSTEAD SENIOR CARE - LYTHAM'])).toBe(false);
    expect(same(['a', 'PETER SMITH'], ['b', 'PETER SMITH - GUITAR TUTOR'])).toBe(false);
    expect(cleanName('HFT - HOME FARM TRUST')?.branchOf).toBeNull();
    expect(
      resolved(inputs, without('site-suffix')).same(
        ['a', 'NUGENT CARE'],
        ['b', 'NUGENT CARE - NUGENT HOUSE SCHOOL'],
      ),
    ).toBe(false);
  });
});

describe('trading names', () => {
  it('states an academy trust or charity before T/A, and drops a leading T/A', () => {
    const inputs: AliasInput[] = [
      { bodyId: 'a', name: 'BPSCAT T/A St Paulinus' },
      { bodyId: 'a', name: 'BPSCAT T/A Holy Spirit Heckmondwike' },
      { bodyId: 'b', name: 'T/A Tudor Environmental' },
      { bodyId: 'c', name: 'Tudor Environmental' },
      // a person's trading name is too weak to join on
      { bodyId: 'a', name: 'J Patel T/A Premier Taxis' },
      { bodyId: 'b', name: 'J Patel T/A Star Cars' },
    ];
    const { same } = resolved(inputs);
    expect(same(['a', 'BPSCAT T/A St Paulinus'], ['a', 'BPSCAT T/A Holy Spirit Heckmondwike'])).toBe(true);
    expect(same(['b', 'T/A Tudor Environmental'], ['c', 'Tudor Environmental'])).toBe(true);
    expect(same(['a', 'J Patel T/A Premier Taxis'], ['b', 'J Patel T/A Star Cars'])).toBe(false);
    expect(
      resolved(inputs, without('trading-as')).same(
        ['a', 'BPSCAT T/A St Paulinus'],
        ['a', 'BPSCAT T/A Holy Spirit Heckmondwike'],
      ),
    ).toBe(false);
  });

  it('reads Bolton’s "#" part by part: never a short alias, a place or a lone "Limited"', () => {
    const key = (name: string) => cleanName(name)?.key;
    expect(key('Reed#Reed Specialist Recruitment Limited')).toBe('REED SPECIALIST RECRUITMENT');
    expect(key('62 Wright Street#Mencap')).toBe('MENCAP');
    expect(key('Altitude Services#Limited')).toBe('ALTITUDE SERVICES');
    expect(key('Jacobs Certificated Bailiffs#Jacobs')).toBe('JACOBS CERTIFICATED BAILIFFS');
    expect(key('Homecare For You Ltd#BLACKBURN')).toBe('HOMECARE FOR YOU');
    expect(key('Quadient UK Ltd#Finance')).toBe('QUADIENT');
    expect(key('Creative Support Limited#3')).toBe('CREATIVE SUPPORT');
    expect(cleanName('Gazprom Marketing & Retail Limited#Gazprom Energy')).toMatchObject({
      key: 'GAZPROM MARKETING AND RETAIL',
      tradingNames: ['GAZPROM ENERGY'],
    });
    const inputs: AliasInput[] = [
      { bodyId: 'bolton', name: 'Jacobs Certificated Bailiffs#Jacobs' },
      { bodyId: 'blackpool', name: 'Jacobs' },
      { bodyId: 'bolton', name: 'Traffic Management Products Limited#TMP' },
      { bodyId: 'blackpool', name: 'TMP' },
      { bodyId: 'bolton', name: 'Altitude Services#Limited' },
      { bodyId: 'bolton', name: 'Tonic Consultancy#Limited' },
    ];
    const { same } = resolved(inputs);
    expect(same(['bolton', 'Jacobs Certificated Bailiffs#Jacobs'], ['blackpool', 'Jacobs'])).toBe(false);
    expect(same(['bolton', 'Traffic Management Products Limited#TMP'], ['blackpool', 'TMP'])).toBe(false);
    expect(same(['bolton', 'Altitude Services#Limited'], ['bolton', 'Tonic Consultancy#Limited'])).toBe(
      false,
    );
    // the former reading (the part after the last #) made exactly these wrong merges
    const before = resolved(inputs, without('hash-parts'));
    expect(
      before.same(['bolton', 'Altitude Services#Limited'], ['bolton', 'Tonic Consultancy#Limited']),
    ).toBe(true);
    expect(before.same(['bolton', 'Jacobs Certificated Bailiffs#Jacobs'], ['blackpool', 'Jacobs'])).toBe(
      true,
    );
  });
});

describe('honorifics, legal forms and spaces', () => {
  it('reads HM, Her Majesty’s and His Majesty’s as one', () => {
    const key = (name: string) => cleanName(name)?.key;
    expect(key('HER MAJESTYS PRISON & PROBATION SERVICE')).toBe(key('Hm Prison & Probation Service'));
    expect(key("His Majesty's Courts & Tribunals Service")).toBe(key('HM Courts and Tribunals Service'));
    // a care home's `HM` at the end is not an honorific
    expect(key('NEWHEY MANOR RESIDENTIAL CARE HM')).not.toMatch(/^HM /);
    expect(cleanName('HER MAJESTYS PRISON SERVICE', without('honorific'))?.key).not.toBe(
      key('HM PRISON SERVICE'),
    );
  });

  it('joins a missing, extra or misspelt legal form, and a note after it; never two registered firms', () => {
    const inputs: AliasInput[] = [
      { bodyId: 'a', name: 'Cognisoft Limited' },
      { bodyId: 'b', name: 'CogniSoft Limitied' },
      { bodyId: 'a', name: 'ADVENTURES IN LEARNING LTD-CARLETON' },
      { bodyId: 'a', name: 'ADVENTURES IN LEARNING LTD - THORNTON' },
      { bodyId: 'a', name: 'CDER GROUP LIMITED FORMERLY JBW' },
      { bodyId: 'b', name: 'Cder Group Limted' },
      { bodyId: 'a', name: 'KEY PE SPORTS' },
      { bodyId: 'b', name: 'Key PE Sports Ltd' },
      { bodyId: 'a', name: 'BUCKINGHAM LTD W H' },
      { bodyId: 'a', name: 'DELPHI MEDICAL LIMITED' },
      { bodyId: 'a', name: 'DELPHI MEDICAL CONSULTANTS LTD' },
    ];
    const { same } = resolved(inputs);
    expect(same(['a', 'Cognisoft Limited'], ['b', 'CogniSoft Limitied'])).toBe(true);
    expect(
      same(['a', 'ADVENTURES IN LEARNING LTD-CARLETON'], ['a', 'ADVENTURES IN LEARNING LTD - THORNTON']),
    ).toBe(true);
    expect(same(['a', 'CDER GROUP LIMITED FORMERLY JBW'], ['b', 'Cder Group Limted'])).toBe(true);
    expect(same(['a', 'KEY PE SPORTS'], ['b', 'Key PE Sports Ltd'])).toBe(true);
    expect(same(['a', 'DELPHI MEDICAL LIMITED'], ['a', 'DELPHI MEDICAL CONSULTANTS LTD'])).toBe(false);
    expect(cleanName('BUCKINGHAM LTD W H')?.alternates).not.toContain('BUCKINGHAM');
    expect(
      resolved(inputs, without('legal-form-note')).same(
        ['a', 'CDER GROUP LIMITED FORMERLY JBW'],
        ['b', 'Cder Group Limted'],
      ),
    ).toBe(false);
  });

  it('reads doubled, padded and non-breaking spaces as one', () => {
    const key = (name: string) => cleanName(name)?.key;
    expect(key('Kidzrus  Nursery Ltd')).toBe(key('Kidzrus Nursery Ltd'));
    expect(key(' PEARSON    EDEXCEL ')).toBe('PEARSON EDEXCEL');
    expect(key('TOTAL\u00a0TOTS  LTD\u00a0')).toBe('TOTAL TOTS');
  });
});

describe('why two names were or were not merged', () => {
  const inputs: AliasInput[] = [
    { bodyId: 'a', name: 'KNOWSLEY MBC' },
    { bodyId: 'b', name: 'Knowsley Metropolitan Borough Council' },
    { bodyId: 'a', name: 'NUGENT CARE' },
    { bodyId: 'b', name: 'NUGENT CARE - NUGENT HOUSE SCHOOL' },
    { bodyId: 'c', name: 'Nugent Care Ltd' },
    { bodyId: 'a', name: 'ACME LTD', companyNumbers: ['01234567'] },
    { bodyId: 'b', name: 'Acme Limited', companyNumbers: ['07654321'] },
    { bodyId: 'a', name: 'FOSTERING LTD' },
    { bodyId: 'b', name: 'UK FOSTERING LTD' },
  ];
  const why = (a: string, b: string) =>
    explainPair(inputs, [], { publicBodies: register }, { name: a }, { name: b });

  it('gives the chain of evidence for merged names', () => {
    const knowsley = why('KNOWSLEY MBC', 'Knowsley Metropolitan Borough Council');
    expect(knowsley.merged).toBe(true);
    expect(knowsley.path).toEqual([
      {
        from: { bodyId: 'a', name: 'KNOWSLEY MBC' },
        to: { bodyId: 'b', name: 'Knowsley Metropolitan Borough Council' },
        reason: 'public-body',
        score: 0.98,
      },
    ]);
    expect(knowsley.comparison).toContain(
      'Both name Knowsley Metropolitan Borough Council (register code KWL).',
    );
    // two links: the site joins the bare name, which joins the registered one by its cleaned name
    const site = why('NUGENT CARE - NUGENT HOUSE SCHOOL', 'Nugent Care Ltd');
    expect(site.merged).toBe(true);
    expect(site.path.map((l) => l.reason).sort()).toEqual(['name', 'name-prefix']);
    expect(site.a.siteOf).toBe('NUGENT CARE');
  });

  it('names the guard that kept names apart, or says no rule found evidence', () => {
    const acme = why('ACME LTD', 'Acme Limited');
    expect(acme.merged).toBe(false);
    expect(acme.refused.map((r) => r.reason)).toContain('name');
    expect(new Set(acme.refused.map((r) => r.refused))).toEqual(new Set(['different company numbers']));
    expect(acme.summary).toMatch(/different company numbers/);
    const fostering = why('FOSTERING LTD', 'UK FOSTERING LTD');
    expect(fostering).toMatchObject({ merged: false, refused: [] });
    expect(fostering.comparison).toContain('They clean to "FOSTERING" and "UK FOSTERING".');
    expect(() => why('NO SUCH FIRM', 'ACME LTD')).toThrow(/No supplier name "NO SUCH FIRM"/);
  });
});

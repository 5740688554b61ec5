import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPence, parseAmount, parseDecimalPence } from './amounts.ts';

const pence = (raw: string, options?: { roundToPence?: boolean }) => {
  const result = parseAmount(raw, options);
  return result.ok ? result.pence : result.reason;
};

describe('parseAmount', () => {
  it.each([
    ['1620.92', 162092n],
    ['1940', 194000n],
    ['-126.4', -12640n],
    ['"9,000.00"'.slice(1, -1), 900000n],
    ['£1,268.00', 126800n],
    ['£-12.50', -1250n],
    ['-£12.50', -1250n],
    ['(12.50)', -1250n],
    ['12.50-', -1250n],
    ['12.50 CR', -1250n],
    ['12.50DR', 1250n],
    [' 1 234 ', 'not an amount: "1 234"'],
    ['0', 0n],
    ['-0.00', 0n],
    ['.5', 50n],
    ['12.500', 1250n],
    ['\u00a0534447.33\u00a0', 53444733n],
    ['1,234,567.89', 123456789n],
    ['GBP 10', 1000n],
  ])('%s → %s', (raw, expected) => {
    expect(pence(raw)).toEqual(expected);
  });

  it('refuses what is not an amount, or has sub-penny digits', () => {
    expect(pence('')).toBe('empty');
    expect(pence('abc')).toMatch(/not an amount/);
    expect(pence('12.345')).toMatch(/more than 2 decimal places/);
    expect(pence('1,23.00')).toMatch(/not an amount/);
    expect(pence('1.2.3')).toMatch(/not an amount/);
  });

  it('refuses two sign marks or two currency marks instead of combining them (found by the fuzz test)', () => {
    // Each of these used to read as +12.00: the second minus undid the first.
    for (const raw of [
      '--12.00',
      '(-12.00)',
      '-12.00 CR',
      '-12.00-',
      '(12.00-)',
      '+-12',
      '++12',
      '-12.00 DR',
    ]) {
      expect(pence(raw), raw).toMatch(/^more than one sign: /);
    }
    for (const raw of ['£-£12', 'GBP 12 GBP', '£$12'])
      expect(pence(raw), raw).toMatch(/^more than one currency mark/);
  });

  it('reads floating-point artefacts (more than 15 significant digits) at the penny', () => {
    expect(pence('13617821.88999996')).toBe(1361782189n);
    expect(pence('1021.2300000000001')).toBe(102123n);
    expect(pence('0.30000000000000004')).toBe(30n);
    expect(pence('99.99999999999999999')).toBe(10000n);
  });

  it('reads plain and grouped amounts on its fast path exactly as on the general one', () => {
    // A leading space keeps an amount off the fast path (it takes nothing around the digits).
    fc.assert(
      fc.property(
        fc.constantFrom('', '-', '+'),
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.boolean(),
        fc.constantFrom('', '.', '.0', '.5', '.05', '.50', '.00', '.99', '.123'),
        fc.constantFrom('', '0', '00'),
        (sign, whole, grouped, fraction, zeros) => {
          const digits = zeros + whole.toString();
          const raw = `${sign}${grouped ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : digits}${fraction}`;
          expect(parseAmount(raw), raw).toEqual(parseAmount(` ${raw}`));
          expect(parseAmount(raw, { roundToPence: true }), raw).toEqual(
            parseAmount(` ${raw}`, { roundToPence: true }),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rounds half away from zero only when asked (control totals)', () => {
    expect(pence('10.005', { roundToPence: true })).toBe(1001n);
    expect(pence('-10.005', { roundToPence: true })).toBe(-1001n);
    expect(pence('10.004', { roundToPence: true })).toBe(1000n);
  });
});

describe('formatPence and parseDecimalPence', () => {
  it('round-trips exactly', () => {
    for (const value of [0n, 1n, -1n, 99n, -100n, 123456789012345n, -5n]) {
      expect(parseDecimalPence(formatPence(value))).toBe(value);
    }
    expect(formatPence(-5n)).toBe('-0.05');
    expect(parseDecimalPence('4900.0')).toBe(490000n);
    expect(parseDecimalPence('1.005')).toBeNull();
    expect(parseDecimalPence('1e3')).toBeNull();
  });
});

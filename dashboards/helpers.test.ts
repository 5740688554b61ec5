/**
 * The dashboards' pure helpers, in Node: money formatted and summed from decimal strings (never
 * floats), CSV export, and filters kept in the URL query string.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCsv } from './js/csv.js';
import { readFilters, toApiQuery, writeFilters } from './js/filters.js';
import {
  applyScale,
  compareDecimals,
  formatCount,
  formatMoney,
  formatPercent,
  sumDecimals,
} from './js/format.js';

/** Pence as "£1,234.56", written here by a different route: grouping digits from the right by hand. */
function poundsOf(pence: bigint): string {
  const negative = pence < 0n;
  const abs = negative ? -pence : pence;
  const whole = (abs / 100n).toString();
  const groups: string[] = [];
  for (let end = whole.length; end > 0; end -= 3) groups.unshift(whole.slice(Math.max(0, end - 3), end));
  return `${negative ? '-' : ''}£${groups.join(',')}.${(abs % 100n).toString().padStart(2, '0')}`;
}
const decimalOf = (pence: bigint) =>
  `${pence < 0n ? '-' : ''}${(pence < 0n ? -pence : pence) / 100n}.${((pence < 0n ? -pence : pence) % 100n).toString().padStart(2, '0')}`;

describe('formatMoney', () => {
  it('groups thousands and keeps two decimals', () => {
    expect(formatMoney('1234567.8')).toBe('£1,234,567.80');
    expect(formatMoney('0')).toBe('£0.00');
    expect(formatMoney('-126.4')).toBe('-£126.40');
    expect(formatMoney('999.995')).toBe('£1,000.00');
    expect(formatMoney('-0.004')).toBe('£0.00');
    expect(formatMoney(null)).toBe('–');
    expect(formatMoney('12.34567', 4)).toBe('£12.3457');
  });

  it('is exact beyond the doubles: 20 significant digits', () => {
    expect(formatMoney('98765432109876543.21')).toBe('£98,765,432,109,876,543.21');
  });

  it('agrees with pence formatted by hand, for any amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (pence) => {
        expect(formatMoney(decimalOf(pence))).toBe(poundsOf(pence));
      }),
    );
  });
});

describe('sumDecimals and compareDecimals', () => {
  it('sums exactly where floats drift', () => {
    expect(sumDecimals(['0.10', '0.20'])).toBe('0.30');
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumDecimals(['1.5', '2.25', null, '', '-0.75'])).toBe('3.00');
    expect(sumDecimals([])).toBe('0');
  });

  it('equals the BigInt sum of pence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), { maxLength: 50 }),
        (pence) => {
          const total = pence.reduce((a, b) => a + b, 0n);
          expect(sumDecimals(pence.map(decimalOf))).toBe(pence.length ? decimalOf(total) : '0');
        },
      ),
    );
  });

  it('orders like the pence they hold', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }),
        fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }),
        (a, b) => {
          expect(compareDecimals(decimalOf(a), decimalOf(b))).toBe(a < b ? -1 : a > b ? 1 : 0);
        },
      ),
    );
    expect(compareDecimals('10.5', '10.50')).toBe(0);
    expect(compareDecimals('9.99999', '10')).toBe(-1);
  });
});

describe('applyScale (Arrow decimals)', () => {
  it("puts the point where the column's scale says", () => {
    expect(applyScale('-123456', 2)).toBe('-1234.56');
    expect(applyScale('5', 2)).toBe('0.05');
    expect(applyScale('-5', 4)).toBe('-0.0005');
    expect(applyScale('0', 2)).toBe('0.00');
    expect(applyScale('99999999999999999999', 2)).toBe('999999999999999999.99');
  });
});

describe('formatCount and formatPercent', () => {
  it('groups whole numbers, BigInts included', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(12345678901234567890n)).toBe('12,345,678,901,234,567,890');
    expect(formatCount('-1000')).toBe('-1,000');
    expect(formatCount(999)).toBe('999');
    expect(formatPercent(12.345)).toBe('12.3%');
  });
});

describe('toCsv', () => {
  const columns = [
    { key: 'name', label: 'Supplier' },
    { key: 'amount', label: 'Net spend', numeric: true },
  ];

  it('quotes commas, quotes and line breaks; lines end CRLF', () => {
    expect(toCsv(columns, [{ name: 'Smith, "Bros"\nLtd', amount: '10.00' }])).toBe(
      'Supplier,Net spend\r\n"Smith, ""Bros""\nLtd",10.00\r\n',
    );
  });

  it('defuses formulas in text cells, never in numeric ones', () => {
    const csv = toCsv(columns, [
      { name: '=HYPERLINK("x")', amount: '-126.40' },
      { name: '@SUM(A1)', amount: '5' },
      { name: '-minus', amount: null },
    ]);
    expect(csv.split('\r\n').slice(1, 4)).toEqual([
      '"\'=HYPERLINK(""x"")",-126.40',
      "'@SUM(A1),5",
      "'-minus,",
    ]);
  });
});

describe('filters in the URL', () => {
  const spec = { from: 'month', to: 'month', body: 'list', category: 'list', year: 'year' } as const;

  it('reads what fits each kind and drops the rest', () => {
    expect(readFilters('?from=2024-01&to=2024-13&body=a&body=b&body=a&year=24&category=', spec)).toEqual({
      from: '2024-01',
      body: ['a', 'b'],
      category: [],
    });
  });

  it('writes a state back to the same state', () => {
    const state = {
      from: '2023-04',
      to: '2024-03',
      body: ['north-shire-cc', 'eastvale-dc'],
      category: ['182015'],
      year: '2024',
    };
    const search = writeFilters(state, spec);
    expect(search).toBe(
      '?from=2023-04&to=2024-03&body=north-shire-cc&body=eastvale-dc&category=182015&year=2024',
    );
    expect(readFilters(search, spec)).toEqual(state);
    expect(writeFilters({ body: [] }, spec)).toBe('');
  });

  it("gives the API's parameter names", () => {
    expect(toApiQuery({ from: '2024-01', body: ['a', 'b'] }, { from: 'from', body: 'body' })).toBe(
      'from=2024-01&body=a&body=b',
    );
  });
});

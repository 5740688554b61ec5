import { describe, expect, it } from 'vitest';
import { parseDate } from './dates.ts';

const iso = (raw: string) => {
  const result = parseDate(raw);
  return result.ok ? result.iso : `error: ${result.reason}`;
};

describe('parseDate', () => {
  it.each([
    ['16/11/2023', '2023-11-16'],
    ['1/11/2023', '2023-11-01'],
    ['9/01/2024', '2024-01-09'],
    ['2023-11-01 00:00:00', '2023-11-01'],
    ['2023-11-01T10:15:00Z', '2023-11-01'],
    ['19-Nov-23', '2023-11-19'],
    ['07-NOV-2023', '2023-11-07'],
    ['13 October 2023', '2023-10-13'],
    ['14 Nov 2023', '2023-11-14'],
    ['9 Dec 2023', '2023-12-09'],
    ['14-Sept-2023', '2023-09-14'],
    ['November 3, 2023', '2023-11-03'],
    ['01.03.2017', '2017-03-01'],
    ['2017/03/01', '2017-03-01'],
    ['16/11/23', '2023-11-16'],
    ['1/1/99', '1999-01-01'],
  ])('%s → %s', (raw, expected) => {
    expect(iso(raw)).toBe(expected);
  });

  it('reads Excel serial day numbers (1900 date system)', () => {
    // Serial 1 is 1900-01-01 in Excel's count, which includes its fictitious 1900-02-29,
    // so every serial after February 1900 is days since 1899-12-30.
    expect(iso('45231')).toBe('2023-11-01');
    expect(iso('44839')).toBe('2022-10-05');
    expect(iso('45240.75')).toBe('2023-11-10');
  });

  it('refuses impossible dates and month-first dates rather than guessing', () => {
    expect(iso('31/02/2023')).toMatch(/not a real date/);
    expect(iso('11/16/2023')).toMatch(/not a day\/month\/year date/);
    expect(iso('13 Smarch 2023')).toMatch(/unknown month/);
    expect(iso('yesterday')).toMatch(/not a date/);
    expect(iso('')).toBe('error: empty');
    expect(iso('1800-01-01')).toMatch(/out of range/);
  });
});

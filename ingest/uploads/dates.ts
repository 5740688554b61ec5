/**
 * Dates as UK spend files write them, into YYYY-MM-DD: `16/11/2023`, `1/11/2023`,
 * `2023-11-01 00:00:00`, `19-Nov-23`, `07-NOV-2023`, `13 October 2023`, `14 Nov 2023` and
 * Excel serial day numbers (`45240`). Numeric dates are read day first (UK order): a value
 * that only makes sense month first is refused rather than guessed.
 */

export type DateResult = { ok: true; iso: string } | { ok: false; reason: string };

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const YEAR_FIRST = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/;
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/;
const DAY_MONTH_NAME = /^(\d{1,2})(?:st|nd|rd|th)?[\s/-]+([A-Za-z]{3,9})\.?[\s/,-]+(\d{4}|\d{2})$/;
const MONTH_NAME_DAY = /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/;
/** Excel serial day numbers from 1954 to 2119: a five-digit number in a date column. */
const EXCEL_SERIAL = /^(\d{5})(?:\.\d+)?$/;
const EXCEL_EPOCH_UTC = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

export function parseDate(raw: string): DateResult {
  const text = raw.replace(/\u00a0/g, ' ').trim();
  if (text === '') return { ok: false, reason: 'empty' };
  let match = ISO.exec(text) ?? YEAR_FIRST.exec(text);
  if (match) return ymd(Number(match[1]), Number(match[2]), Number(match[3]), raw);

  match = DAY_FIRST.exec(text);
  if (match) {
    const day = Number(match[1]);
    const month = Number(match[2]);
    if (month > 12 && day <= 12) {
      return { ok: false, reason: `not a day/month/year date (month ${month}?): ${JSON.stringify(text)}` };
    }
    return ymd(fullYear(match[3] ?? ''), month, day, raw);
  }

  match = DAY_MONTH_NAME.exec(text);
  if (match) return named(match[2] ?? '', Number(match[1]), match[3] ?? '', raw);
  match = MONTH_NAME_DAY.exec(text);
  if (match) return named(match[1] ?? '', Number(match[2]), match[3] ?? '', raw);

  match = EXCEL_SERIAL.exec(text);
  if (match) return fromExcelSerial(Number(match[1]));
  return { ok: false, reason: `not a date: ${JSON.stringify(text.slice(0, 60))}` };
}

/** An Excel serial day number (1900 date system) as YYYY-MM-DD. */
export function fromExcelSerial(serial: number): DateResult {
  const date = new Date(EXCEL_EPOCH_UTC + Math.floor(serial) * DAY_MS);
  return ymd(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), String(serial));
}

function named(monthName: string, day: number, year: string, raw: string): DateResult {
  const key = monthName.toLowerCase();
  const month = MONTHS[key] ?? MONTHS[key.slice(0, 3)];
  const known = MONTHS[key] !== undefined || FULL_MONTH_NAMES.includes(key);
  if (!month || !known) return { ok: false, reason: `unknown month ${JSON.stringify(monthName)} in ${raw}` };
  return ymd(fullYear(year), month, day, raw);
}

const FULL_MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Two-digit years: 00–69 are 2000–2069, 70–99 are 1970–1999. */
function fullYear(year: string): number {
  const value = Number(year);
  if (year.length === 4) return value;
  return value < 70 ? 2000 + value : 1900 + value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function ymd(year: number, month: number, day: number, raw: string): DateResult {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lastDay = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > lastDay) {
    return { ok: false, reason: `not a real date: ${JSON.stringify(raw.trim().slice(0, 60))}` };
  }
  if (year < 1900 || year > 2100) return { ok: false, reason: `year ${year} out of range in ${raw.trim()}` };
  return { ok: true, iso: `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}` };
}

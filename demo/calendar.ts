/** Dates as whole days since 1970-01-01 (UTC), so that date arithmetic is plain integer arithmetic. */

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type Day = number;

export function dayFromIso(iso: string): Day {
  const match = ISO_DATE.exec(iso);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${iso}`);
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(year, month - 1, day);
  if (new Date(ms).getUTCDate() !== day) throw new RangeError(`not a real calendar date: ${iso}`);
  return ms / MS_PER_DAY;
}

/** Formatting dates is hot (several per document), and there are only a few thousand days: cache them. */
const isoCache = new Map<Day, string>();

export function isoFromDay(day: Day): string {
  let iso = isoCache.get(day);
  if (iso === undefined) {
    iso = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    isoCache.set(day, iso);
  }
  return iso;
}

export interface Month {
  /** "2024-03" */
  label: string;
  /** 1–12 */
  month: number;
  year: number;
  firstDay: Day;
  lastDay: Day;
}

export function monthOf(day: Day): Month {
  const date = new Date(day * MS_PER_DAY);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const firstDay = Date.UTC(year, month - 1, 1) / MS_PER_DAY;
  const lastDay = Date.UTC(year, month, 0) / MS_PER_DAY;
  return { label: `${year}-${String(month).padStart(2, '0')}`, month, year, firstDay, lastDay };
}

/** The calendar months that overlap [from, to], in order. */
export function monthsBetween(from: Day, to: Day): Month[] {
  const months: Month[] = [];
  for (let month = monthOf(from); month.firstDay <= to; month = monthOf(month.lastDay + 1)) {
    months.push(month);
  }
  return months;
}

/** The first day of the month `count` months after the month holding `day`. */
export function addMonths(day: Day, count: number): Day {
  const date = new Date(day * MS_PER_DAY);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + count, 1) / MS_PER_DAY;
}

/** "Mar 2024", as found in invoice descriptions. */
export function monthName(month: Month): string {
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${names[month.month - 1]} ${month.year}`;
}

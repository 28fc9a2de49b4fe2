/**
 * Caps and fairness count leads per calendar day and ISO week in the team's time zone, so
 * "20 a day" means the rep's working day, not a UTC day that ends mid-afternoon in
 * California. The keys name rows in the store's `routing_counters`.
 */

export interface PeriodKeys {
  /** `day:2024-05-01` */
  day: string;
  /** `week:2024-W18` (ISO 8601: weeks start on Monday, week 1 holds the year's first Thursday). */
  week: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The calendar date at `now` in `timeZone`. */
export function localDate(now: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = formatter(timeZone).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/** ISO 8601 week-numbering year and week of a calendar date. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  // The Thursday of this week decides the year the week belongs to.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const weekYear = date.getUTCFullYear();
  const week = Math.floor((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 / 7) + 1;
  return { year: weekYear, week };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function periodKeys(now: Date, timeZone: string): PeriodKeys {
  const { year, month, day } = localDate(now, timeZone);
  const w = isoWeek(year, month, day);
  return { day: `day:${year}-${pad(month)}-${pad(day)}`, week: `week:${w.year}-W${pad(w.week)}` };
}

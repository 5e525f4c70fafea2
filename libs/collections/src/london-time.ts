import { DateTime } from 'luxon';

/** Calendar dates (due dates, "today") are reckoned in the creditor's zone: Europe/London unless told otherwise. */
export const DEFAULT_ZONE = 'Europe/London';

let todayCache = { minute: NaN, midnight: 0 };

/** Today's calendar date in London, as the UTC-midnight Date PostgreSQL `date` columns use. */
export function londonToday(now: Date = new Date()): Date {
  // Time-zone conversion is costly on the hot read path; the answer only changes at a minute boundary.
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== todayCache.minute) {
    const iso = DateTime.fromJSDate(now).setZone(DEFAULT_ZONE).toISODate() ?? now.toISOString().slice(0, 10);
    todayCache = { minute, midnight: Date.parse(`${iso}T00:00:00.000Z`) };
  }
  return new Date(todayCache.midnight);
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A `YYYY-MM-DD` as the UTC-midnight Date of a PostgreSQL `date` column. */
export function dateOnly(iso: string): Date {
  return new Date(`${iso}T00:00:00.000Z`);
}

export function daysOverdue(dueDate: Date, now: Date = new Date()): number {
  return Math.max(0, Math.round((londonToday(now).getTime() - dueDate.getTime()) / 86_400_000));
}

/** The UTC instant a Europe/London calendar day (`YYYY-MM-DD`) begins: a query's "from that day" bound. */
export function londonDayStart(iso: string): Date {
  return DateTime.fromISO(iso, { zone: DEFAULT_ZONE }).startOf('day').toJSDate();
}

/** Today's London calendar date as `YYYY-MM-DD`. */
export function londonIsoDate(now: Date = new Date()): string {
  return isoDate(londonToday(now));
}

import { DateTime } from 'luxon';
import type { IsoWeekday } from './contact.types';

/** A weekly window resolved for computation: minutes after local midnight, [startMinute, endMinute). */
export interface LocalWindow {
  days: readonly IsoWeekday[];
  startMinute: number;
  endMinute: number;
  excludeBankHolidays: boolean;
}

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function isValidZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

export function localDateTime(ms: number, zone: string): DateTime {
  return DateTime.fromMillis(ms, { zone });
}

/** Wall-clock minutes from local midnight; DST-proof because it sets the clock rather than adding time. */
function atLocalMinute(day: DateTime, minute: number): number {
  if (minute >= 24 * 60) return day.plus({ days: 1 }).startOf('day').toMillis();
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 }).toMillis();
}

/**
 * The earliest instant at or after `t` that falls inside one of the windows, looking at most
 * `horizonDays` local days ahead; null if there is none (for example a window on no usable day).
 */
export function earliestInWindows(
  t: number,
  zone: string,
  windows: readonly LocalWindow[],
  isHoliday: (isoDate: string) => boolean,
  horizonDays = 400,
): number | null {
  let day = localDateTime(t, zone).startOf('day');
  for (let i = 0; i <= horizonDays; i++) {
    let best: number | null = null;
    let holiday: boolean | undefined;
    for (const w of windows) {
      if (!w.days.includes(day.weekday as IsoWeekday)) continue;
      if (w.excludeBankHolidays && (holiday ??= isHoliday(day.toISODate() ?? ''))) continue;
      const open = atLocalMinute(day, w.startMinute);
      const close = atLocalMinute(day, w.endMinute);
      const from = Math.max(t, open);
      if (from < close && (best === null || from < best)) best = from;
    }
    if (best !== null) return best;
    day = day.plus({ days: 1 }).startOf('day');
  }
  return null;
}

/** Start of the local day after the one containing `t`. */
export function startOfNextLocalDay(t: number, zone: string): number {
  return localDateTime(t, zone).plus({ days: 1 }).startOf('day').toMillis();
}

/** Local midnight starting an ISO date in a zone. */
export function startOfLocalDate(isoDate: string, zone: string): number {
  return DateTime.fromISO(isoDate, { zone }).startOf('day').toMillis();
}

export function describeLocal(ms: number, zone: string): string {
  return localDateTime(ms, zone).toFormat("cccc d LLLL yyyy HH:mm '('ZZZZ')'");
}

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

const validZones = new Map<string, boolean>();

/** Whether luxon knows the zone; remembered, since every contact check asks (a few distinct zones, fixed answers). */
export function isValidZone(zone: string): boolean {
  let valid = validZones.get(zone);
  if (valid === undefined) {
    valid = DateTime.now().setZone(zone).isValid;
    if (validZones.size < 1_000) validZones.set(zone, valid);
  }
  return valid;
}

export function localDateTime(ms: number, zone: string): DateTime {
  return DateTime.fromMillis(ms, { zone });
}

const localMinutes = new Map<string, number>();

/**
 * Wall-clock minutes from local midnight; DST-proof because it sets the clock rather than adding time. A pure function
 * of the zone, the local day (its midnight instant) and the minute, and the costliest step of every contact-hours
 * check (luxon finds the zone's offset anew for each set): remembered.
 */
function atLocalMinute(day: DateTime, minute: number): number {
  const key = `${day.zoneName}|${day.toMillis()}|${minute}`;
  const known = localMinutes.get(key);
  if (known !== undefined) return known;
  const ms =
    minute >= 24 * 60
      ? day.plus({ days: 1 }).startOf('day').toMillis()
      : day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 }).toMillis();
  if (localMinutes.size >= 50_000) localMinutes.clear();
  localMinutes.set(key, ms);
  return ms;
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

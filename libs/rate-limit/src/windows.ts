import { DateTime } from 'luxon';
import type { Window } from './limits';

export const HOUR_MS = 3_600_000;

export interface CalendarPeriod {
  /** Stable label of the period in the local zone, part of the Redis key: 2026-11, 2026-11-21. */
  label: string;
  startMs: number;
  /** When the period ends and the counter resets (exclusive). */
  endMs: number;
}

/**
 * Calendar periods in a time zone (Europe/London by default): a month or a day starts at local
 * midnight, so a day around the clock change lasts 23 or 25 hours and the monthly counter
 * resets at 00:00 local on the 1st, which is 23:00 UTC the day before in summer.
 */
export class CalendarWindows {
  private cache = new Map<'monthly' | 'daily', CalendarPeriod>();

  constructor(readonly timezone = 'Europe/London') {
    if (!DateTime.now().setZone(timezone).isValid) throw new Error(`unknown time zone ${timezone}`);
  }

  period(window: 'monthly' | 'daily', nowMs: number): CalendarPeriod {
    const cached = this.cache.get(window);
    if (cached && nowMs >= cached.startMs && nowMs < cached.endMs) return cached;
    const local = DateTime.fromMillis(nowMs, { zone: this.timezone });
    const unit = window === 'monthly' ? 'month' : 'day';
    const start = local.startOf(unit);
    const end = start.plus(window === 'monthly' ? { months: 1 } : { days: 1 });
    const period = {
      label: start.toFormat(window === 'monthly' ? 'yyyy-MM' : 'yyyy-MM-dd'),
      startMs: start.toMillis(),
      endMs: end.toMillis(),
    };
    this.cache.set(window, period);
    return period;
  }
}

export interface WindowSlot {
  /** Hash field of this period: `d:2026-11-21`, `m:2026-11`, `h:493776`. */
  tag: string;
  /** For the sliding hour: the previous hour's field, read with a weight. */
  previousTag?: string;
  /** Calendar windows: when the period ends. Hourly: when this clock hour ends (the estimate rolls). */
  resetMs: number;
  /** How long the counter must be kept: to the end of the period. */
  keepUntilMs: number;
  /** When this slot began (the clock hour for hourly): the slot holds from here to resetMs. */
  startMs: number;
}

export function windowSlot(window: Window, calendar: CalendarWindows, nowMs: number): WindowSlot {
  if (window === 'hourly') {
    const hour = Math.floor(nowMs / HOUR_MS);
    return {
      tag: `h:${hour}`,
      previousTag: `h:${hour - 1}`,
      resetMs: (hour + 1) * HOUR_MS,
      keepUntilMs: (hour + 2) * HOUR_MS,
      startMs: hour * HOUR_MS,
    };
  }
  const period = calendar.period(window, nowMs);
  return {
    tag: `${window === 'monthly' ? 'm' : 'd'}:${period.label}`,
    resetMs: period.endMs,
    keepUntilMs: period.endMs,
    startMs: period.startMs,
  };
}

/** Weight of the previous clock hour in the sliding estimate: the share of it still within the last 60 minutes. */
export function previousHourWeight(nowMs: number): number {
  return 1 - (nowMs % HOUR_MS) / HOUR_MS;
}

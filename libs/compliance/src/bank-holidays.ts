import Holidays from 'date-holidays';
import type { UkNation } from './contact.types';

/** Answers "is this local date a bank holiday in this UK nation?". Injected so tests and operators can supply their own. */
export interface BankHolidayCalendar {
  isBankHoliday(nation: UkNation, isoDate: string): boolean;
}

// date-holidays regions: Wales shares England's bank holidays (Banking and Financial Dealings Act 1971 sch.1).
const REGION: Record<UkNation, string> = { england_wales: 'ENG', scotland: 'SCT', northern_ireland: 'NIR' };

/**
 * Bank holidays from the `date-holidays` package: offline data, no network at runtime. Only
 * `type === 'public'` entries count. The package lists a holiday falling on a weekend as well as
 * its weekday substitute; both are treated as days off (the conservative reading).
 * Holiday data: date-holidays (ISC licence; data attributed to its contributors).
 */
export class DateHolidaysCalendar implements BankHolidayCalendar {
  private readonly byYear = new Map<string, ReadonlySet<string>>();
  private readonly sources = new Map<UkNation, Holidays>();

  isBankHoliday(nation: UkNation, isoDate: string): boolean {
    return this.holidays(nation, Number(isoDate.slice(0, 4))).has(isoDate);
  }

  /** Every bank holiday of a nation in a year, as ISO dates. */
  holidays(nation: UkNation, year: number): ReadonlySet<string> {
    const key = `${nation}:${year}`;
    let set = this.byYear.get(key);
    if (!set) {
      let source = this.sources.get(nation);
      if (!source) {
        source = new Holidays('GB', REGION[nation]);
        this.sources.set(nation, source);
      }
      set = new Set(
        source
          .getHolidays(year)
          .filter((h) => h.type === 'public')
          .map((h) => h.date.slice(0, 10)),
      );
      this.byYear.set(key, set);
    }
    return set;
  }
}

/** The shape of https://www.gov.uk/bank-holidays.json, the import format for an operator's own list. */
export interface GovUkBankHolidayFeed {
  'england-and-wales'?: { events: Array<{ date: string; title?: string }> };
  scotland?: { events: Array<{ date: string; title?: string }> };
  'northern-ireland'?: { events: Array<{ date: string; title?: string }> };
}

const FEED_DIVISION: Record<UkNation, keyof GovUkBankHolidayFeed> = {
  england_wales: 'england-and-wales',
  scotland: 'scotland',
  northern_ireland: 'northern-ireland',
};

/**
 * An operator-supplied list (gov.uk feed format) that replaces the fallback calendar for every
 * year it covers in a nation (so a one-off holiday, such as a coronation, can be added), and
 * defers to the fallback for other years.
 */
export class GovUkFeedCalendar implements BankHolidayCalendar {
  private readonly dates = new Map<UkNation, Set<string>>();
  private readonly years = new Map<UkNation, Set<number>>();

  constructor(
    feed: GovUkBankHolidayFeed,
    private readonly fallback: BankHolidayCalendar = defaultBankHolidayCalendar,
  ) {
    for (const [nation, division] of Object.entries(FEED_DIVISION) as Array<[UkNation, keyof GovUkBankHolidayFeed]>) {
      const events = feed[division]?.events ?? [];
      for (const event of events) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(event.date)) throw new Error(`bank holiday feed: bad date "${event.date}" in ${division}`);
        set(this.dates, nation, event.date);
        set(this.years, nation, Number(event.date.slice(0, 4)));
      }
    }
  }

  isBankHoliday(nation: UkNation, isoDate: string): boolean {
    if (this.years.get(nation)?.has(Number(isoDate.slice(0, 4)))) return this.dates.get(nation)?.has(isoDate) ?? false;
    return this.fallback.isBankHoliday(nation, isoDate);
  }
}

function set<T>(map: Map<UkNation, Set<T>>, nation: UkNation, value: T): void {
  let s = map.get(nation);
  if (!s) map.set(nation, (s = new Set()));
  s.add(value);
}

/** One shared instance: its per-year cache makes repeated evaluation cheap. */
export const defaultBankHolidayCalendar: BankHolidayCalendar = new DateHolidaysCalendar();

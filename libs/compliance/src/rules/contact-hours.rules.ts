import { earliestInWindows, describeLocal, localDateTime, minutesOf, type LocalWindow } from '../local-time';
import { block, reason, type ContactRule, type Finding } from '../evaluation.types';
import { SOURCES } from '../rule-sources';
import { AUTOMATED_CALL_CHANNELS } from '../contact.types';

const DAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** [1,2,3,4,5,6] -> "Monday to Saturday"; [1,3] -> "Monday, Wednesday". */
function dayRanges(days: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < days.length;) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === (days[j] as number) + 1) j++;
    const first = DAY_NAMES[days[i] as number];
    parts.push(
      j - i >= 2
        ? `${first} to ${DAY_NAMES[days[j] as number]}`
        : days
            .slice(i, j + 1)
            .map((d) => DAY_NAMES[d])
            .join(', '),
    );
    i = j + 1;
  }
  return parts.join(', ');
}

function summary(w: LocalWindow): string {
  const days = w.days.length === 7 ? 'every day' : dayRanges([...w.days].sort());
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${days} ${hhmm(w.startMinute)}-${hhmm(w.endMinute)}${w.excludeBankHolidays ? ', not on bank holidays' : ''}`;
}

/**
 * Time of day, in the debtor's own zone. Calls always stay inside the profile's window, narrowed
 * further by the debtor's preferred times; for SMS and email the debtor's own request replaces it.
 */
export const contactHoursRule: ContactRule = (ctx) => {
  const cfg = ctx.rules.contactHours;
  if (!cfg.enabled) return [];
  if (!ctx.zoneValid)
    return [
      block(
        'INVALID_TIMEZONE',
        `The debtor's time zone "${ctx.zone}" is not a valid IANA zone, so their local time is unknown.`,
        SOURCES.timezone,
      ),
    ];
  const standard = cfg.windows[ctx.channel];
  const isCall = AUTOMATED_CALL_CHANNELS.includes(ctx.channel);
  const mayOverride = cfg.debtorMayOverride.includes(ctx.channel) && !isCall;
  if (mayOverride && ctx.debtorRequested) return [];
  const source = ctx.profile.id === 'us' ? SOURCES.contactHoursUs : SOURCES.contactHoursUk;
  const isHoliday = (iso: string) => ctx.calendar.isBankHoliday(ctx.nation, iso);
  const findings: Finding[] = [];
  const preferred: LocalWindow[] | null = ctx.debtor.preferredTimes?.windows.length
    ? ctx.debtor.preferredTimes.windows.map((w) => ({
        days: w.days,
        startMinute: minutesOf(w.start),
        endMinute: minutesOf(w.end),
        excludeBankHolidays: false,
      }))
    : null;

  if (standard && !(mayOverride && preferred)) {
    const window: LocalWindow = {
      days: standard.days,
      startMinute: minutesOf(standard.start),
      endMinute: minutesOf(standard.end),
      excludeBankHolidays: standard.excludeBankHolidays,
    };
    findings.push({
      kind: 'temporal',
      earliest: (t) => earliestInWindows(t, ctx.zone, [window], isHoliday),
      describe: (t) => {
        const holiday = window.excludeBankHolidays && isHoliday(localIso(t, ctx.zone));
        return reason(
          'OUTSIDE_CONTACT_HOURS',
          `${label(ctx.channel)} may go out ${summary(window)} in the debtor's time; it is ${describeLocal(t, ctx.zone)}${holiday ? ', a bank holiday' : ''}.`,
          source,
        );
      },
    });
  }
  if (preferred && (standard || mayOverride)) {
    findings.push({
      kind: 'temporal',
      earliest: (t) => earliestInWindows(t, ctx.zone, preferred, isHoliday),
      describe: (t) =>
        reason(
          'OUTSIDE_PREFERRED_TIMES',
          `The debtor asked to be contacted only ${preferred.map(summary).join('; ')}; it is ${describeLocal(t, ctx.zone)}.`,
          SOURCES.preferredTimes,
        ),
    });
  }
  return findings;
};

function localIso(t: number, zone: string): string {
  return localDateTime(t, zone).toISODate() ?? '';
}

export function label(channel: string): string {
  return (
    ({ email: 'Email', sms: 'SMS', ai_call: 'AI calls', ivr_call: 'IVR calls', letter: 'Letters' } as Record<string, string>)[channel] ??
    channel
  );
}

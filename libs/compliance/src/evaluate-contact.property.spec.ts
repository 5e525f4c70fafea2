import fc from 'fast-check';
import { DateTime } from 'luxon';
import { evaluateContact } from './evaluate-contact';
import type { BankHolidayCalendar } from './bank-holidays';
import { CONTACT_PURPOSE_NAMES, purposeInfo } from './contact-purpose';
import {
  CHANNELS,
  CONTACT_STATUSES,
  UK_NATIONS,
  type Channel,
  type ContactHistoryEntry,
  type DebtorFacts,
  type IsoWeekday,
} from './contact.types';
import type { ContactRequest } from './evaluation.types';

/**
 * Property tests over random instants, zones, holidays, histories and debtor states. The oracle for
 * "inside the window" is written here with luxon directly, not with the engine's own window code.
 */
const RUNS = Number(process.env.COMPLIANCE_PROPERTY_RUNS ?? 1000);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ZONES = [
  'Europe/London',
  'Europe/Paris',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'UTC',
];
const CALLS: Channel[] = ['ai_call', 'ivr_call'];
const PHONES = { uk: '+447400123456', us: '+12025550123' };

const DAY_OF_TEST_RANGE = fc.integer({ min: 0, max: 4 * 365 });
/** Seconds after local midnight, often right at the edges of the windows where off-by-one bugs live. */
const SECOND_OF_DAY = fc.oneof(
  fc.integer({ min: 0, max: 86_399 }),
  fc
    .constantFrom(7, 8, 9, 20, 21, 22, 23)
    .chain((h) => fc.integer({ min: h * 3600 - 90, max: h * 3600 + 90 }))
    .map((s) => Math.min(86_399, Math.max(0, s))),
);

interface Scenario {
  request: ContactRequest;
  holidays: Set<string>;
}

const HISTORY_ENTRY = fc.record({
  channel: fc.constantFrom(...CHANNELS),
  ago: fc.integer({ min: 0, max: 12 * DAY }),
  status: fc.constantFrom(...CONTACT_STATUSES),
  otherDebt: fc.boolean(),
  answeredBy: fc.option(fc.constantFrom('human', 'machine_start', 'machine_end_beep', 'fax', 'unknown')),
});

/** Mostly null: each protection is exercised, and enough contacts remain allowed to test the others. */
function rarely<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: arb, weight: 1 });
}

function scenario(channels: readonly Channel[], profile: 'uk' | 'us' = 'uk'): fc.Arbitrary<Scenario> {
  const purposes = CONTACT_PURPOSE_NAMES.filter((p) => channels.some((c) => purposeInfo(p).channels.includes(c)));
  const window = fc
    .record({
      days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }).map((d) => d as IsoWeekday[]),
      startHour: fc.integer({ min: 0, max: 22 }),
      length: fc.integer({ min: 1, max: 12 }),
    })
    .map(({ days, startHour, length }) => ({
      days,
      start: `${String(startHour).padStart(2, '0')}:00`,
      end: startHour + length >= 24 ? '24:00' : `${String(startHour + length).padStart(2, '0')}:00`,
    }));
  return fc
    .record({
      day: DAY_OF_TEST_RANGE,
      second: SECOND_OF_DAY,
      zone: fc.constantFrom(...ZONES),
      nation: fc.constantFrom(...UK_NATIONS),
      channel: fc.constantFrom(...channels),
      purpose: fc.constantFrom(...purposes),
      holidayOffsets: fc.uniqueArray(fc.integer({ min: -2, max: 60 }), { maxLength: 12 }),
      history: fc.oneof(fc.array(HISTORY_ENTRY, { maxLength: 0 }), fc.array(HISTORY_ENTRY, { maxLength: 5 })),
      dispute: rarely(
        fc.record({ openedAgo: fc.integer({ min: 0, max: 30 * DAY }), resolvedAgo: fc.option(fc.integer({ min: 0, max: 30 * DAY })) }),
      ),
      breathing: rarely(
        fc.record({
          startOffset: fc.integer({ min: -60 * DAY, max: 10 * DAY }),
          length: fc.option(fc.integer({ min: DAY, max: 60 * DAY })),
        }),
      ),
      stopped: rarely(fc.subarray([...CHANNELS], { minLength: 1 })),
      preferredChannel: rarely(fc.constantFrom(...CHANNELS)),
      preferredTimes: rarely(fc.array(window, { minLength: 1, maxLength: 2 })),
      vulnerable: fc.boolean(),
      capacity: fc.boolean(),
      debtorRequested: fc.boolean(),
      recipient: fc.oneof(
        { arbitrary: fc.constant('debtor' as const), weight: 6 },
        { arbitrary: fc.constantFrom('debt_adviser' as const, 'attorney' as const), weight: 1 },
      ),
      initiatedBy: fc.constantFrom('automation' as const, 'human' as const),
      amountPence: fc.integer({ min: 1, max: 1_000_000 }),
      dueDaysAgo: fc.integer({ min: -10, max: 60 }),
      maxContacts: fc.integer({ min: 2, max: 10 }),
    })
    .map(({ day, second, ...rest }) => {
      // A local wall-clock time in the debtor's zone (luxon moves a time skipped by DST forward).
      const local = DateTime.fromObject({ year: 2025, month: 1, day: 1 }, { zone: rest.zone }).plus({ days: day }).startOf('day');
      const now = local.set({ hour: Math.floor(second / 3600), minute: Math.floor((second % 3600) / 60), second: second % 60 }).toMillis();
      return { ...rest, now };
    })
    .map((s) => {
      const holidays = new Set(s.holidayOffsets.map((o) => DateTime.fromMillis(s.now + o * DAY, { zone: s.zone }).toISODate() ?? ''));
      const debtor: DebtorFacts = {
        kind: 'consumer',
        nation: s.nation,
        timezone: s.zone,
        phone: PHONES[profile],
        email: 'debtor@example.test',
        disputeOpenedAt: s.dispute ? new Date(s.now - s.dispute.openedAgo) : null,
        disputeResolvedAt: s.dispute?.resolvedAgo != null ? new Date(s.now - s.dispute.resolvedAgo) : null,
        breathingSpaceStart: s.breathing ? new Date(s.now + s.breathing.startOffset) : null,
        breathingSpaceEnd: s.breathing?.length != null ? new Date(s.now + s.breathing.startOffset + s.breathing.length) : null,
        stoppedChannels: s.stopped ?? [],
        preferredChannel: s.preferredChannel,
        preferredTimes: s.preferredTimes ? { windows: s.preferredTimes } : null,
        // Rare, so that the other rules are exercised too.
        vulnerable: s.vulnerable && s.capacity && s.debtorRequested,
        mentalCapacityConcern: s.capacity && !s.vulnerable && s.debtorRequested && s.initiatedBy === 'human',
        artificialVoiceConsentAt: new Date(Date.UTC(2024, 0, 1)),
      };
      const history: ContactHistoryEntry[] = s.history.map((h) => ({
        channel: h.channel,
        at: new Date(s.now - h.ago),
        status: h.status,
        invoiceId: h.otherDebt ? 'inv-2' : 'inv-1',
        answeredBy: h.answeredBy,
      }));
      const request: ContactRequest = {
        channel: s.channel,
        purpose: s.purpose,
        debtor,
        debt: { id: 'inv-1', amountPence: s.amountPence, dueDate: new Date(s.now - s.dueDaysAgo * DAY).toISOString().slice(0, 10) },
        now: new Date(s.now),
        history,
        profile,
        config: { frequency: { maxContacts: s.maxContacts } },
        recipient: s.recipient,
        debtorRequested: s.debtorRequested,
        initiatedBy: s.initiatedBy,
        calendar: fixedCalendar(holidays),
      };
      return { request, holidays };
    });
}

function fixedCalendar(holidays: Set<string>): BankHolidayCalendar {
  return { isBankHoliday: (_nation, iso) => holidays.has(iso) };
}

function insideUkCallingWindow(at: Date, zone: string, holidays: Set<string>): boolean {
  const local = DateTime.fromJSDate(at, { zone });
  const minutes = local.hour * 60 + local.minute;
  return local.weekday !== 7 && !holidays.has(local.toISODate() ?? '') && minutes >= 8 * 60 && minutes < 21 * 60;
}

function disputeOpen(d: DebtorFacts, at: Date): boolean {
  const opened = d.disputeOpenedAt?.getTime();
  const resolved = d.disputeResolvedAt?.getTime();
  return opened !== undefined && opened <= at.getTime() && !(resolved !== undefined && resolved >= opened && resolved <= at.getTime());
}

function inBreathingSpace(d: DebtorFacts, at: Date): boolean {
  const start = d.breathingSpaceStart?.getTime();
  const end = d.breathingSpaceEnd?.getTime();
  return start !== undefined && start <= at.getTime() && (end === undefined || at.getTime() < end);
}

const params = { numRuns: RUNS };

describe('contact rules: properties', () => {
  it('never allows a UK automated call outside Mon-Sat 08:00-21:00 local, on a holiday, in a dispute or a Breathing Space, or after a stop', () => {
    let allowedSeen = 0;
    fc.assert(
      fc.property(scenario(CALLS), ({ request, holidays }) => {
        const d = evaluateContact(request);
        if (!d.allowed) return;
        allowedSeen++;
        const zone = request.debtor.timezone as string;
        expect(insideUkCallingWindow(request.now, zone, holidays)).toBe(true);
        expect(disputeOpen(request.debtor, request.now)).toBe(false);
        expect(inBreathingSpace(request.debtor, request.now)).toBe(false);
        expect(request.debtor.stoppedChannels).not.toContain(request.channel);
        expect(request.debtor.vulnerable).toBeFalsy();
      }),
      params,
    );
    // Guard against a vacuous property: enough generated calls must have been allowed to check.
    expect(allowedSeen).toBeGreaterThanOrEqual(RUNS / 100);
  });

  it("never allows a US call outside 08:00-21:00 at the consumer's location (Reg F 1006.6(b))", () => {
    let allowedSeen = 0;
    fc.assert(
      fc.property(scenario(CALLS, 'us'), ({ request }) => {
        const d = evaluateContact(request);
        if (!d.allowed) return;
        allowedSeen++;
        const local = DateTime.fromJSDate(request.now, { zone: request.debtor.timezone as string });
        expect(local.hour >= 8 && local.hour < 21).toBe(true);
        expect(disputeOpen(request.debtor, request.now)).toBe(false);
        expect(request.debtor.stoppedChannels).not.toContain(request.channel);
      }),
      params,
    );
    expect(allowedSeen).toBeGreaterThanOrEqual(RUNS / 100);
  });

  it('never sends a payment demand on any channel during a dispute or a moratorium, nor on a stopped channel', () => {
    fc.assert(
      fc.property(scenario(CHANNELS), ({ request }) => {
        const d = evaluateContact(request);
        if (!d.allowed || request.recipient !== 'debtor') return;
        const demand = !['receipt', 'dispute_acknowledgement', 'breathing_space_acknowledgement', 'statutory_notice'].includes(
          request.purpose,
        );
        if (demand) expect(disputeOpen(request.debtor, request.now)).toBe(false);
        if (demand && !request.debtorRequested) expect(inBreathingSpace(request.debtor, request.now)).toBe(false);
        if (request.purpose !== 'statutory_notice') expect(request.debtor.stoppedChannels).not.toContain(request.channel);
      }),
      params,
    );
  });

  it('gives a nextAllowedAt that is allowed, not before now, and equal to now exactly when allowed', () => {
    fc.assert(
      fc.property(scenario(CHANNELS), ({ request }) => {
        const d = evaluateContact(request);
        if (d.allowed) expect(d.nextAllowedAt).toEqual(request.now);
        if (d.nextAllowedAt === null) return;
        expect(d.nextAllowedAt.getTime()).toBeGreaterThanOrEqual(request.now.getTime());
        const later = evaluateContact({ ...request, now: d.nextAllowedAt });
        expect(later.reasons.filter((r) => r.severity === 'deny')).toEqual([]);
        expect(later.allowed).toBe(true);
      }),
      params,
    );
  });

  it('gives the earliest such instant: nothing between now and nextAllowedAt is allowed', () => {
    fc.assert(
      fc.property(scenario(CHANNELS), fc.double({ min: 0, max: 1, noNaN: true }), ({ request }, fraction) => {
        const d = evaluateContact(request);
        if (d.allowed || d.nextAllowedAt === null) return;
        const span = d.nextAllowedAt.getTime() - request.now.getTime();
        const probe = new Date(request.now.getTime() + Math.floor(span * fraction));
        if (probe.getTime() >= d.nextAllowedAt.getTime()) return;
        expect(evaluateContact({ ...request, now: probe }).allowed).toBe(false);
        expect(evaluateContact({ ...request, now: new Date(d.nextAllowedAt.getTime() - 1) }).allowed).toBe(false);
      }),
      params,
    );
  });

  it('is deterministic: the same request always gives the same decision', () => {
    fc.assert(
      fc.property(scenario(CHANNELS), ({ request }) => {
        expect(evaluateContact(request)).toEqual(evaluateContact(request));
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});

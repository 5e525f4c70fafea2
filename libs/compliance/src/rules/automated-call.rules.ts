import { block, notBefore, reason, type ContactRule, type EvaluationContext, type Finding, type HistoryItem } from '../evaluation.types';
import { describeLocal, startOfLocalDate, startOfNextLocalDay } from '../local-time';
import { SOURCES } from '../rule-sources';
import { dueDateIso, outstandingPence } from '../debt-facts';
import { checkPhoneNumber } from '../phone-number';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Twilio AnsweredBy values that mean a machine (unknown is treated as possibly human). */
const MACHINE = /^(machine_|fax$)/;
/** Attempts that never left the platform do not count as calls. */
const NOT_PLACED = new Set(['failed', 'blocked', 'cancelled']);

function isCallChannel(ctx: EvaluationContext, channels: readonly string[]): boolean {
  return channels.includes(ctx.channel);
}

/** AI and IVR calls: thresholds, spacing, a valid number, and only ever to the debtor. */
export const automatedCallRule: ContactRule = (ctx) => {
  const cfg = ctx.rules.automatedCalls;
  if (!cfg.enabled || !isCallChannel(ctx, cfg.channels)) return [];
  const findings: Finding[] = [];
  if (ctx.recipient !== 'debtor') {
    findings.push(
      block(
        'AUTOMATED_CALL_DEBTOR_ONLY',
        'Automated calls go only to the debtor; contact an adviser or attorney in writing or through a person.',
        SOURCES.automatedCallRecipient,
      ),
    );
  }
  const phone = checkPhoneNumber(ctx.debtor.phone ?? '', { callingCode: cfg.callingCode });
  if (!phone.valid) {
    findings.push(block('INVALID_PHONE_NUMBER', `The debtor's phone number is ${phone.reason}.`, SOURCES.callerLineId));
  }
  if (ctx.debt) {
    const balance = outstandingPence(ctx.debt);
    if (balance < cfg.minBalancePence) {
      findings.push(
        block(
          'BALANCE_BELOW_CALL_MINIMUM',
          `The outstanding balance (${balance} minor units) is below the ${cfg.minBalancePence} needed for an automated call.`,
          SOURCES.automatedCallPolicy,
        ),
      );
    }
    const due = dueDateIso(ctx.debt);
    if (due && ctx.zoneValid) {
      // Days overdue are counted in the debtor's local calendar: day 7 starts at local midnight.
      const from = startOfLocalDate(addDays(due, cfg.minDaysOverdue), ctx.zone);
      findings.push(
        notBefore(from, (t) =>
          reason(
            'NOT_OVERDUE_LONG_ENOUGH',
            `Automated calls start ${cfg.minDaysOverdue} days after the due date (${due}), from ${describeLocal(from, ctx.zone)}; it is ${describeLocal(t, ctx.zone)}.`,
            SOURCES.automatedCallPolicy,
          ),
        ),
      );
    }
  } else {
    findings.push(
      block('BALANCE_BELOW_CALL_MINIMUM', 'An automated call must be about a specific overdue invoice.', SOURCES.automatedCallPolicy),
    );
  }
  const calls = ctx.history.filter((h) => cfg.channels.includes(h.channel) && !NOT_PLACED.has(h.status));
  const last = latest(calls);
  if (last && cfg.minHoursBetweenCalls > 0) {
    const from = last.at + cfg.minHoursBetweenCalls * HOUR;
    findings.push(
      notBefore(from, () =>
        reason(
          'AUTOMATED_CALL_TOO_SOON',
          `The last automated call was at ${describeLocal(last.at, ctx.zone)}; the next may start ${cfg.minHoursBetweenCalls} hours later, from ${describeLocal(from, ctx.zone)}.`,
          SOURCES.automatedCallPolicy,
        ),
      ),
    );
  }
  return findings;
};

/** Ofcom persistent misuse: 72 h after an abandoned call; no more that day after an answering machine. */
export const ofcomAbandonedCallRule: ContactRule = (ctx) => {
  const cfg = ctx.rules.ofcomAbandonedCalls;
  if (!cfg.enabled || !isCallChannel(ctx, cfg.channels)) return [];
  const calls = ctx.history.filter((h) => cfg.channels.includes(h.channel));
  const findings: Finding[] = [];
  const abandoned = latest(calls.filter((h) => h.status === 'abandoned'));
  if (abandoned) {
    const from = abandoned.at + cfg.abandonedQuietHours * HOUR;
    findings.push(
      notBefore(from, () =>
        reason(
          'ABANDONED_CALL_QUIET_PERIOD',
          `A call was abandoned at ${describeLocal(abandoned.at, ctx.zone)}; no automated call for ${cfg.abandonedQuietHours} hours after it (until ${describeLocal(from, ctx.zone)}).`,
          SOURCES.abandonedCall,
        ),
      ),
    );
  }
  const machine = cfg.noRepeatSameDayAfterMachine && ctx.zoneValid ? latest(calls.filter(isMachine)) : undefined;
  if (machine) {
    const from = startOfNextLocalDay(machine.at, ctx.zone);
    findings.push(
      notBefore(from, () =>
        reason(
          'ANSWERING_MACHINE_TODAY',
          `An answering machine picked up at ${describeLocal(machine.at, ctx.zone)}; no further automated call until the next day.`,
          SOURCES.answeringMachine,
        ),
      ),
    );
  }
  return findings;
};

/** TCPA: an artificial (AI or prerecorded) voice needs the consumer's prior express consent. */
export const artificialVoiceConsentRule: ContactRule = (ctx) => {
  const cfg = ctx.rules.artificialVoiceConsent;
  if (!cfg.enabled || !isCallChannel(ctx, cfg.channels)) return [];
  const consent = ctx.debtor.artificialVoiceConsentAt;
  if (consent && consent.getTime() <= ctx.now) return [];
  return [
    block(
      'ARTIFICIAL_VOICE_CONSENT_MISSING',
      'No prior express consent to calls in an artificial voice is recorded for this debtor.',
      SOURCES.artificialVoice,
    ),
  ];
};

export function isMachine(h: HistoryItem): boolean {
  return h.status === 'machine' || (h.answeredBy !== null && MACHINE.test(h.answeredBy));
}

function latest(items: readonly HistoryItem[]): HistoryItem | undefined {
  let best: HistoryItem | undefined;
  for (const h of items) if (!best || h.at > best.at) best = h;
  return best;
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  return new Date(d.getTime() + days * DAY).toISOString().slice(0, 10);
}

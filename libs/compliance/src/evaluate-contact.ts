import { defaultBankHolidayCalendar } from './bank-holidays';
import { purposeInfo } from './contact-purpose';
import type { ContactReason } from './contact.types';
import type { ContactDecision, ContactRequest, ContactRule, EvaluationContext, Finding, TemporalFinding } from './evaluation.types';
import { isValidZone } from './local-time';
import { resolveProfile } from './profiles';
import { artificialVoiceConsentRule, automatedCallRule, ofcomAbandonedCallRule } from './rules/automated-call.rules';
import { channelRequestRule, contactDetailsRule, purposeChannelRule } from './rules/channel-request.rules';
import { contactHoursRule } from './rules/contact-hours.rules';
import { breathingSpaceRule, disputeRule, mentalCapacityRule, outstandingRule, vulnerabilityRule } from './rules/debtor-protection.rules';
import { frequencyRule, recentConversationRule } from './rules/frequency.rules';

/** Ordered by what a case handler most needs to see first: protections, then requests, then timing. */
export const CONTACT_RULES: readonly ContactRule[] = [
  mentalCapacityRule,
  vulnerabilityRule,
  disputeRule,
  outstandingRule,
  breathingSpaceRule,
  channelRequestRule,
  purposeChannelRule,
  contactDetailsRule,
  artificialVoiceConsentRule,
  automatedCallRule,
  ofcomAbandonedCallRule,
  frequencyRule,
  recentConversationRule,
  contactHoursRule,
];

/** How far ahead nextAllowedAt is searched; beyond it the contact counts as never allowed. */
const HORIZON_MS = 2 * 366 * 86_400_000;
const MAX_ROUNDS = 10_000;

/**
 * The pure core: may this contact go out now, why not, and when at the earliest? No I/O, no clock:
 * the same request always gives the same decision, which is what makes the audit trail checkable.
 */
export function evaluateContact(request: ContactRequest): ContactDecision {
  const ctx = buildContext(request);
  const findings: Finding[] = CONTACT_RULES.flatMap((rule) => rule(ctx));
  const reasons: ContactReason[] = [];
  const temporal: TemporalFinding[] = [];
  let blocked = false;
  for (const f of findings) {
    if (f.kind === 'block') {
      blocked = true;
      reasons.push(f.reason);
    } else if (f.kind === 'note') {
      reasons.push(f.reason);
    } else {
      temporal.push(f);
      if (f.earliest(ctx.now) !== ctx.now) reasons.push(f.describe(ctx.now));
    }
  }
  const allowed = !reasons.some((r) => r.severity === 'deny');
  const next = allowed ? ctx.now : blocked ? null : earliestCommon(temporal, ctx.now);
  // Deny reasons first, in rule order, then the exceptions that applied.
  reasons.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'deny' ? -1 : 1));
  return {
    allowed,
    reasons,
    nextAllowedAt: next === null ? null : new Date(next),
    profile: ctx.profile.id,
    ruleSetVersion: ctx.profile.version,
    evaluatedAt: new Date(ctx.now),
  };
}

/**
 * The least instant >= now that every time-based rule allows. Each rule maps t to its own earliest
 * allowed instant >= t; iterating never passes a common allowed instant (each step is at most that
 * instant), so the first fixed point is the least one.
 */
export function earliestCommon(rules: readonly TemporalFinding[], now: number): number | null {
  let t = now;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let moved = false;
    for (const rule of rules) {
      const next = rule.earliest(t);
      if (next === null) return null;
      if (next !== t) {
        t = next;
        moved = true;
      }
    }
    if (!moved) return t;
    if (t - now > HORIZON_MS) return null;
  }
  return null;
}

function buildContext(request: ContactRequest): EvaluationContext {
  const now = request.now.getTime();
  if (Number.isNaN(now)) throw new Error('evaluateContact: `now` is not a valid date');
  const profile = resolveProfile(request.profile, request.config);
  const zone = request.debtor.timezone || profile.rules.defaultTimezone;
  return {
    request,
    now,
    rules: profile.rules,
    profile,
    channel: request.channel,
    purposeName: request.purpose,
    purpose: purposeInfo(request.purpose),
    debtor: request.debtor,
    debt: request.debt ?? null,
    zone,
    zoneValid: isValidZone(zone),
    nation: request.debtor.nation ?? 'england_wales',
    recipient: request.recipient ?? 'debtor',
    initiatedBy: request.initiatedBy ?? 'automation',
    debtorRequested: request.debtorRequested ?? false,
    calendar: request.calendar ?? defaultBankHolidayCalendar,
    history: request.history.map((h) => ({
      channel: h.channel,
      at: h.at.getTime(),
      status: h.status,
      invoiceId: h.invoiceId ?? null,
      answeredBy: h.answeredBy ?? null,
    })),
  };
}

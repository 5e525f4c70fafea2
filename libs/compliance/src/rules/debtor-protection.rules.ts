import { block, note, notBefore, reason, type ContactRule } from '../evaluation.types';
import { isClosed } from '../debt-facts';
import { describeLocal } from '../local-time';
import { SOURCES } from '../rule-sources';
import { AUTOMATED_CALL_CHANNELS } from '../contact.types';

/** CONC 7.14: a disputed debt is not pursued until the outcome is recorded. */
export const disputeRule: ContactRule = (ctx) => {
  if (!ctx.rules.dispute.enabled || !ctx.purpose.demandsPayment) return [];
  const { disputeOpenedAt: opened, disputeResolvedAt: resolved } = ctx.debtor;
  const debtorDispute =
    !!opened && opened.getTime() <= ctx.now && !(resolved && resolved.getTime() >= opened.getTime() && resolved.getTime() <= ctx.now);
  const invoiceDispute = ctx.debt?.status === 'disputed';
  if (!debtorDispute && !invoiceDispute) return [];
  return [
    block('DEBT_DISPUTED', 'The debt is disputed; no contact asking for payment until the dispute outcome is recorded.', SOURCES.dispute),
  ];
};

/** Never ask for money that is not owed: a paid, cancelled or written-off invoice. */
export const outstandingRule: ContactRule = (ctx) => {
  if (!ctx.purpose.demandsPayment || !ctx.debt || !isClosed(ctx.debt)) return [];
  return [
    block(
      'DEBT_NOT_OUTSTANDING',
      `Nothing is owed on this invoice (status ${ctx.debt.status ?? 'unknown'}); no payment may be asked for.`,
      SOURCES.notOutstanding,
    ),
  ];
};

/**
 * Breathing Space (SI 2020/1311): while a moratorium is active no contact may ask for payment
 * (reg 7); contact with the debt adviser and contact the debtor asked for remain allowed (reg 11(2)).
 */
export const breathingSpaceRule: ContactRule = (ctx) => {
  const cfg = ctx.rules.breathingSpace;
  const start = ctx.debtor.breathingSpaceStart?.getTime();
  const end = ctx.debtor.breathingSpaceEnd?.getTime() ?? null;
  if (!cfg.enabled || start === undefined || !ctx.purpose.demandsPayment) return [];
  if (end !== null && end <= ctx.now) return [];
  if (ctx.recipient === 'debt_adviser')
    return [
      note(
        'DEBT_ADVISER_CONTACT',
        'A Breathing Space moratorium is active; contact with the debt adviser remains allowed.',
        SOURCES.breathingSpace,
      ),
    ];
  if (ctx.debtorRequested && cfg.debtorRequestChannels.includes(ctx.channel)) {
    return [
      note(
        'DEBTOR_REQUESTED_EXEMPT',
        'A Breathing Space moratorium is active; this contact is allowed because the debtor asked for it.',
        SOURCES.breathingSpace,
      ),
    ];
  }
  const message =
    end === null
      ? 'A Breathing Space moratorium is active with no end date recorded; no contact asking for payment.'
      : `A Breathing Space moratorium is active until ${describeLocal(end, ctx.zone)}; no contact asking for payment before then.`;
  const describe = () => reason('BREATHING_SPACE_ACTIVE', message, SOURCES.breathingSpace);
  // A moratorium recorded as starting later does not bar contact before it starts.
  if (start > ctx.now) return [{ kind: 'temporal', earliest: (t) => (t < start || (end !== null && t >= end) ? t : end), describe }];
  if (end === null) return [block('BREATHING_SPACE_ACTIVE', message, SOURCES.breathingSpace)];
  return [notBefore(end, describe)];
};

/** Vulnerability (CONC 7.2.1R, FG21/1): automation steps back and a person handles the account. */
export const vulnerabilityRule: ContactRule = (ctx) => {
  if (!ctx.rules.vulnerability.enabled || !ctx.debtor.vulnerable || ctx.recipient !== 'debtor') return [];
  // An AI or IVR call is automated whoever asked for it; a person may still write or send a letter.
  if (ctx.initiatedBy === 'human' && !AUTOMATED_CALL_CHANNELS.includes(ctx.channel))
    return [
      note('HUMAN_HANDLING_VULNERABLE', 'The debtor is flagged vulnerable; this contact is made by a person.', SOURCES.vulnerability),
    ];
  return [
    block(
      'VULNERABLE_ROUTE_TO_HUMAN',
      'The debtor is flagged vulnerable: no automated contact; route the account to a person.',
      SOURCES.vulnerability,
    ),
  ];
};

/** CONC 7.10: suspend collection while capacity is in question; an attorney (LPA) may be contacted. */
export const mentalCapacityRule: ContactRule = (ctx) => {
  if (!ctx.rules.mentalCapacity.enabled || !ctx.debtor.mentalCapacityConcern || ctx.recipient === 'attorney') return [];
  return [
    block(
      'MENTAL_CAPACITY_SUSPENDED',
      "The debtor's mental capacity is in question: collection is suspended; contact only their attorney or route to a person.",
      SOURCES.mentalCapacity,
    ),
  ];
};

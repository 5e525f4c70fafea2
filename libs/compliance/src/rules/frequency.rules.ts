import { AUTOMATED_CALL_CHANNELS } from '../contact.types';
import { note, notBefore, reason, type ContactRule, type EvaluationContext, type HistoryItem } from '../evaluation.types';
import { describeLocal } from '../local-time';
import { SOURCES } from '../rule-sources';
import { isMachine } from './automated-call.rules';

const DAY = 86_400_000;

/** Contacts of the same scope: all the debtor's, or only this debt's (Reg F counts per debt). */
function inScope(ctx: EvaluationContext, scope: 'debtor' | 'debt'): readonly HistoryItem[] {
  if (scope === 'debtor' || !ctx.debt?.id) return ctx.history;
  return ctx.history.filter((h) => h.invoiceId === ctx.debt?.id);
}

/**
 * At most N contacts in any rolling period. A past contact at `a` counts at instant t while
 * a > t - period, so with m such contacts sorted oldest first, the cap frees up at a[m-N] + period.
 */
export const frequencyRule: ContactRule = (ctx) => {
  const cfg = ctx.rules.frequency;
  if (!cfg.enabled || !cfg.appliesToChannels.includes(ctx.channel) || ctx.recipient !== 'debtor') return [];
  // Receipts, acknowledgements and statutory notices are not collection pressure.
  if (!ctx.purpose.demandsPayment) return [];
  const period = cfg.periodDays * DAY;
  const counted = inScope(ctx, cfg.scope)
    .filter((h) => cfg.countedChannels.includes(h.channel) && cfg.countedStatuses.includes(h.status) && h.at > ctx.now - period)
    .map((h) => h.at)
    .sort((a, b) => a - b);
  if (counted.length < cfg.maxContacts) return [];
  const from = (counted[counted.length - cfg.maxContacts] as number) + period;
  const source = ctx.profile.id === 'us' ? SOURCES.frequencyUs : SOURCES.frequencyUk;
  return [
    notBefore(from, () =>
      reason(
        'FREQUENCY_CAP_REACHED',
        `${counted.length} contacts in the last ${cfg.periodDays} days reach the cap of ${cfg.maxContacts}; the next is possible from ${describeLocal(from, ctx.zone)}.`,
        source,
      ),
    ),
  ];
};

/** A completed phone conversation: answered by a person (unknown counts as possibly a person). */
function isConversation(h: HistoryItem): boolean {
  return AUTOMATED_CALL_CHANNELS.includes(h.channel) && (h.status === 'completed' || h.status === 'answered') && !isMachine(h);
}

/** No further pressure for a quiet period after a conversation, unless the debtor asked for it. */
export const recentConversationRule: ContactRule = (ctx) => {
  const cfg = ctx.rules.recentConversation;
  if (!cfg.enabled || !cfg.appliesToChannels.includes(ctx.channel) || ctx.recipient !== 'debtor' || !ctx.purpose.demandsPayment) return [];
  const conversations = inScope(ctx, cfg.scope).filter(isConversation);
  if (conversations.length === 0) return [];
  const last = Math.max(...conversations.map((h) => h.at));
  const from = last + cfg.quietDays * DAY;
  if (from <= ctx.now) return [];
  if (ctx.debtorRequested || ctx.purpose.confirmsAgreement) {
    const why = ctx.debtorRequested ? 'the debtor asked for this contact' : 'it confirms what the debtor agreed in the conversation';
    return [
      note(
        'DEBTOR_REQUESTED_EXEMPT',
        `A conversation took place at ${describeLocal(last, ctx.zone)}; contact allowed because ${why}.`,
        ctx.profile.id === 'us' ? SOURCES.conversationUs : SOURCES.conversationUk,
      ),
    ];
  }
  const source = ctx.profile.id === 'us' ? SOURCES.conversationUs : SOURCES.conversationUk;
  return [
    notBefore(from, () =>
      reason(
        'RECENT_CONVERSATION',
        `A phone conversation took place at ${describeLocal(last, ctx.zone)}; no contact for ${cfg.quietDays} days after it unless the debtor asks.`,
        source,
      ),
    ),
  ];
};

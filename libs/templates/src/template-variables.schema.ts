import { z } from 'zod';
import { parseIsoDate } from './format';

const IsoDate = z.string().refine((s) => {
  try {
    parseIsoDate(s);
    return true;
  } catch {
    return false;
  }
}, 'expected an ISO date YYYY-MM-DD');
const Pence = z.number().int().nonnegative();
// Links are kept short so SMS stay within their segment budgets: a base of at most 28 characters (NOTIFIER_LINK_BASE_URL),
// `/p/` and a 22-character debtor link token (128 random bits): 53. http is allowed for the sandbox, whose links point at
// the local gateway (http://127.0.0.1:8000/p/<token>: 46); the notifier's config insists on https once a provider is live.
const Link = z.url({ protocol: /^https?$/ }).max(53);
// Template text is GSM-7-safe by design; these characters would silently turn an SMS into UCS-2 or break HTML.
const PlainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[<>{}\n\r]/.test(s), 'no markup, braces or line breaks');

export const CreditorSchema = z.object({
  name: PlainText(40),
  phone: PlainText(20),
  email: z.email().max(60),
  address: PlainText(160),
});

export const InvoiceSchema = z
  .object({
    reference: PlainText(20),
    amountPence: z.number().int().positive(),
    paidPence: Pence,
    issueDate: IsoDate,
    dueDate: IsoDate,
  })
  .refine((i) => i.paidPence <= i.amountPence, 'paidPence cannot exceed amountPence');

export const LinksSchema = z.object({ pay: Link, dispute: Link, preferences: Link });

/**
 * What every template needs. Nothing has a default: a template rendered with a missing variable is
 * an error, never a blank. `claimStatutoryInterest` must be stated even for consumers (where it must be false).
 */
export const BaseVariablesSchema = z.object({
  debtor: z.object({ name: PlainText(60), kind: z.enum(['business', 'consumer']) }),
  creditor: CreditorSchema,
  invoice: InvoiceSchema,
  links: LinksSchema,
  /** The date the message is produced (ISO), for interest and for "as of" statements. */
  today: IsoDate,
  claimStatutoryInterest: z.boolean(),
  /** Days when no interest may accrue (Breathing Space, SI 2020/1311 reg 7). */
  interestFrozenPeriods: z.array(z.object({ from: IsoDate, to: IsoDate })).optional(),
});

const consumerHasNoStatutoryInterest = (v: { debtor: { kind: string }; claimStatutoryInterest: boolean }) =>
  !(v.debtor.kind === 'consumer' && v.claimStatutoryInterest);
const NO_CONSUMER_INTEREST = {
  message: 'statutory interest under the Late Payment Act applies to business debts only',
  path: ['claimStatutoryInterest'],
};

export const ReminderVariablesSchema = BaseVariablesSchema.refine(consumerHasNoStatutoryInterest, NO_CONSUMER_INTEREST);

export const FinalNoticeVariablesSchema = BaseVariablesSchema.extend({ respondBy: IsoDate })
  .refine(consumerHasNoStatutoryInterest, NO_CONSUMER_INTEREST)
  // Pre-Action Protocol for Debt Claims: an individual gets 30 days to reply; we give businesses 14. Never a falsely short deadline (CONC 7.3.10R).
  .refine((v) => daysFrom(v.today, v.respondBy) >= (v.debtor.kind === 'consumer' ? 30 : 14), {
    message: 'respondBy gives too little time (30 days for individuals, 14 for businesses)',
    path: ['respondBy'],
  });

const Installment = z.object({ dueDate: IsoDate, amountPence: z.number().int().positive() });
export const PaymentPlanVariablesSchema = BaseVariablesSchema.extend({
  plan: z.object({ installments: z.array(Installment).min(1).max(36), frequency: z.enum(['weekly', 'fortnightly', 'monthly']) }),
})
  .refine(consumerHasNoStatutoryInterest, NO_CONSUMER_INTEREST)
  .refine((v) => v.plan.installments.reduce((a, i) => a + i.amountPence, 0) === v.invoice.amountPence - v.invoice.paidPence, {
    message: 'installments must add up to the outstanding amount',
    path: ['plan', 'installments'],
  });

export const PromiseToPayVariablesSchema = BaseVariablesSchema.extend({
  promise: z.object({ amountPence: z.number().int().positive(), date: IsoDate }),
}).refine(consumerHasNoStatutoryInterest, NO_CONSUMER_INTEREST);

export const DisputeAcknowledgementVariablesSchema = BaseVariablesSchema.extend({
  dispute: z.object({ receivedDate: IsoDate, reference: PlainText(24), responseBy: IsoDate }),
});

export const BreathingSpaceVariablesSchema = BaseVariablesSchema.extend({
  moratorium: z.object({ kind: z.enum(['standard', 'mental_health_crisis']), startDate: IsoDate, reference: PlainText(30) }),
});

export type BaseVariables = z.infer<typeof BaseVariablesSchema>;
export type FinalNoticeVariables = z.infer<typeof FinalNoticeVariablesSchema>;
export type PaymentPlanVariables = z.infer<typeof PaymentPlanVariablesSchema>;
export type PromiseToPayVariables = z.infer<typeof PromiseToPayVariablesSchema>;
export type DisputeAcknowledgementVariables = z.infer<typeof DisputeAcknowledgementVariablesSchema>;
export type BreathingSpaceVariables = z.infer<typeof BreathingSpaceVariablesSchema>;

function daysFrom(a: string, b: string): number {
  return Math.round((parseIsoDate(b).getTime() - parseIsoDate(a).getTime()) / 86_400_000);
}

import type { BalanceQuote } from '@recoup/collections';
import { renderTemplate, spokenPence, type VoiceLine } from '@recoup/templates';

export interface CallFacts {
  debtorName: string;
  debtorKind: 'business' | 'consumer';
  creditorName: string;
  creditorEmail: string;
  creditorPhone: string;
  invoiceReference: string;
  amountPence: number;
  paidPence: number;
  /** The core's quote: the one balance the agent speaks (and a texted link asks for). */
  balance: BalanceQuote;
  issueDate: string;
  dueDate: string;
  daysPastDue: number;
  today: string;
  payLink: string;
  paymentDuringCall: boolean;
}

/** Template text is kept GSM-7/markup-free; names from the request may not be. */
const plain = (s: string, max: number) =>
  s
    .replace(/[<>{}\n\r]/g, ' ')
    .trim()
    .slice(0, max) || 'Unknown';

/** The call's voice lines from the templates library (recording notice, identity, disclosure, required notices). */
export function voiceLines(f: CallFacts): VoiceLine[] {
  const stage = f.daysPastDue >= 30 ? 'standard_escalation' : 'gentle_reminder';
  const rendered = renderTemplate(stage, 'voice', {
    debtor: { name: plain(f.debtorName, 60), kind: f.debtorKind },
    creditor: { name: plain(f.creditorName, 40), phone: plain(f.creditorPhone, 20), email: f.creditorEmail, address: 'See our invoice' },
    invoice: {
      reference: plain(f.invoiceReference, 20),
      amountPence: f.amountPence,
      paidPence: f.paidPence,
      issueDate: f.issueDate,
      dueDate: f.dueDate,
    },
    links: { pay: f.payLink, dispute: f.payLink, preferences: f.payLink },
    today: f.today,
    claimStatutoryInterest: false,
  });
  if (rendered.channel !== 'voice') throw new Error('expected a voice template');
  return rendered.lines;
}

/**
 * The Realtime agent's instructions: the template's lines in order, and the conduct rules of
 * CONC 7 (identify the business and purpose, the call is recorded, never threaten, stop if disputed).
 * The first line after OPENING: is what the agent says first.
 */
export function agentInstructions(f: CallFacts): string {
  const lines = voiceLines(f);
  const say = (key: string) => lines.find((l) => l.key === key)?.text;
  // The recording notice is played by TwiML before the agent is connected; the agent opens with identity.
  const opening = say('identity_check') ?? '';
  const b = f.balance;
  const charges = b.interestPence + b.compensationPence > 0;
  // The template's disclosure names the unpaid invoice amount; where the creditor claims late-payment charges the
  // agent goes on to the itemised total, so what is spoken is the quote to the penny.
  const disclosure = charges
    ? `${say('disclosure') ?? ''} With statutory interest of ${spokenPence(b.interestPence)} and fixed compensation of ${spokenPence(b.compensationPence)} under the Late Payment of Commercial Debts (Interest) Act 1998, ${spokenPence(b.totalPence)} is now due.`
    : (say('disclosure') ?? '');
  const money = (pence: number) => `${b.currency} ${(pence / 100).toFixed(2)}`;
  const facts = charges
    ? `${money(b.totalPence)} is outstanding (${money(b.principalPence)} unpaid on the invoice, ${money(b.interestPence)} statutory interest, ${money(b.compensationPence)} fixed compensation)`
    : `${money(b.totalPence)} is outstanding`;
  return [
    `You are a polite collections assistant calling on behalf of ${plain(f.creditorName, 80)}. Speak British English, calmly and briefly, one or two sentences at a time.`,
    `OPENING: ${opening}`,
    `Only after the person confirms they are ${plain(f.debtorName, 60)}, say: ${disclosure}`,
    `Facts: invoice ${plain(f.invoiceReference, 40)}; ${facts}; due ${f.dueDate}; ${f.daysPastDue} days overdue.`,
    `Then: ${say('purpose') ?? ''} ${say('offer') ?? ''}`,
    `You must say: ${say('how_to_dispute') ?? ''} ${say('contact_choices') ?? ''} ${say('support') ?? ''}`.trim(),
    'Rules: never threaten, pressure, or mention court, bailiffs or credit files. Never discuss the debt with anyone but the debtor. If they dispute the debt, call record_dispute and end the call politely. If they ask you to stop, call opt_out. If they are upset, vulnerable or ask for a person, call request_callback.',
    f.paymentDuringCall
      ? 'If they want to pay now, call send_payment_link (a secure link by text).'
      : 'Do not offer to take payment during this call; offer a payment plan or a promise date instead.',
    'When they promise a date and amount, call record_promise_to_pay; for instalments, call propose_payment_plan. When the conversation is over, say goodbye and call end_call.',
    `Close with: ${say('close') ?? 'Thank you. Goodbye.'}`,
  ].join('\n');
}

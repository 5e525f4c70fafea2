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

/** What the agent is given before identity: nothing about the debt (CONC 7.9.7R). */
export interface OpeningFacts {
  debtorName: string;
  creditorName: string;
  /** The question our code will check the answer to (postcode, date of birth or the reference's last four). */
  identityQuestion: string;
  paymentDuringCall: boolean;
}

/**
 * The recording notice, spoken by TwiML before the agent joins and stored as the call's first turn: what is recorded,
 * why, and that the debtor may object (UK GDPR Arts. 13, 21; the Interception regulations' "all reasonable efforts").
 */
export function recordingNotice(f: CallFacts): string {
  const notice =
    voiceLines(f).find((l) => l.key === 'recording_notice')?.text ??
    `Hello, this is an automated assistant calling for ${plain(f.creditorName, 40)}. This call is recorded.`;
  return `${notice} It is recorded for our records and training; if you would rather it was not, just say so.`;
}

/** The agent's first words: ask for the named person, then the identity question. */
export function openingLine(o: OpeningFacts): string {
  return `May I speak to ${plain(o.debtorName, 60)}? ${o.identityQuestion}`;
}

/**
 * The Realtime (and Gather) agent's instructions for the whole call. They hold no debt detail: the amount, the
 * reference and what to say about them reach the agent only in verify_identity's answer, once our code accepted the
 * caller's identity; tools that disclose or take money are refused by our code before that (call-tools.ts).
 * The line after OPENING: is what the agent says first.
 */
export function agentInstructions(o: OpeningFacts): string {
  return [
    `You are a polite collections assistant calling on behalf of ${plain(o.creditorName, 80)}. Speak British English, calmly and briefly, one or two sentences at a time.`,
    'The call recording notice has already been played. If the person objects to being recorded at any point, call stop_recording and carry on.',
    `OPENING: ${openingLine(o)}`,
    `You do not know anything about the account yet. When the person answers the identity question, call verify_identity with their answer exactly as given. Only its answer tells you what the call is about; until it succeeds, say nothing about any invoice, amount or debt, not even that one exists, to anyone.`,
    `If the person is not ${plain(o.debtorName, 60)} or cannot confirm, call wrong_person and say only what its answer tells you.`,
    'At any time: if they say they dispute the debt, call record_dispute. If they ask us to stop calling, call opt_out. If they mention illness, bereavement, losing their job, mental health, difficulty understanding, or any hardship, call record_vulnerability (be kind; do not ask for details). If they ask for a person, call transfer_to_agent. If they want a call back, call request_callback. They can also press 0 for a person.',
    'Rules: never threaten, pressure, or mention court, bailiffs or credit files. When the conversation is over, say goodbye and call end_call.',
    o.paymentDuringCall
      ? 'After identity, if they want to pay now, call send_payment_link (a secure link by text).'
      : 'Do not offer to take payment during this call; offer a payment plan or a promise date instead.',
  ].join('\n');
}

/** What the agent learns once identity is confirmed (returned by verify_identity, never in the instructions). */
export function disclosureBriefing(f: CallFacts): string {
  const lines = voiceLines(f);
  const say = (key: string) => lines.find((l) => l.key === key)?.text;
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
    `Identity confirmed. Now say: ${disclosure}`,
    `Facts: invoice ${plain(f.invoiceReference, 40)}; ${facts}; due ${f.dueDate}; ${f.daysPastDue} days overdue.`,
    `Then: ${say('purpose') ?? ''} ${say('offer') ?? ''}`,
    `You must say: ${say('how_to_dispute') ?? ''} ${say('contact_choices') ?? ''} ${say('support') ?? ''}`.trim(),
    'When they promise a date and amount, call record_promise_to_pay; for instalments, call propose_payment_plan.',
    `Close with: ${say('close') ?? 'Thank you. Goodbye.'}`,
  ].join('\n');
}

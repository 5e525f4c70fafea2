import { formatPence, formatUkDate, spokenPence } from './format';
import type { Derived, VoiceLine } from './template.types';
import type { BaseVariables } from './template-variables.schema';

/**
 * Wording every stage shares. Demands must say who is asking, for what, how to pay, how to
 * dispute, and how to change or stop contact (CONC 7.9, 7.14; AJA 1970 s.40: nothing false or threatening).
 */
export const MONEYHELPER = 'MoneyHelper (moneyhelper.org.uk, 0800 138 7777)';

export function invoiceFacts(v: BaseVariables, d: Derived): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Creditor', v.creditor.name],
    ['Invoice', v.invoice.reference],
    ['Invoice date', formatUkDate(v.invoice.issueDate)],
    ['Due date', d.dueDate],
    ['Invoice amount', formatPence(v.invoice.amountPence)],
  ];
  if (v.invoice.paidPence > 0) rows.push(['Paid so far', formatPence(v.invoice.paidPence)]);
  rows.push(['Outstanding', d.outstanding]);
  if (d.lateClaim) {
    rows.push(['Statutory interest to date', formatPence(d.lateClaim.interestPence)]);
    rows.push(['Fixed compensation', formatPence(d.lateClaim.compensationPence)]);
    rows.push(['Total now due', formatPence(d.totalDuePence)]);
  }
  return rows;
}

export function howToPay(v: BaseVariables): string {
  return `How to pay: online at ${v.links.pay}, or call us on ${v.creditor.phone}.`;
}

export function howToDispute(v: BaseVariables): string {
  return `If you think you do not owe this, or the amount is wrong, tell us at ${v.links.dispute} or by replying to this message. We will not ask for payment while we look into it.`;
}

export function contactChoices(v: BaseVariables): string {
  return `You can choose how we contact you, or ask us to stop contacting you by email, text, phone or post, at ${v.links.preferences} or by calling ${v.creditor.phone}.`;
}

/** CONC 7.3 forbearance and free debt advice, for consumers. */
export function consumerSupport(): string {
  return `If you are finding it hard to pay, please tell us: we can agree a plan you can afford. Free, confidential debt advice is available from ${MONEYHELPER}.`;
}

/** Late Payment Act 1998 statement for a business debt where interest is claimed. */
export function lateChargesParagraph(d: Derived): string | null {
  const c = d.lateClaim;
  if (!c) return null;
  const pct = (bp: number) => `${(bp / 100).toFixed(2)}%`;
  return (
    `As this is a business debt, the Late Payment of Commercial Debts (Interest) Act 1998 allows us to claim simple interest at ${pct(c.annualRateBasisPoints)} a year ` +
    `(8% over the Bank of England base rate of ${pct(c.baseRateBasisPoints)} on ${formatUkDate(c.referenceDate)}), which is ${formatPence(Math.round(c.dailyInterestPence))} a day on this invoice, ` +
    `and fixed compensation of ${formatPence(c.compensationPence)}. To date that is ${formatPence(c.interestPence)} interest over ${c.interestDays} days.`
  );
}

export function demandNotices(v: BaseVariables, d: Derived): string[] {
  const notices = [howToPay(v), howToDispute(v), contactChoices(v)];
  if (d.consumer) notices.push(consumerSupport());
  return notices;
}

export function signOff(v: BaseVariables): string[] {
  return ['Yours sincerely', v.creditor.name, v.creditor.address, `${v.creditor.phone} | ${v.creditor.email}`];
}

export function greeting(v: BaseVariables): string {
  return `Dear ${v.debtor.name},`;
}

/** SMS tail every demand carries. Plain GSM-7 characters only. */
export function smsDemandTail(v: BaseVariables, d: Derived): string {
  return ` Pay: ${v.links.pay} Dispute: ${v.links.dispute} Contact choices: ${v.links.preferences}${d.consumer ? ' Free advice: moneyhelper.org.uk' : ''} Reply STOP to stop texts`;
}

/** The opening every call uses: recording notice, then identity before any mention of the debt (CONC 7.9.7R). */
export function callOpening(v: BaseVariables): VoiceLine[] {
  return [
    { key: 'recording_notice', text: `Hello, this is an automated assistant calling for ${v.creditor.name}. This call is recorded.` },
    {
      key: 'identity_check',
      text: `May I speak to ${v.debtor.name}? To protect your privacy, please confirm your postcode before we go on.`,
    },
  ];
}

/** Said only to the debtor, after the identity check. */
export function callDisclosure(v: BaseVariables, d: Derived): VoiceLine {
  return {
    key: 'disclosure',
    text: `Thank you. I am calling about invoice ${spellReference(v.invoice.reference)} from ${v.creditor.name}. ${spokenPence(d.outstandingPence)} is outstanding; it was due on ${d.dueDate}.`,
  };
}

export function callRequiredLines(v: BaseVariables, d: Derived): VoiceLine[] {
  const lines: VoiceLine[] = [
    {
      key: 'how_to_dispute',
      text: 'If you think you do not owe this, or the amount is wrong, just tell me and we will pause and look into it.',
    },
    { key: 'contact_choices', text: 'You can also tell me how you would rather we contact you, or ask us to stop calling you.' },
  ];
  if (d.consumer)
    lines.push({
      key: 'support',
      text: 'If money is tight, we can agree a plan you can afford. Free debt advice is available from MoneyHelper on 0800 138 7777.',
    });
  return lines;
}

/** Voicemail and the abandoned-call message reveal nothing about the debt (CONC 7.9.8G; Ofcom: name and number within 2 s). */
export function callUnattendedLines(v: BaseVariables): VoiceLine[] {
  return [
    {
      key: 'voicemail',
      text: `This is a message for ${v.debtor.name} from ${v.creditor.name}. Please call us back on ${v.creditor.phone}. Thank you.`,
    },
    { key: 'abandoned_message', text: `This was a call from ${v.creditor.name}. Our number is ${v.creditor.phone}.` },
  ];
}

/** Read a reference character by character so speech synthesis does not say "INV" as a word. */
export function spellReference(reference: string): string {
  return reference.split('').join(' ');
}

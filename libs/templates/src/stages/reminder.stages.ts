import { formatPence, formatUkDate, formatUkShortDate, spokenDate, spokenPence } from '../format';
import {
  callDisclosure,
  callOpening,
  callRequiredLines,
  callUnattendedLines,
  demandNotices,
  greeting,
  invoiceFacts,
  lateChargesParagraph,
  signOff,
  smsDemandTail,
} from '../shared-content';
import type { StageDefinition } from '../template.types';
import { FinalNoticeVariablesSchema, ReminderVariablesSchema } from '../template-variables.schema';

const late = (p: string | null): string[] => (p ? [p] : []);

export const friendlyReminder: StageDefinition<typeof ReminderVariablesSchema> = {
  stage: 'friendly_reminder',
  title: 'Friendly reminder',
  schema: ReminderVariablesSchema,
  demandsPayment: true,
  smsBudget: 3,
  document: (v, d) => ({
    subject: `Reminder: invoice ${v.invoice.reference} from ${v.creditor.name}`,
    greeting: greeting(v),
    paragraphs: [
      `This is a friendly reminder from ${v.creditor.name} that invoice ${v.invoice.reference} for ${d.outstanding} ${d.daysOverdue > 0 ? `was due on ${d.dueDate}` : `is due on ${d.dueDate}`}.`,
      'If you have already paid, thank you, and please ignore this message.',
      ...late(lateChargesParagraph(d)),
    ],
    facts: invoiceFacts(v, d),
    action: { label: 'Pay online', url: v.links.pay },
    notices: demandNotices(v, d),
    signOff: signOff(v),
  }),
  sms: (v, d) =>
    `${v.creditor.name}: a friendly reminder that invoice ${v.invoice.reference} for ${d.outstanding} was due ${formatUkShortDate(v.invoice.dueDate)}.${smsDemandTail(v, d)}`,
};

export const gentleReminder: StageDefinition<typeof ReminderVariablesSchema> = {
  stage: 'gentle_reminder',
  title: 'Gentle reminder',
  schema: ReminderVariablesSchema,
  demandsPayment: true,
  smsBudget: 3,
  document: (v, d) => ({
    subject: `Invoice ${v.invoice.reference} is overdue`,
    greeting: greeting(v),
    paragraphs: [
      `Our records show that invoice ${v.invoice.reference} for ${d.outstanding} is still unpaid. It was due on ${d.dueDate}, ${d.daysOverdue} days ago.`,
      d.consumer
        ? 'We understand that things do not always go to plan. If something has changed, please let us know and we will work with you to find a way forward.'
        : 'If there is a problem with the invoice or with timing, please let us know so we can sort it out together.',
      ...late(lateChargesParagraph(d)),
    ],
    facts: invoiceFacts(v, d),
    action: { label: 'Pay online', url: v.links.pay },
    notices: demandNotices(v, d),
    signOff: signOff(v),
  }),
  sms: (v, d) =>
    `${v.creditor.name}: invoice ${v.invoice.reference} for ${d.outstanding} is now ${d.daysOverdue} days overdue.${smsDemandTail(v, d)}`,
  voice: (v, d) => [
    ...callOpening(v),
    callDisclosure(v, d),
    { key: 'purpose', text: 'I am calling to check everything is all right with this invoice and to help if you have any questions.' },
    { key: 'offer', text: 'Would you like me to text you a secure link to pay, or would it help to spread the payments?' },
    ...callRequiredLines(v, d),
    { key: 'close', text: `Thank you for your time. You can reach ${v.creditor.name} on ${v.creditor.phone}. Goodbye.` },
    ...callUnattendedLines(v),
  ],
};

export const standardEscalation: StageDefinition<typeof ReminderVariablesSchema> = {
  stage: 'standard_escalation',
  title: 'Standard escalation',
  schema: ReminderVariablesSchema,
  demandsPayment: true,
  smsBudget: 3,
  document: (v, d) => ({
    subject: `Payment needed: invoice ${v.invoice.reference}`,
    greeting: greeting(v),
    paragraphs: [
      `We have written to you before about invoice ${v.invoice.reference}. ${d.outstanding} remains unpaid, ${d.daysOverdue} days after it was due on ${d.dueDate}.`,
      d.consumer
        ? 'Please pay the balance, or contact us to agree an affordable plan. If you are in financial difficulty, we will take that into account.'
        : 'Please pay the balance, or contact us to agree how and when it will be paid.',
      ...late(lateChargesParagraph(d)),
    ],
    facts: invoiceFacts(v, d),
    action: { label: 'Pay online', url: v.links.pay },
    notices: demandNotices(v, d),
    signOff: signOff(v),
  }),
  sms: (v, d) =>
    `${v.creditor.name}: invoice ${v.invoice.reference}, ${formatPence(d.totalDuePence)} unpaid since ${formatUkShortDate(v.invoice.dueDate)}. Please pay or contact us to agree a plan.${smsDemandTail(v, d)}`,
  voice: (v, d) => [
    ...callOpening(v),
    callDisclosure(v, d),
    {
      key: 'purpose',
      text: `We have written about this before and it is now ${d.daysOverdue} days overdue. I would like to help you settle it in a way that works for you.`,
    },
    { key: 'offer', text: 'I can text you a secure link to pay now, or we can set up a payment plan. Which would you prefer?' },
    ...callRequiredLines(v, d),
    { key: 'close', text: `Thank you. You can reach ${v.creditor.name} on ${v.creditor.phone}. Goodbye.` },
    ...callUnattendedLines(v),
  ],
};

export const finalNotice: StageDefinition<typeof FinalNoticeVariablesSchema> = {
  stage: 'final_notice',
  title: 'Final notice / letter before action',
  schema: FinalNoticeVariablesSchema,
  demandsPayment: true,
  smsBudget: 3,
  document: (v, d) => ({
    subject: `Letter before action: invoice ${v.invoice.reference}`,
    greeting: greeting(v),
    paragraphs: [
      `Despite our earlier letters, ${formatPence(d.totalDuePence)} is still owed to ${v.creditor.name} for invoice ${v.invoice.reference}, which was due on ${d.dueDate}.`,
      `Please pay, or contact us to agree a plan, by ${formatUkDate(v.respondBy)}. If we have not heard from you by then, we may consider starting court proceedings to recover the debt. We would much rather agree a way forward with you.`,
      ...(d.consumer
        ? [
            'As required by the Pre-Action Protocol for Debt Claims, we enclose an information sheet, a reply form and a financial statement. Please use the reply form to tell us if you dispute the debt or need more time, for example to get debt advice.',
          ]
        : []),
      ...late(lateChargesParagraph(d)),
    ],
    facts: [...invoiceFacts(v, d), ['Please respond by', formatUkDate(v.respondBy)]],
    action: { label: 'Pay online', url: v.links.pay },
    notices: demandNotices(v, d),
    signOff: signOff(v),
  }),
  sms: (v, d) =>
    `${v.creditor.name}: we have sent you a formal letter about invoice ${v.invoice.reference} (${formatPence(d.totalDuePence)}). Please respond by ${formatUkShortDate(v.respondBy)}.${smsDemandTail(v, d)}`,
};

/** Spoken form of a date and amount, shared by the agreement stages. */
export function spokenAmountOn(pence: number, iso: string): string {
  return `${spokenPence(pence)} on ${spokenDate(iso)}`;
}

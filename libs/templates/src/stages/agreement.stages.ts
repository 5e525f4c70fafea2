import { formatPence, formatUkDate, formatUkShortDate, spokenDate, spokenPence } from '../format';
import {
  callDisclosure,
  callOpening,
  callRequiredLines,
  callUnattendedLines,
  demandNotices,
  greeting,
  invoiceFacts,
  signOff,
  smsDemandTail,
} from '../shared-content';
import type { StageDefinition } from '../template.types';
import {
  PaymentPlanVariablesSchema,
  PromiseToPayVariablesSchema,
  ReminderVariablesSchema,
  type PaymentPlanVariables,
} from '../template-variables.schema';
import { spokenAmountOn } from './reminder.stages';

function schedule(v: PaymentPlanVariables): Array<[string, string]> {
  return v.plan.installments.map((i, n) => [`Payment ${n + 1}`, `${formatPence(i.amountPence)} on ${formatUkDate(i.dueDate)}`]);
}

function planSummary(v: PaymentPlanVariables): string {
  const first = v.plan.installments[0];
  const n = v.plan.installments.length;
  return `${n} ${v.plan.frequency} payment${n === 1 ? '' : 's'}${first ? `, the first of ${formatPence(first.amountPence)} on ${formatUkShortDate(first.dueDate)}` : ''}`;
}

export const paymentPlanProposal: StageDefinition<typeof PaymentPlanVariablesSchema> = {
  stage: 'payment_plan_proposal',
  title: 'Payment plan proposal',
  schema: PaymentPlanVariablesSchema,
  demandsPayment: true,
  smsBudget: 3,
  document: (v, d) => ({
    subject: `A payment plan for invoice ${v.invoice.reference}`,
    greeting: greeting(v),
    // CONC 7.3.4R/7.3.5G: offer affordable options and stay open to the debtor's own proposal.
    paragraphs: [
      `To make invoice ${v.invoice.reference} easier to manage, we can spread the ${d.outstanding} outstanding over ${planSummary(v)}.`,
      'If this does not suit your budget, tell us what you can afford and we will consider any reasonable offer.',
    ],
    facts: [...invoiceFacts(v, d), ...schedule(v)],
    action: { label: 'Set up this plan', url: v.links.pay },
    notices: demandNotices(v, d),
    signOff: signOff(v),
  }),
  sms: (v, d) =>
    `${v.creditor.name}: we can spread the ${d.outstanding} on invoice ${v.invoice.reference} over ${planSummary(v)}. Other amounts considered.${smsDemandTail(v, d)}`,
  voice: (v, d) => [
    ...callOpening(v),
    callDisclosure(v, d),
    { key: 'purpose', text: 'I am calling to see whether spreading the payments would help.' },
    {
      key: 'offer',
      text: `We could split it into ${v.plan.installments.length} ${v.plan.frequency} payments, starting with ${spokenAmountOn(v.plan.installments[0]?.amountPence ?? 0, v.plan.installments[0]?.dueDate ?? v.today)}. If that is too much, tell me what you can afford.`,
    },
    ...callRequiredLines(v, d),
    { key: 'close', text: `Thank you. You can reach ${v.creditor.name} on ${v.creditor.phone}. Goodbye.` },
    ...callUnattendedLines(v),
  ],
};

export const paymentPlanConfirmation: StageDefinition<typeof PaymentPlanVariablesSchema> = {
  stage: 'payment_plan_confirmation',
  title: 'Payment plan confirmation',
  schema: PaymentPlanVariablesSchema,
  demandsPayment: true,
  smsBudget: 3,
  document: (v, d) => ({
    subject: `Your payment plan for invoice ${v.invoice.reference}`,
    greeting: greeting(v),
    paragraphs: [
      `Thank you for agreeing a plan to pay the ${d.outstanding} outstanding on invoice ${v.invoice.reference}: ${planSummary(v)}.`,
      'If a payment is going to be difficult, please contact us before it is due and we will work something out.',
    ],
    facts: [...invoiceFacts(v, d), ...schedule(v)],
    action: { label: 'Manage your plan', url: v.links.pay },
    notices: demandNotices(v, d),
    signOff: signOff(v),
  }),
  sms: (v, d) =>
    `${v.creditor.name}: thank you for agreeing a plan for invoice ${v.invoice.reference} (${d.outstanding}): ${planSummary(v)}.${smsDemandTail(v, d)}`,
  voice: (v, d) => [
    callDisclosure(v, d),
    {
      key: 'read_back',
      text: `To confirm, you will pay ${v.plan.installments.map((i) => spokenAmountOn(i.amountPence, i.dueDate)).join(', then ')}. Is that right?`,
    },
    ...callRequiredLines(v, d),
    { key: 'close', text: 'I will send you the plan in writing. Thank you, goodbye.' },
  ],
};

export const paymentLink: StageDefinition<typeof ReminderVariablesSchema> = {
  stage: 'payment_link',
  title: 'Payment link',
  schema: ReminderVariablesSchema,
  demandsPayment: true,
  smsBudget: 3,
  document: (v, d) => ({
    subject: `Your payment link for invoice ${v.invoice.reference}`,
    greeting: greeting(v),
    paragraphs: [
      `As requested, here is a secure link to pay ${formatPence(d.totalDuePence)} for invoice ${v.invoice.reference} from ${v.creditor.name}.`,
    ],
    facts: invoiceFacts(v, d),
    action: { label: 'Pay securely', url: v.links.pay },
    notices: demandNotices(v, d),
    signOff: signOff(v),
  }),
  sms: (v, d) =>
    `${v.creditor.name}: as requested, your secure link to pay ${formatPence(d.totalDuePence)} for invoice ${v.invoice.reference}.${smsDemandTail(v, d)}`,
};

export const promiseToPayConfirmation: StageDefinition<typeof PromiseToPayVariablesSchema> = {
  stage: 'promise_to_pay_confirmation',
  title: 'Promise-to-pay confirmation',
  schema: PromiseToPayVariablesSchema,
  demandsPayment: true,
  smsBudget: 3,
  document: (v, d) => ({
    subject: `Confirming your payment date for invoice ${v.invoice.reference}`,
    greeting: greeting(v),
    paragraphs: [
      `Thank you for speaking with us. As agreed, you will pay ${formatPence(v.promise.amountPence)} towards invoice ${v.invoice.reference} by ${formatUkDate(v.promise.date)}.`,
      'If anything changes, please let us know before that date.',
    ],
    facts: [...invoiceFacts(v, d), ['Agreed payment', `${formatPence(v.promise.amountPence)} by ${formatUkDate(v.promise.date)}`]],
    action: { label: 'Pay online', url: v.links.pay },
    notices: demandNotices(v, d),
    signOff: signOff(v),
  }),
  sms: (v, d) =>
    `${v.creditor.name}: thanks for talking to us. As agreed you will pay ${formatPence(v.promise.amountPence)} for invoice ${v.invoice.reference} (${formatPence(d.totalDuePence)} due) by ${formatUkShortDate(v.promise.date)}.${smsDemandTail(v, d)}`,
  voice: (v, d) => [
    {
      key: 'read_back',
      text: `To confirm, you will pay ${spokenPence(v.promise.amountPence)} towards invoice ${v.invoice.reference.split('').join(' ')} by ${spokenDate(v.promise.date)}. I will text you a confirmation with a secure payment link.`,
    },
    ...callRequiredLines(v, d),
    { key: 'close', text: `Thank you for your time. You can reach ${v.creditor.name} on ${v.creditor.phone}. Goodbye.` },
  ],
};

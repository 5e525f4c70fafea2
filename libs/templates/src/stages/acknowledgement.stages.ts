import { formatUkDate, formatUkShortDate } from '../format';
import { contactChoices, consumerSupport, greeting, invoiceFacts, signOff } from '../shared-content';
import type { StageDefinition } from '../template.types';
import { BreathingSpaceVariablesSchema, DisputeAcknowledgementVariablesSchema } from '../template-variables.schema';

/** CONC 7.14: the dispute is acknowledged and collection on the invoice stops until the outcome is sent. */
export const disputeAcknowledgement: StageDefinition<typeof DisputeAcknowledgementVariablesSchema> = {
  stage: 'dispute_acknowledgement',
  title: 'Dispute acknowledgement',
  schema: DisputeAcknowledgementVariablesSchema,
  demandsPayment: false,
  smsBudget: 2,
  document: (v, d) => ({
    subject: `We have received your query about invoice ${v.invoice.reference}`,
    greeting: greeting(v),
    paragraphs: [
      `Thank you for telling us on ${formatUkDate(v.dispute.receivedDate)} that you dispute invoice ${v.invoice.reference}. Your reference is ${v.dispute.reference}.`,
      `We have paused collection of this invoice while we look into it, and we will write to you with the outcome by ${formatUkDate(v.dispute.responseBy)}. You do not need to pay the disputed amount in the meantime.`,
      `If you have documents that would help, please send them to ${v.creditor.email}.`,
    ],
    facts: invoiceFacts(v, d).filter(([k]) => !['Statutory interest to date', 'Fixed compensation', 'Total now due'].includes(k)),
    notices: [contactChoices(v), ...(d.consumer ? [consumerSupport()] : [])],
    signOff: signOff(v),
  }),
  sms: (v) =>
    `${v.creditor.name}: we have received your dispute about invoice ${v.invoice.reference} (ref ${v.dispute.reference}) and paused collection. We will reply by ${formatUkShortDate(v.dispute.responseBy)}. Reply STOP to stop texts`,
};

/** SI 2020/1311: during a moratorium no payment is asked for and no interest, fees or charges are added. */
export const breathingSpaceAcknowledgement: StageDefinition<typeof BreathingSpaceVariablesSchema> = {
  stage: 'breathing_space_acknowledgement',
  title: 'Breathing Space acknowledgement',
  schema: BreathingSpaceVariablesSchema,
  demandsPayment: false,
  smsBudget: 2,
  document: (v) => ({
    subject: `Breathing Space: we have paused invoice ${v.invoice.reference}`,
    greeting: greeting(v),
    paragraphs: [
      `We have been told that a ${v.moratorium.kind === 'mental_health_crisis' ? 'mental health crisis' : 'standard'} Breathing Space started for you on ${formatUkDate(v.moratorium.startDate)} (reference ${v.moratorium.reference}).`,
      `While it lasts, ${v.creditor.name} will not ask you to pay invoice ${v.invoice.reference}, will not add interest, fees or charges to it, and will not take any action to recover it.`,
      'If you have a debt adviser, we will deal with them where we need to. You do not need to reply to this message.',
    ],
    facts: [
      ['Creditor', v.creditor.name],
      ['Invoice', v.invoice.reference],
      ['Breathing Space from', formatUkDate(v.moratorium.startDate)],
    ],
    notices: [contactChoices(v)],
    signOff: signOff(v),
  }),
  sms: (v) =>
    `${v.creditor.name}: we know about your Breathing Space from ${formatUkShortDate(v.moratorium.startDate)}. We have paused invoice ${v.invoice.reference}: no requests to pay and no charges while it lasts. Reply STOP to stop texts`,
};

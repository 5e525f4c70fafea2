import { z } from 'zod';
import { ContactPurpose } from '../http/common.schema';

/**
 * Job payloads carry ids, not copies of records: the worker re-reads the invoice and the
 * debtor so it acts on their state at send time (a dispute or STOP recorded after enqueue counts).
 */
const Base = {
  tenant_id: z.uuid(),
  client_id: z.uuid(),
  invoice_id: z.uuid().optional(),
  template_id: z.string().min(1),
  purpose: ContactPurpose,
  requested_by: z.string().min(1),
  /**
   * Facts known only to the producer at enqueue time (a payment link URL made during a call, a
   * promised date and amount); everything else the worker re-reads from the database.
   */
  variables: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), z.string().max(500)).optional(),
};

export const SendEmailJob = z.object({ ...Base, channel: z.literal('email') });
export const SendSmsJob = z.object({ ...Base, channel: z.literal('sms') });
export const SendLetterJob = z.object({ ...Base, channel: z.literal('letter') });
export type SendEmailJob = z.infer<typeof SendEmailJob>;
export type SendSmsJob = z.infer<typeof SendSmsJob>;
export type SendLetterJob = z.infer<typeof SendLetterJob>;

/**
 * One message listing several overdue invoices of one debtor (the statement): the invoices' contact attempts were
 * recorded `queued` with `statement_job_id` = this job's id, and the worker re-reads them at send time. An invoice paid,
 * disputed or cancelled meanwhile had its attempt cancelled and is left out; with none left nothing is sent.
 */
export const SendStatementJob = z.object({
  tenant_id: z.uuid(),
  client_id: z.uuid(),
  channel: z.enum(['email', 'sms', 'letter']),
  template_id: z.enum(['statement.email', 'statement.sms', 'statement.letter']),
  purpose: z.literal('reminder'),
  requested_by: z.string().min(1),
  invoice_ids: z.array(z.uuid()).min(1).max(50),
});
export type SendStatementJob = z.infer<typeof SendStatementJob>;

import type { Channel, ContactAttemptModel, InvoiceStatus, Prisma } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { recordInvoiceEvent } from '../invoice-events';
import { NO_CONTACT_STATUSES } from '../invoice-status';
import { lockInvoice } from '../ledger';

export interface StatementContactItem {
  invoiceId: string;
  /** The invoice's own idempotency key for this step (unique per invoice and stage), kept as the attempt's job id. */
  jobId: string;
  templateId: string;
  detail?: Record<string, unknown>;
}

export interface RecordStatementContactsInput {
  tenantId: string;
  clientId: string;
  channel: Extract<Channel, 'email' | 'sms' | 'letter'>;
  purpose: string;
  /** The statement's BullMQ job id: the one message the items ride on, and its send's idempotency key. */
  statementJobId: string;
  scheduledFor: Date;
  items: StatementContactItem[];
  actor: Actor;
}

export interface RecordStatementContactsResult {
  /** One attempt per invoice still collectable under its row lock (an existing job id returns its row). */
  recorded: Array<{ invoiceId: string; attempt: ContactAttemptModel }>;
  /** Paid, disputed, cancelled or written off since the caller read them: left out of the statement. */
  left: Array<{ invoiceId: string; status: InvoiceStatus }>;
}

/**
 * Records the contacts of one statement (a debtor's due reminders of one run, sent as a single message): one `queued`
 * attempt per invoice, each naming the statement's job in `statement_job_id`, so each invoice keeps its own contact
 * record and timeline entry while the debtor gets one message and the compliance engine counts one contact. One
 * transaction: the invoices are locked in id order (no deadlock with another run), an invoice that may no longer be
 * contacted is left out, and each recorded invoice gets a `statement_queued` timeline entry naming the others.
 * "Cancel pending contacts" on one invoice then cancels only its attempt: the statement goes without it (or not at
 * all when none is left).
 */
export async function recordStatementContacts(
  deps: CollectionsDeps,
  input: RecordStatementContactsInput,
): Promise<RecordStatementContactsResult> {
  const now = nowOf(deps);
  const items = [...input.items].sort((a, b) => (a.invoiceId < b.invoiceId ? -1 : a.invoiceId > b.invoiceId ? 1 : 0));
  return deps.db.$transaction(async (tx) => {
    const recorded: RecordStatementContactsResult['recorded'] = [];
    const left: RecordStatementContactsResult['left'] = [];
    const fresh: RecordStatementContactsResult['recorded'] = [];
    const statuses = new Map<string, InvoiceStatus>();
    for (const item of items) {
      const invoice = await lockInvoice(tx, input.tenantId, item.invoiceId);
      if (invoice.clientId !== input.clientId || NO_CONTACT_STATUSES.includes(invoice.status)) {
        left.push({ invoiceId: item.invoiceId, status: invoice.status });
        continue;
      }
      statuses.set(item.invoiceId, invoice.status);
      // The same step recorded before (a retried run): its row, and no second timeline entry.
      const existing = await tx.contactAttempt.findUnique({ where: { jobId: item.jobId } });
      if (existing) {
        recorded.push({ invoiceId: item.invoiceId, attempt: existing });
        continue;
      }
      const attempt = await tx.contactAttempt.create({
        data: {
          tenantId: input.tenantId,
          clientId: input.clientId,
          invoiceId: item.invoiceId,
          channel: input.channel,
          purpose: input.purpose,
          templateId: item.templateId,
          status: 'queued',
          jobId: item.jobId,
          statementJobId: input.statementJobId,
          scheduledFor: input.scheduledFor,
          detail: { ...item.detail, statement_job_id: input.statementJobId } as Prisma.InputJsonValue,
        },
      });
      recorded.push({ invoiceId: item.invoiceId, attempt });
      fresh.push({ invoiceId: item.invoiceId, attempt });
    }
    for (const r of fresh) {
      const status = statuses.get(r.invoiceId) ?? 'overdue';
      await recordInvoiceEvent(tx, {
        tenantId: input.tenantId,
        invoiceId: r.invoiceId,
        type: 'statement_queued',
        actor: input.actor,
        fromStatus: status,
        toStatus: status,
        detail: {
          statement_job_id: input.statementJobId,
          contact_attempt_id: r.attempt.id,
          channel: input.channel,
          invoices: fresh.length,
        },
        at: now,
      });
    }
    return { recorded, left };
  });
}

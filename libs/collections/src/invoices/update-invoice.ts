import type { InvoiceModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from '../contacts/cancel-pending-contacts';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { isClosed, isCollectable } from '../invoice-status';
import { lockInvoice, refreshInvoice } from '../ledger';

export interface UpdateInvoiceInput {
  tenantId: string;
  invoiceId: string;
  reference?: string;
  amountPence?: number;
  issueDate?: Date;
  dueDate?: Date;
  description?: string | null;
  actor: Actor;
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}

/** Corrects an invoice's facts; the status is derived again (a lower amount may make it paid; a new due date overdue or not). */
export async function updateInvoice(deps: CollectionsDeps, input: UpdateInvoiceInput): Promise<InvoiceModel> {
  const now = nowOf(deps);
  let cancelled: CancelledContact[] = [];
  try {
    const result = await deps.db.$transaction(async (tx) => {
      const invoice = await lockInvoice(tx, input.tenantId, input.invoiceId);
      if (isClosed(invoice.status)) throw CollectionsError.conflict(`Invoice is ${invoice.status} and can no longer change`);
      const amountPence = input.amountPence ?? invoice.amountPence;
      if (!Number.isInteger(amountPence) || amountPence <= 0) throw CollectionsError.invalid('amount must be positive', 'amount');
      if (amountPence < invoice.paidPence)
        throw CollectionsError.invalid(`at least ${invoice.paidPence} minor units have been paid`, 'amount');
      const issueDate = input.issueDate ?? invoice.issueDate;
      const dueDate = input.dueDate ?? invoice.dueDate;
      if (dueDate < issueDate) throw CollectionsError.invalid('due_date must not be before issue_date', 'due_date');
      const facts = await tx.invoice.update({
        where: { id: invoice.id },
        data: {
          ...(input.reference ? { reference: input.reference } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          issueDate,
        },
      });
      const { invoice: after } = await refreshInvoice(tx, facts, now, { amountPence, dueDate });
      if (!isCollectable(after.status)) {
        cancelled = await cancelPendingContactsIn(
          tx,
          { tenantId: input.tenantId, invoiceId: invoice.id, reason: `invoice ${after.status}` },
          now,
        );
      }
      await recordInvoiceEvent(tx, {
        tenantId: input.tenantId,
        invoiceId: invoice.id,
        type: 'invoice_updated',
        actor: input.actor,
        fromStatus: invoice.status,
        toStatus: after.status,
        detail: {
          changed: Object.keys(input).filter(
            (k) => !['tenantId', 'invoiceId', 'actor'].includes(k) && input[k as keyof UpdateInvoiceInput] !== undefined,
          ),
          amount_pence: after.amountPence,
          due_date: after.dueDate.toISOString().slice(0, 10),
        },
        at: now,
      });
      return after;
    });
    await removeCancelledJobs(deps, cancelled);
    return result;
  } catch (err) {
    if (isUniqueViolation(err)) throw CollectionsError.conflict('Invoice reference already exists', 'invoice_reference');
    throw err;
  }
}

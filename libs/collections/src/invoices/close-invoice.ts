import type { InvoiceModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from '../contacts/cancel-pending-contacts';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { lockInvoice, refreshInvoice } from '../ledger';

export interface CloseInvoiceInput {
  tenantId: string;
  invoiceId: string;
  reason?: string | null;
  actor: Actor;
}

/** Cancels an invoice: it leaves collection, its open plans are cancelled and its queued contacts stopped. Idempotent. */
export async function cancelInvoice(deps: CollectionsDeps, input: CloseInvoiceInput): Promise<InvoiceModel> {
  return close(deps, input, 'cancelled');
}

/** Writes an invoice off (the creditor stops pursuing it); same effects as a cancellation, recorded as a write-off. */
export async function writeOffInvoice(deps: CollectionsDeps, input: CloseInvoiceInput): Promise<InvoiceModel> {
  return close(deps, input, 'written_off');
}

async function close(deps: CollectionsDeps, input: CloseInvoiceInput, to: 'cancelled' | 'written_off'): Promise<InvoiceModel> {
  const now = nowOf(deps);
  let cancelled: CancelledContact[] = [];
  const result = await deps.db.$transaction(async (tx) => {
    const invoice = await lockInvoice(tx, input.tenantId, input.invoiceId);
    if (invoice.status === to) return invoice;
    if (invoice.status === 'paid')
      throw CollectionsError.conflict(`A paid invoice cannot be ${to === 'cancelled' ? 'cancelled' : 'written off'}`);
    if (invoice.status === 'cancelled' || invoice.status === 'written_off') throw CollectionsError.conflict(`Invoice is ${invoice.status}`);
    const marked = to === 'cancelled' ? await tx.invoice.update({ where: { id: invoice.id }, data: { cancelledAt: now } }) : invoice;
    const { invoice: after } = await refreshInvoice(tx, marked, now, to === 'cancelled' ? { cancelled: true } : { writtenOff: true });
    await tx.paymentPlan.updateMany({
      where: { invoiceId: invoice.id, status: { in: ['proposed', 'active'] } },
      data: { status: 'cancelled' },
    });
    cancelled = await cancelPendingContactsIn(
      tx,
      { tenantId: input.tenantId, invoiceId: invoice.id, reason: `invoice ${to.replace('_', ' ')}` },
      now,
    );
    await recordInvoiceEvent(tx, {
      tenantId: input.tenantId,
      invoiceId: invoice.id,
      type: to === 'cancelled' ? 'invoice_cancelled' : 'invoice_written_off',
      actor: input.actor,
      fromStatus: invoice.status,
      toStatus: after.status,
      detail: {
        reason: input.reason ?? null,
        cancelled_contacts: cancelled.length,
        balance_pence: Math.max(0, after.amountPence - after.paidPence),
      },
      at: now,
    });
    return after;
  });
  await removeCancelledJobs(deps, cancelled);
  return result;
}

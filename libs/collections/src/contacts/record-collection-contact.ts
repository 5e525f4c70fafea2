import type { ContactAttemptModel, InvoiceStatus } from '@recoup/db';
import type { CollectionsDeps } from '../core-deps';
import { NO_CONTACT_STATUSES } from '../invoice-status';
import { lockInvoice } from '../ledger';
import { recordQueuedContact, type QueuedContact } from './contact-attempts';

export type CollectionContactResult =
  | { outcome: 'recorded'; attempt: ContactAttemptModel }
  /** Paid, disputed, cancelled or written off: no contact may be queued (CONC 7.14 for a dispute). */
  | { outcome: 'not_collectable'; status: InvoiceStatus };

/**
 * Records a collection contact about an invoice, checking under the invoice's row lock that it may still be contacted.
 * A payment, dispute or cancellation committing first is seen here; one committing after finds the row `queued` and
 * cancels it. Either way no contact stays queued for an invoice in a no-contact status. The same job id returns the
 * existing row (`recordQueuedContact`).
 */
export async function recordCollectionContact(
  deps: CollectionsDeps,
  contact: QueuedContact & { invoiceId: string },
): Promise<CollectionContactResult> {
  return deps.db.$transaction(async (tx) => {
    const invoice = await lockInvoice(tx, contact.tenantId, contact.invoiceId);
    if (NO_CONTACT_STATUSES.includes(invoice.status)) return { outcome: 'not_collectable' as const, status: invoice.status };
    return { outcome: 'recorded' as const, attempt: await recordQueuedContact(tx, contact) };
  });
}

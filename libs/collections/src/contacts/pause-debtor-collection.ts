import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { recordInvoiceEvent } from '../invoice-events';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from './cancel-pending-contacts';

export interface PauseDebtorCollectionInput {
  tenantId: string;
  clientId: string;
  /** Why collection stops now (debtor dispute, vulnerability, capacity concern, breathing space): on every invoice's timeline. */
  reason: string;
  actor: Actor;
}

/**
 * A debtor-level safeguard was raised (a dispute of the account, vulnerability, a mental-capacity concern: CONC 7.10,
 * 7.14, FG21/1): every queued contact of the debtor is cancelled now, with a timeline entry on each affected invoice,
 * in one transaction. The compliance engine refuses new contacts from then on; this drops what was already queued.
 */
export async function pauseDebtorCollection(deps: CollectionsDeps, input: PauseDebtorCollectionInput): Promise<number> {
  const now = nowOf(deps);
  let cancelled: CancelledContact[] = [];
  await deps.db.$transaction(async (tx) => {
    const mine = await tx.client.findFirst({ where: { id: input.clientId, tenantId: input.tenantId }, select: { id: true } });
    if (!mine) return;
    cancelled = await cancelPendingContactsIn(tx, { tenantId: input.tenantId, clientId: mine.id, reason: input.reason }, now);
    const byInvoice = new Map<string, number>();
    for (const c of await tx.contactAttempt.findMany({ where: { id: { in: cancelled.map((x) => x.id) } }, select: { invoiceId: true } })) {
      if (c.invoiceId) byInvoice.set(c.invoiceId, (byInvoice.get(c.invoiceId) ?? 0) + 1);
    }
    for (const [invoiceId, count] of byInvoice) {
      await recordInvoiceEvent(tx, {
        tenantId: input.tenantId,
        invoiceId,
        type: 'contacts_cancelled',
        actor: input.actor,
        detail: { reason: input.reason, cancelled_contacts: count },
        at: now,
      });
    }
  });
  await removeCancelledJobs(deps, cancelled);
  return cancelled.length;
}

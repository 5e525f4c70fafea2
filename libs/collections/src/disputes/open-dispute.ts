import type { DisputeModel, InvoiceModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from '../contacts/cancel-pending-contacts';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { isClosed } from '../invoice-status';
import { lockInvoice, refreshInvoice } from '../ledger';
import { randomReference } from '../references';

export type DisputeSource = 'creditor' | 'debtor_link' | 'call' | 'ivr' | 'sms';

export interface OpenDisputeInput {
  tenantId: string;
  invoiceId: string;
  source: DisputeSource;
  reason?: string | null;
  actor: Actor;
}

export interface OpenDisputeResult {
  dispute: DisputeModel;
  invoice: InvoiceModel;
  /** false: a dispute was already open; it is returned unchanged. */
  created: boolean;
  cancelledContacts: number;
}

/**
 * Opens a dispute (CONC 7.14: collection stops while a debt is disputed): the dispute with a random reference, the
 * invoice disputed, the debtor flagged for the compliance engine, the invoice's queued contacts cancelled — one
 * transaction with its timeline entry. A second dispute while one is open returns the open one.
 */
export async function openDispute(deps: CollectionsDeps, input: OpenDisputeInput): Promise<OpenDisputeResult> {
  const now = nowOf(deps);
  let cancelled: CancelledContact[] = [];
  const result = await deps.db.$transaction(async (tx) => {
    const invoice = await lockInvoice(tx, input.tenantId, input.invoiceId);
    const open = await tx.dispute.findFirst({ where: { invoiceId: invoice.id, resolvedAt: null } });
    if (open) return { dispute: open, invoice, created: false, cancelledContacts: 0 };
    if (isClosed(invoice.status)) throw CollectionsError.conflict(`Invoice is ${invoice.status}`);
    const dispute = await tx.dispute.create({
      data: {
        tenantId: input.tenantId,
        invoiceId: invoice.id,
        clientId: invoice.clientId,
        reference: randomReference('DSP'),
        source: input.source,
        reason: input.reason ?? null,
        openedAt: now,
      },
    });
    const { invoice: after } = await refreshInvoice(tx, invoice, now);
    await tx.client.update({ where: { id: invoice.clientId }, data: { disputeOpenedAt: now, disputeResolvedAt: null } });
    cancelled = await cancelPendingContactsIn(tx, { tenantId: input.tenantId, invoiceId: invoice.id, reason: 'invoice disputed' }, now);
    await recordInvoiceEvent(tx, {
      tenantId: input.tenantId,
      invoiceId: invoice.id,
      type: 'dispute_opened',
      actor: input.actor,
      fromStatus: invoice.status,
      toStatus: after.status,
      detail: { dispute_id: dispute.id, reference: dispute.reference, source: input.source, cancelled_contacts: cancelled.length },
      at: now,
    });
    return { dispute, invoice: after, created: true, cancelledContacts: cancelled.length };
  });
  await removeCancelledJobs(deps, cancelled);
  return result;
}

import type { InvoiceModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { lockInvoice, refreshInvoice } from '../ledger';

export interface ResolveDisputeInput {
  tenantId: string;
  invoiceId: string;
  resolution?: string | null;
  actor: Actor;
}

/**
 * Resolves the invoice's open dispute: the status is derived again from the ledger (collection may resume at once),
 * and the debtor's dispute flag clears when none of their invoices is still disputed.
 */
export async function resolveDispute(deps: CollectionsDeps, input: ResolveDisputeInput): Promise<InvoiceModel> {
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const invoice = await lockInvoice(tx, input.tenantId, input.invoiceId);
    const open = await tx.dispute.findMany({ where: { invoiceId: invoice.id, resolvedAt: null } });
    if (open.length === 0) throw CollectionsError.conflict('Invoice is not disputed');
    await tx.dispute.updateMany({
      where: { invoiceId: invoice.id, resolvedAt: null },
      data: { resolvedAt: now, resolution: input.resolution ?? null },
    });
    const { invoice: after } = await refreshInvoice(tx, invoice, now);
    const stillDisputed = await tx.dispute.count({ where: { clientId: invoice.clientId, resolvedAt: null } });
    if (stillDisputed === 0) await tx.client.update({ where: { id: invoice.clientId }, data: { disputeResolvedAt: now } });
    await recordInvoiceEvent(tx, {
      tenantId: input.tenantId,
      invoiceId: invoice.id,
      type: 'dispute_resolved',
      actor: input.actor,
      fromStatus: invoice.status,
      toStatus: after.status,
      detail: { references: open.map((d) => d.reference), resolution: input.resolution ?? null },
      at: now,
    });
    return after;
  });
}

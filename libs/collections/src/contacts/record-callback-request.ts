import type { InvoiceModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { isCollectable } from '../invoice-status';
import { lockInvoice } from '../ledger';

export interface CallbackRequestInput {
  tenantId: string;
  invoiceId: string;
  /** When the debtor asked to be contacted again. */
  at: Date;
  reason?: string | null;
  /** call | ivr | sms */
  source: string;
  actor: Actor;
}

export interface CallbackRequestResult {
  invoice: InvoiceModel;
  /** false: the invoice is no longer collected (paid, disputed, closed), so nothing was scheduled. */
  scheduled: boolean;
}

/**
 * The debtor asks to be called back (or to speak to a person) at a time: the invoice's next pipeline action moves to
 * that time, with its timeline entry, in one transaction. An invoice no longer collected keeps no next action.
 */
export async function recordCallbackRequest(deps: CollectionsDeps, input: CallbackRequestInput): Promise<CallbackRequestResult> {
  if (Number.isNaN(input.at.getTime())) throw CollectionsError.invalid('not a time', 'when');
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const invoice = await lockInvoice(tx, input.tenantId, input.invoiceId);
    const scheduled = isCollectable(invoice.status);
    const after = scheduled ? await tx.invoice.update({ where: { id: invoice.id }, data: { nextActionAt: input.at } }) : invoice;
    await recordInvoiceEvent(tx, {
      tenantId: input.tenantId,
      invoiceId: invoice.id,
      type: 'callback_requested',
      actor: input.actor,
      fromStatus: invoice.status,
      toStatus: invoice.status,
      detail: { when: input.at.toISOString(), reason: input.reason ?? null, source: input.source, scheduled },
      at: now,
    });
    return { invoice: after, scheduled };
  });
}

import type { PaymentPromiseModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { isCollectable } from '../invoice-status';
import { lockInvoice } from '../ledger';

export interface PromiseToPayInput {
  tenantId: string;
  invoiceId: string;
  amountPence: number;
  promisedFor: Date;
  /** call | ivr | sms | api */
  source: string;
  /** The call or message the promise came from: one promise per source. */
  sourceId?: string | null;
  actor: Actor;
}

/** A debtor's promise to pay part or all of the balance by a date; checked against payments later. */
export async function recordPromiseToPay(deps: CollectionsDeps, input: PromiseToPayInput): Promise<PaymentPromiseModel> {
  if (!Number.isInteger(input.amountPence) || input.amountPence <= 0) throw CollectionsError.invalid('amount must be positive', 'amount');
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const invoice = await lockInvoice(tx, input.tenantId, input.invoiceId);
    if (input.sourceId) {
      const same = await tx.paymentPromise.findFirst({ where: { invoiceId: invoice.id, source: input.source, sourceId: input.sourceId } });
      if (same) return same;
    }
    if (!isCollectable(invoice.status)) throw CollectionsError.conflict(`Invoice is ${invoice.status}`);
    const balance = invoice.amountPence - invoice.paidPence;
    if (input.amountPence > balance) throw CollectionsError.invalid(`more than the balance of ${balance} minor units`, 'amount');
    const promise = await tx.paymentPromise.create({
      data: {
        tenantId: input.tenantId,
        clientId: invoice.clientId,
        invoiceId: invoice.id,
        amountPence: input.amountPence,
        promisedFor: input.promisedFor,
        source: input.source,
        sourceId: input.sourceId ?? null,
      },
    });
    await recordInvoiceEvent(tx, {
      tenantId: input.tenantId,
      invoiceId: invoice.id,
      type: 'promise_to_pay',
      actor: input.actor,
      fromStatus: invoice.status,
      toStatus: invoice.status,
      detail: {
        promise_id: promise.id,
        amount_pence: input.amountPence,
        promised_for: input.promisedFor.toISOString().slice(0, 10),
        source: input.source,
      },
      at: now,
    });
    return promise;
  });
}

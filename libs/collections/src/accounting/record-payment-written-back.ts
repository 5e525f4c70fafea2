import { nowOf, type CollectionsDeps } from '../core-deps';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { booksActor } from './books-records';

export interface PaymentWrittenBackInput {
  tenantId: string;
  paymentId: string;
  provider: string;
  externalPaymentId: string;
}

/**
 * Records that a payment taken through us is now in the books (the write-back row done, with the books' payment id)
 * and puts it on the invoice's timeline, in one transaction. A second call for the same payment changes nothing.
 */
export async function recordPaymentWrittenBack(deps: CollectionsDeps, input: PaymentWrittenBackInput): Promise<{ recorded: boolean }> {
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const payment = await tx.payment.findFirst({ where: { id: input.paymentId, tenantId: input.tenantId } });
    if (!payment) throw CollectionsError.notFound('payment', 'payment_id');
    const marked = await tx.accountingWriteBack.updateMany({
      where: { paymentId: payment.id, status: { not: 'done' } },
      data: { status: 'done', externalPaymentId: input.externalPaymentId, doneAt: now, lastError: null },
    });
    if (marked.count === 0) return { recorded: false };
    const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: payment.invoiceId }, select: { status: true } });
    await recordInvoiceEvent(tx, {
      tenantId: input.tenantId,
      invoiceId: payment.invoiceId,
      type: 'payment_written_back',
      actor: booksActor(input.provider),
      fromStatus: invoice.status,
      toStatus: invoice.status,
      detail: {
        payment_id: payment.id,
        provider: input.provider,
        external_payment_id: input.externalPaymentId,
        amount_pence: payment.amountPence,
        currency: payment.currency,
      },
      at: now,
    });
    return { recorded: true };
  });
}

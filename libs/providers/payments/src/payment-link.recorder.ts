import type { Database, PaymentLinkModel } from '@recoup/db';
import type { PaymentLinkRequest, PaymentLinks } from './payment-links.port';

/**
 * Creates a payment link with the provider and records it as a PaymentLink row (found again by
 * its external id when the payment event arrives). The same idempotency key returns the same row.
 */
export async function createRecordedPaymentLink(db: Database, links: PaymentLinks, request: PaymentLinkRequest): Promise<PaymentLinkModel> {
  if (!Number.isInteger(request.amountPence) || request.amountPence <= 0) throw new RangeError('amountPence must be a positive integer');
  const lines = request.lineItems ?? [];
  if (lines.length > 0 && lines.reduce((a, l) => a + l.amountPence, 0) !== request.amountPence)
    throw new RangeError('lineItems must add up to amountPence');
  if (lines.some((l) => !Number.isInteger(l.amountPence) || l.amountPence <= 0))
    throw new RangeError('every line must be a positive integer');
  const created = await links.create(request);
  return db.paymentLink.upsert({
    where: { externalId: created.externalId },
    create: {
      tenantId: request.tenantId,
      invoiceId: request.invoiceId,
      installmentId: request.installmentId ?? null,
      provider: created.provider,
      externalId: created.externalId,
      url: created.url,
      amountPence: request.amountPence,
      currency: request.currency,
      // A pay-all link: what each invoice gets of the payment (applyCheckoutPayment).
      ...(lines.length > 0 ? { allocations: lines.map((l) => ({ invoice_id: l.invoiceId, amount_pence: l.amountPence })) } : {}),
    },
    update: {},
  });
}

import type { InvoiceModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { recordInvoiceEvent } from '../invoice-events';
import { lockInvoice, refreshInvoice } from '../ledger';

export interface RefundInput {
  /** The provider's payment id the refund is of. */
  externalId: string;
  /** The charge's cumulative refunded amount (Stripe's amount_refunded), so a repeated event changes nothing. */
  refundedPenceTotal: number;
  /** When known (Stripe metadata), the payment must belong to this tenant. */
  tenantId?: string;
  actor: Actor;
}

export interface ChargebackInput {
  externalId: string;
  /** The disputed amount; 0 or absent: whatever of the payment is not yet refunded. */
  amountPence?: number;
  tenantId?: string;
  actor: Actor;
}

export type ReversalResult = { outcome: 'applied'; invoice: InvoiceModel } | { outcome: 'unchanged' | 'unknown_payment' };

/** Money going back to the debtor (refund): the invoice is owed again by that much; only this payment's instalment reopens. */
export async function refundPayment(deps: CollectionsDeps, input: RefundInput): Promise<ReversalResult> {
  return reverse(deps, input.externalId, input.tenantId, input.actor, 'payment_refunded', (p) => ({
    delta: Math.min(input.refundedPenceTotal, p.amountPence) - p.refundedPence,
    status: (refunded: number) => (refunded >= p.amountPence ? 'refunded' : 'part_refunded'),
  }));
}

/** A chargeback takes the money back: the invoice is owed again; a repeated dispute event changes nothing. */
export async function chargebackPayment(deps: CollectionsDeps, input: ChargebackInput): Promise<ReversalResult> {
  return reverse(deps, input.externalId, input.tenantId, input.actor, 'payment_charged_back', (p) =>
    p.status === 'disputed'
      ? { delta: 0, status: () => 'disputed' }
      : {
          delta: Math.min(input.amountPence || p.amountPence - p.refundedPence, p.amountPence - p.refundedPence),
          status: () => 'disputed',
        },
  );
}

async function reverse(
  deps: CollectionsDeps,
  externalId: string,
  tenantId: string | undefined,
  actor: Actor,
  type: 'payment_refunded' | 'payment_charged_back',
  plan: (p: { amountPence: number; refundedPence: number; status: string }) => { delta: number; status: (refunded: number) => string },
): Promise<ReversalResult> {
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const found = await tx.payment.findUnique({ where: { externalId } });
    if (!found || (tenantId && found.tenantId !== tenantId)) return { outcome: 'unknown_payment' as const };
    const invoice = await lockInvoice(tx, found.tenantId, found.invoiceId);
    // Re-read under the invoice lock: a concurrent reversal of the same payment has finished by now.
    const payment = await tx.payment.findUniqueOrThrow({ where: { id: found.id } });
    if (payment.status === 'needs_review') return { outcome: 'unchanged' as const };
    const { delta, status } = plan(payment);
    if (delta <= 0 && payment.status === status(payment.refundedPence)) return { outcome: 'unchanged' as const };
    const refunded = payment.refundedPence + Math.max(0, delta);
    await tx.payment.update({ where: { id: payment.id }, data: { refundedPence: refunded, status: status(refunded) } });
    if (payment.installmentId && delta > 0) {
      // Only this tenant's instalment of this invoice's plan.
      await tx.paymentPlanInstallment.updateMany({
        where: { id: payment.installmentId, status: 'paid', paymentPlan: { tenantId: payment.tenantId, invoiceId: payment.invoiceId } },
        data: { status: 'due', paidAt: null },
      });
    }
    const { invoice: after } = await refreshInvoice(tx, invoice, now);
    await recordInvoiceEvent(tx, {
      tenantId: payment.tenantId,
      invoiceId: invoice.id,
      type,
      actor,
      fromStatus: invoice.status,
      toStatus: after.status,
      detail: { payment_id: payment.id, amount_pence: Math.max(0, delta), currency: payment.currency, paid_pence: after.paidPence },
      at: now,
    });
    return { outcome: 'applied' as const, invoice: after };
  });
}

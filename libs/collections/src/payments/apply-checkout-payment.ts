import type { InvoiceStatus } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { removeCancelledJobs, type CancelledContact } from '../contacts/cancel-pending-contacts';
import { CollectionsError } from '../errors';
import { lockInvoice } from '../ledger';
import { applyPaymentIn } from './apply-payment';

export interface CheckoutAllocation {
  invoice_id: string;
  amount_pence: number;
}

export interface ApplyCheckoutPaymentInput {
  tenantId: string;
  /** The pay-all link's provider id (a Checkout Session): its row holds what each invoice gets. */
  checkoutExternalId: string;
  /** The provider's payment id (a PaymentIntent); each invoice's share is recorded as `<paymentRef>:<invoice id>`. */
  paymentRef: string;
  amountPence: number;
  currency: string;
  method: string;
  receivedAt: Date;
  actor: Actor;
}

export interface ApplyCheckoutPaymentResult {
  /** applied: at least one share was new; duplicate: this payment was applied before; needs_review: another currency. */
  outcome: 'applied' | 'duplicate' | 'needs_review';
  invoices: Array<{ invoiceId: string; amountPence: number; outcome: 'applied' | 'duplicate' | 'needs_review'; status: InvoiceStatus }>;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === 'P2002';

/** The allocations a pay-all link was created with, checked: a link without them is a one-invoice link. */
export function checkoutAllocations(value: unknown): CheckoutAllocation[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const ok = value.every(
    (a: unknown) =>
      !!a &&
      typeof (a as CheckoutAllocation).invoice_id === 'string' &&
      Number.isInteger((a as CheckoutAllocation).amount_pence) &&
      (a as CheckoutAllocation).amount_pence > 0,
  );
  return ok ? (value as CheckoutAllocation[]) : null;
}

/**
 * One payment for several invoices (the debtor portal's pay-all Checkout Session), applied per invoice at the amount the
 * link allotted it, through applyPayment's own rules (ledger, status, instalments, queued contacts, timeline), in ONE
 * transaction: the debtor's invoices are locked in id order, then paid in the link's order (oldest first). Less than the
 * link's total pays the first invoices first; more goes to the last as credit (never lost). Another currency is kept
 * for review on the first invoice, moving no balance. Applied once: each share's external id is unique, so a repeated or
 * concurrent event finds them all and changes nothing.
 */
export async function applyCheckoutPayment(deps: CollectionsDeps, input: ApplyCheckoutPaymentInput): Promise<ApplyCheckoutPaymentResult> {
  if (!Number.isInteger(input.amountPence) || input.amountPence <= 0)
    throw CollectionsError.invalid('amount must be a positive whole number of minor units', 'amount');
  const now = nowOf(deps);
  const run = async () => {
    let cancelled: CancelledContact[] = [];
    const result = await deps.db.$transaction(async (tx) => {
      const link = await tx.paymentLink.findFirst({ where: { externalId: input.checkoutExternalId, tenantId: input.tenantId } });
      const allocations = checkoutAllocations(link?.allocations);
      if (!link || !allocations) throw CollectionsError.notFound('payment link', 'checkout_session');
      for (const id of allocations.map((a) => a.invoice_id).sort()) await lockInvoice(tx, input.tenantId, id);
      const currency = input.currency.toUpperCase();
      const base = { tenantId: input.tenantId, currency, method: input.method, receivedAt: input.receivedAt, actor: input.actor };
      const shares: Array<{ invoiceId: string; amountPence: number }> = [];
      const first = allocations[0];
      if (!first) throw CollectionsError.notFound('payment link', 'checkout_session');
      if (currency !== link.currency) {
        shares.push({ invoiceId: first.invoice_id, amountPence: input.amountPence });
      } else {
        let left = input.amountPence;
        allocations.forEach((a, n) => {
          const share = n === allocations.length - 1 ? left : Math.min(a.amount_pence, left);
          if (share > 0) shares.push({ invoiceId: a.invoice_id, amountPence: share });
          left -= share;
        });
      }
      const invoices: ApplyCheckoutPaymentResult['invoices'] = [];
      for (const share of shares) {
        const applied = await applyPaymentIn(
          tx,
          { ...base, invoiceId: share.invoiceId, amountPence: share.amountPence, externalId: `${input.paymentRef}:${share.invoiceId}` },
          now,
        );
        cancelled = [...cancelled, ...applied.cancelled];
        invoices.push({ ...share, outcome: applied.result.outcome, status: applied.result.invoice.status });
      }
      if (currency === link.currency && input.amountPence >= link.amountPence && link.status !== 'paid')
        await tx.paymentLink.update({ where: { id: link.id }, data: { status: 'paid', paidAt: input.receivedAt } });
      const outcome: ApplyCheckoutPaymentResult['outcome'] = invoices.some((i) => i.outcome === 'applied')
        ? 'applied'
        : invoices.some((i) => i.outcome === 'needs_review')
          ? 'needs_review'
          : 'duplicate';
      return { outcome, invoices };
    });
    await removeCancelledJobs(deps, cancelled);
    return result;
  };
  try {
    return await run();
  } catch (err) {
    // A concurrent delivery of the same payment committed first: run again, and every share is found applied.
    if (isUniqueViolation(err)) return run();
    throw err;
  }
}

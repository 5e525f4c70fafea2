import type { InvoiceModel, PaymentModel } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps, type Tx } from '../core-deps';
import { cancelPendingContactsIn, removeCancelledJobs, type CancelledContact } from '../contacts/cancel-pending-contacts';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { quoteInvoiceBalance } from '../balance';
import { lockInvoice, refreshInvoice } from '../ledger';

export interface ApplyPaymentInput {
  tenantId: string;
  invoiceId: string;
  /** What was actually received, in minor units of `currency`. */
  amountPence: number;
  currency: string;
  method: string;
  /** The provider's payment id (Stripe PaymentIntent, or `manual:<tenant>:<reference>`): applied once per id. */
  externalId?: string | null;
  /** An instalment of the invoice's plan this pays; must belong to the same tenant and invoice. */
  installmentId?: string | null;
  /** The Checkout Session / payment link that took it: marked paid only for its own amount and currency. */
  paymentLinkExternalId?: string | null;
  receivedAt: Date;
  actor: Actor;
  /**
   * `reject` (the creditor's API): an unknown instalment id is a not-found error.
   * `ignore` (provider webhooks): the money is real, so it is applied and the unknown id noted on the timeline.
   */
  unknownInstallment?: 'reject' | 'ignore';
}

export type ApplyPaymentResult =
  | {
      outcome: 'applied';
      payment: PaymentModel;
      invoice: InvoiceModel;
      /** Overpayment held for the debtor (paid beyond the invoice amount). */
      creditPence: number;
      cancelledContacts: number;
    }
  /** Another currency than the invoice's: recorded for a person to review; no balance moved. */
  | { outcome: 'needs_review'; payment: PaymentModel; invoice: InvoiceModel }
  /** This external id was applied before: nothing changed. */
  | { outcome: 'duplicate'; payment: PaymentModel; invoice: InvoiceModel };

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}

/**
 * Applies money received to an invoice at its real amount and currency, in one transaction with its timeline entry:
 * the ledger total and the status are recomputed from the payments (never trusted from the event), an instalment
 * or a payment link is settled only when this payment covers its own amount in its own currency, and a payment
 * in another currency is kept as `needs_review`. Any payment stops the invoice's queued contacts: the pipeline
 * decides afresh on the new balance.
 */
export async function applyPayment(deps: CollectionsDeps, input: ApplyPaymentInput): Promise<ApplyPaymentResult> {
  if (!Number.isInteger(input.amountPence) || input.amountPence <= 0) {
    throw CollectionsError.invalid('amount must be a positive whole number of minor units', 'amount');
  }
  const now = nowOf(deps);
  let cancelled: CancelledContact[] = [];
  try {
    const result = await deps.db.$transaction(async (tx) => {
      const applied = await applyPaymentIn(tx, input, now);
      cancelled = applied.cancelled;
      return applied.result;
    });
    await removeCancelledJobs(deps, cancelled);
    return result;
  } catch (err) {
    // Two deliveries of one payment raced past the duplicate check: the unique external id let one in.
    if (input.externalId && isUniqueViolation(err)) {
      const payment = await deps.db.payment.findUnique({ where: { externalId: input.externalId } });
      if (payment) {
        const invoice = await deps.db.invoice.findUniqueOrThrow({ where: { id: payment.invoiceId } });
        return { outcome: 'duplicate', payment, invoice };
      }
    }
    throw err;
  }
}

/**
 * applyPayment's work inside the caller's transaction (which must be one use case's): the invoice locked, the payment
 * recorded and the ledger, status, instalment, link and queued contacts brought up to date, with its timeline entry.
 * The caller removes the cancelled contacts' jobs after the commit.
 */
export async function applyPaymentIn(
  tx: Tx,
  input: ApplyPaymentInput,
  now: Date,
): Promise<{ result: ApplyPaymentResult; cancelled: CancelledContact[] }> {
  if (!Number.isInteger(input.amountPence) || input.amountPence <= 0) {
    throw CollectionsError.invalid('amount must be a positive whole number of minor units', 'amount');
  }
  const currency = input.currency.toUpperCase();
  let cancelled: CancelledContact[] = [];
  const result = await (async (): Promise<ApplyPaymentResult> => {
    const invoice = await lockInvoice(tx, input.tenantId, input.invoiceId);
    if (input.externalId) {
      const existing = await tx.payment.findUnique({ where: { externalId: input.externalId } });
      if (existing) return { outcome: 'duplicate' as const, payment: existing, invoice };
    }
    const installment = input.installmentId ? await installmentOf(tx, input, invoice) : null;
    const sameCurrency = currency === invoice.currency;
    // Principal first; what is left goes to late-payment charges the creditor claims (as quoted now), then is credit.
    const principalOwed = Math.max(0, invoice.amountPence - invoice.paidPence);
    const beyondPrincipal = Math.max(0, input.amountPence - principalOwed);
    const chargesPence =
      sameCurrency && beyondPrincipal > 0 ? Math.min(beyondPrincipal, await chargesOwed(tx, invoice, input.receivedAt)) : 0;
    const payment = await tx.payment.create({
      data: {
        tenantId: input.tenantId,
        invoiceId: invoice.id,
        amountPence: input.amountPence,
        currency,
        method: input.method,
        externalId: input.externalId ?? null,
        installmentId: installment?.id ?? null,
        status: sameCurrency ? 'succeeded' : 'needs_review',
        chargesPence,
        receivedAt: input.receivedAt,
      },
    });
    if (!sameCurrency) {
      await recordInvoiceEvent(tx, {
        tenantId: input.tenantId,
        invoiceId: invoice.id,
        type: 'payment_needs_review',
        actor: input.actor,
        fromStatus: invoice.status,
        toStatus: invoice.status,
        detail: {
          payment_id: payment.id,
          amount_pence: input.amountPence,
          currency,
          invoice_currency: invoice.currency,
          why: 'currency differs from the invoice; no balance changed',
        },
        at: now,
      });
      return { outcome: 'needs_review' as const, payment, invoice };
    }
    const { invoice: after } = await refreshInvoice(tx, invoice, now);
    const settled = await settleInstallmentAndLink(tx, input, invoice, installment, currency);
    if (after.status === 'paid') {
      await tx.paymentPlan.updateMany({
        where: { invoiceId: invoice.id, status: { in: ['proposed', 'active'] } },
        data: { status: 'completed' },
      });
    }
    cancelled = await cancelPendingContactsIn(
      tx,
      { tenantId: input.tenantId, invoiceId: invoice.id, reason: after.status === 'paid' ? 'invoice paid' : 'payment received' },
      now,
    );
    const creditPence = Math.max(0, after.paidPence - after.amountPence);
    await recordInvoiceEvent(tx, {
      tenantId: input.tenantId,
      invoiceId: invoice.id,
      type: 'payment_applied',
      actor: input.actor,
      fromStatus: invoice.status,
      toStatus: after.status,
      detail: {
        payment_id: payment.id,
        amount_pence: input.amountPence,
        currency,
        method: input.method,
        paid_pence: after.paidPence,
        charges_pence: chargesPence,
        balance_pence: Math.max(0, after.amountPence - after.paidPence),
        credit_pence: creditPence,
        ...settled,
        cancelled_contacts: cancelled.length,
      },
      at: now,
    });
    return { outcome: 'applied' as const, payment, invoice: after, creditPence, cancelledContacts: cancelled.length };
  })();
  return { result, cancelled };
}

/** Late-payment charges still owed on the invoice as quoted at `at` (0 unless the creditor claims them of a business). */
async function chargesOwed(tx: Tx, invoice: InvoiceModel, at: Date): Promise<number> {
  const quote = await quoteInvoiceBalance(tx, invoice, at);
  return quote.interestPence + quote.compensationPence;
}

async function installmentOf(tx: Tx, input: ApplyPaymentInput, invoice: InvoiceModel) {
  // Same tenant and same invoice, or it is not this payment's instalment (another tenant's id is indistinguishable from none).
  const found = await tx.paymentPlanInstallment.findFirst({
    where: { id: input.installmentId ?? undefined, paymentPlan: { invoiceId: invoice.id, tenantId: input.tenantId } },
  });
  if (!found && (input.unknownInstallment ?? 'reject') === 'reject') throw CollectionsError.notFound('instalment', 'installment_id');
  return found;
}

async function settleInstallmentAndLink(
  tx: Tx,
  input: ApplyPaymentInput,
  invoice: InvoiceModel,
  installment: Awaited<ReturnType<typeof installmentOf>>,
  currency: string,
): Promise<Record<string, unknown>> {
  const detail: Record<string, unknown> = {};
  if (input.installmentId && !installment) detail.unknown_installment_id = input.installmentId;
  if (installment) {
    if (installment.status === 'paid') detail.installment = 'already paid';
    else if (input.amountPence < installment.amountPence) detail.installment = 'part paid (below the instalment amount)';
    else {
      await tx.paymentPlanInstallment.update({ where: { id: installment.id }, data: { status: 'paid', paidAt: input.receivedAt } });
      const left = await tx.paymentPlanInstallment.count({ where: { paymentPlanId: installment.paymentPlanId, status: { not: 'paid' } } });
      if (left === 0) await tx.paymentPlan.update({ where: { id: installment.paymentPlanId }, data: { status: 'completed' } });
      detail.installment = 'paid';
    }
    detail.installment_id = installment.id;
  }
  if (input.paymentLinkExternalId) {
    const link = await tx.paymentLink.findFirst({
      where: { externalId: input.paymentLinkExternalId, tenantId: input.tenantId, invoiceId: invoice.id },
    });
    if (!link) detail.payment_link = 'unknown';
    else if (link.status === 'paid') detail.payment_link = 'already paid';
    else if (link.currency !== currency || input.amountPence < link.amountPence) {
      detail.payment_link = `not settled: paid ${input.amountPence} ${currency} of ${link.amountPence} ${link.currency}`;
    } else {
      await tx.paymentLink.update({ where: { id: link.id }, data: { status: 'paid', paidAt: input.receivedAt } });
      detail.payment_link = 'paid';
    }
  }
  return detail;
}

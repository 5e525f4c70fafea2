import type { Database, InvoiceModel, PaymentModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { JobProducer } from '@recoup/queue';
import { cancelPendingJobs } from '../collections/collection-jobs';
import { statusForBalance } from '../invoices/invoice.mapper';

export interface PaymentInput {
  tenantId: string;
  invoiceId: string;
  amountPence: number;
  method: string;
  /** The provider's payment id: a payment is recorded once per id. */
  externalId?: string | null;
  installmentId?: string | null;
  receivedAt: Date;
  checkoutSessionId?: string;
}

export type PaymentResult =
  | { outcome: 'recorded'; payment: PaymentModel; invoice: InvoiceModel; cancelledJobs: number }
  | { outcome: 'duplicate'; payment: PaymentModel }
  | { outcome: 'invoice_not_found' };

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}

/**
 * Money in and out of invoices: payments (manual or Stripe), refunds and chargebacks. Balances
 * move by atomic increments, so concurrent events never lose an update; the status follows.
 */
export class PaymentLedger {
  constructor(
    private readonly db: Database,
    private readonly producer: JobProducer,
    private readonly logger: Logger,
  ) {}

  async recordPayment(input: PaymentInput): Promise<PaymentResult> {
    if (input.externalId) {
      const existing = await this.db.payment.findUnique({ where: { externalId: input.externalId } });
      if (existing) return { outcome: 'duplicate', payment: existing };
    }
    let result: { payment: PaymentModel; invoice: InvoiceModel } | null;
    try {
      result = await this.db.$transaction(async (tx) => {
        const found = await tx.invoice.findFirst({ where: { id: input.invoiceId, tenantId: input.tenantId }, select: { id: true } });
        if (!found) return null;
        const payment = await tx.payment.create({
          data: {
            tenantId: input.tenantId,
            invoiceId: input.invoiceId,
            amountPence: input.amountPence,
            method: input.method,
            externalId: input.externalId ?? null,
            installmentId: input.installmentId ?? null,
            receivedAt: input.receivedAt,
          },
        });
        const bumped = await tx.invoice.update({ where: { id: input.invoiceId }, data: { paidPence: { increment: input.amountPence } } });
        const status = statusForBalance(bumped, bumped.paidPence);
        const invoice = await tx.invoice.update({
          where: { id: input.invoiceId },
          data: { status, ...(status === 'paid' ? { nextActionAt: null } : {}) },
        });
        if (input.installmentId) {
          const inst = await tx.paymentPlanInstallment.findFirst({
            where: { id: input.installmentId, paymentPlan: { invoiceId: input.invoiceId } },
          });
          if (inst && inst.status !== 'paid') {
            await tx.paymentPlanInstallment.update({ where: { id: inst.id }, data: { status: 'paid', paidAt: input.receivedAt } });
            const left = await tx.paymentPlanInstallment.count({ where: { paymentPlanId: inst.paymentPlanId, status: { not: 'paid' } } });
            if (left === 0) await tx.paymentPlan.update({ where: { id: inst.paymentPlanId }, data: { status: 'completed' } });
          }
        } else if (status === 'paid') {
          await tx.paymentPlan.updateMany({
            where: { invoiceId: input.invoiceId, status: { in: ['proposed', 'active'] } },
            data: { status: 'completed' },
          });
        }
        if (input.checkoutSessionId) {
          await tx.paymentLink.updateMany({
            where: { externalId: input.checkoutSessionId, tenantId: input.tenantId },
            data: { status: 'paid', paidAt: input.receivedAt },
          });
        }
        return { payment, invoice };
      });
    } catch (err) {
      if (input.externalId && isUniqueViolation(err)) {
        const existing = await this.db.payment.findUnique({ where: { externalId: input.externalId } });
        if (existing) return { outcome: 'duplicate', payment: existing };
      }
      throw err;
    }
    if (!result) return { outcome: 'invoice_not_found' };
    // A payment (even a part payment) stops the queued reminders: the pipeline decides afresh on its next scan.
    const cancelledJobs = await cancelPendingJobs(
      this.db,
      this.producer,
      input.invoiceId,
      result.invoice.status === 'paid' ? 'invoice paid' : 'payment received',
      this.logger,
    );
    return { outcome: 'recorded', ...result, cancelledJobs };
  }

  /** `refundedPenceTotal` is the charge's cumulative refunded amount (Stripe's amount_refunded). */
  async refund(externalId: string, refundedPenceTotal: number): Promise<InvoiceModel | null> {
    return this.db.$transaction(async (tx) => {
      const payment = await tx.payment.findUnique({ where: { externalId } });
      if (!payment) return null;
      const delta = Math.min(refundedPenceTotal, payment.amountPence) - payment.refundedPence;
      if (delta <= 0) return null;
      await tx.payment.update({
        where: { id: payment.id },
        data: {
          refundedPence: payment.refundedPence + delta,
          status: payment.refundedPence + delta >= payment.amountPence ? 'refunded' : 'part_refunded',
        },
      });
      return this.reopen(tx, payment, delta);
    });
  }

  /** A chargeback takes the money back: the invoice is owed again. */
  async chargeback(externalId: string, amountPence: number): Promise<InvoiceModel | null> {
    return this.db.$transaction(async (tx) => {
      const payment = await tx.payment.findUnique({ where: { externalId } });
      if (!payment || payment.status === 'disputed') return null;
      const delta = Math.min(amountPence || payment.amountPence, payment.amountPence - payment.refundedPence);
      await tx.payment.update({ where: { id: payment.id }, data: { status: 'disputed' } });
      if (delta <= 0) return null;
      return this.reopen(tx, payment, delta);
    });
  }

  private async reopen(
    tx: Parameters<Parameters<Database['$transaction']>[0]>[0],
    payment: PaymentModel,
    delta: number,
  ): Promise<InvoiceModel> {
    const lowered = await tx.invoice.update({ where: { id: payment.invoiceId }, data: { paidPence: { decrement: delta } } });
    const base = lowered.status === 'paid' ? { ...lowered, status: 'open' as const } : lowered;
    const status = statusForBalance(base, Math.max(lowered.paidPence, 0));
    if (payment.installmentId)
      await tx.paymentPlanInstallment.updateMany({
        where: { id: payment.installmentId, status: 'paid' },
        data: { status: 'due', paidAt: null },
      });
    return tx.invoice.update({ where: { id: payment.invoiceId }, data: { status, nextActionAt: new Date() } });
  }
}

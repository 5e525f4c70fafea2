import type { PaymentPlanInstallmentModel, PaymentPlanModel, PaymentPlanStatus } from '@recoup/db';
import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { CollectionsError } from '../errors';
import { recordInvoiceEvent } from '../invoice-events';
import { isCollectable } from '../invoice-status';
import { lockInvoice } from '../ledger';

export interface AgreePaymentPlanInput {
  tenantId: string;
  invoiceId: string;
  installments: Array<{ dueDate: Date; amountPence: number }>;
  frequency: string;
  /** `active` when the creditor set it up; `proposed` when agreed on a call and awaiting the creditor's process. */
  status: Extract<PaymentPlanStatus, 'active' | 'proposed'>;
  /** api | ivr | voice_agent | debtor_link */
  source: string;
  /**
   * Whether the instalments must add up to the balance to the penny (the default). A settlement the creditor's
   * policy allows may be below it, never above.
   */
  settlement?: boolean;
  actor: Actor;
}

export type PlanWithInstallments = PaymentPlanModel & { installments: PaymentPlanInstallmentModel[] };

export interface AgreePaymentPlanResult {
  plan: PlanWithInstallments;
  /** false: the invoice already had an open plan, returned unchanged. */
  created: boolean;
}

/** Records a payment plan on an invoice with an outstanding balance, in one transaction with its timeline entry. */
export async function agreePaymentPlan(deps: CollectionsDeps, input: AgreePaymentPlanInput): Promise<AgreePaymentPlanResult> {
  if (input.installments.length === 0) throw CollectionsError.invalid('a plan needs at least one instalment', 'installments');
  if (input.installments.some((i) => !Number.isInteger(i.amountPence) || i.amountPence <= 0)) {
    throw CollectionsError.invalid('every instalment must be a positive amount', 'installments');
  }
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const invoice = await lockInvoice(tx, input.tenantId, input.invoiceId);
    const existing = await tx.paymentPlan.findFirst({
      where: { invoiceId: invoice.id, status: { in: ['proposed', 'active'] } },
      include: { installments: true },
    });
    if (existing) return { plan: existing, created: false };
    if (!isCollectable(invoice.status))
      throw CollectionsError.conflict(`Invoice is ${invoice.status}: a plan needs an outstanding balance`);
    const balance = invoice.amountPence - invoice.paidPence;
    const total = input.installments.reduce((a, i) => a + i.amountPence, 0);
    if (input.settlement ? total > balance : total !== balance) {
      throw CollectionsError.invalid(`instalments add up to ${total} but the balance is ${balance} (minor units)`, 'installments');
    }
    const plan = await tx.paymentPlan.create({
      data: {
        tenantId: input.tenantId,
        invoiceId: invoice.id,
        status: input.status,
        totalPence: total,
        installmentCount: input.installments.length,
        frequency: input.frequency,
        firstPaymentDate: input.installments.reduce((a, i) => (i.dueDate < a ? i.dueDate : a), input.installments[0]?.dueDate ?? now),
        source: input.source,
        installments: { create: input.installments.map((i, n) => ({ sequence: n + 1, dueDate: i.dueDate, amountPence: i.amountPence })) },
      },
      include: { installments: true },
    });
    await recordInvoiceEvent(tx, {
      tenantId: input.tenantId,
      invoiceId: invoice.id,
      type: 'payment_plan_agreed',
      actor: input.actor,
      fromStatus: invoice.status,
      toStatus: invoice.status,
      detail: {
        payment_plan_id: plan.id,
        status: plan.status,
        total_pence: total,
        installments: plan.installmentCount,
        source: input.source,
      },
      at: now,
    });
    return { plan, created: true };
  });
}

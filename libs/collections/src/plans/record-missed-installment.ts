import { nowOf, type Actor, type CollectionsDeps } from '../core-deps';
import { recordInvoiceEvent } from '../invoice-events';
import { lockInvoice } from '../ledger';

export interface MissedInstallmentInput {
  installmentId: string;
  /** Misses after which the plan has defaulted (broken) and the invoice returns to the pipeline. */
  missesToDefault: number;
  actor: Actor;
}

export type MissedInstallmentResult =
  | { outcome: 'not_due' | 'unknown' }
  | { outcome: 'missed'; invoiceId: string; tenantId: string; clientId: string; planId: string; defaulted: boolean; missed: number };

/**
 * An instalment still unpaid after its grace period: marked missed; at `missesToDefault` misses the plan is broken
 * (defaulted) and the invoice is due for the pipeline's attention now.
 */
export async function recordMissedInstallment(deps: CollectionsDeps, input: MissedInstallmentInput): Promise<MissedInstallmentResult> {
  const now = nowOf(deps);
  return deps.db.$transaction(async (tx) => {
    const found = await tx.paymentPlanInstallment.findUnique({ where: { id: input.installmentId }, include: { paymentPlan: true } });
    if (!found) return { outcome: 'unknown' as const };
    const invoice = await lockInvoice(tx, found.paymentPlan.tenantId, found.paymentPlan.invoiceId);
    const inst = await tx.paymentPlanInstallment.findUniqueOrThrow({ where: { id: found.id }, include: { paymentPlan: true } });
    if (inst.status !== 'due' || !['active', 'proposed'].includes(inst.paymentPlan.status)) return { outcome: 'not_due' as const };
    await tx.paymentPlanInstallment.update({ where: { id: inst.id }, data: { status: 'missed' } });
    const missed = await tx.paymentPlanInstallment.count({ where: { paymentPlanId: inst.paymentPlanId, status: 'missed' } });
    const defaulted = missed >= input.missesToDefault;
    if (defaulted) {
      await tx.paymentPlan.update({ where: { id: inst.paymentPlanId }, data: { status: 'defaulted' } });
      await tx.invoice.update({ where: { id: invoice.id }, data: { nextActionAt: now } });
    }
    await recordInvoiceEvent(tx, {
      tenantId: invoice.tenantId,
      invoiceId: invoice.id,
      type: 'payment_plan_broken',
      actor: input.actor,
      fromStatus: invoice.status,
      toStatus: invoice.status,
      detail: { payment_plan_id: inst.paymentPlanId, installment_id: inst.id, sequence: inst.sequence, missed, defaulted },
      at: now,
    });
    return {
      outcome: 'missed' as const,
      invoiceId: invoice.id,
      tenantId: invoice.tenantId,
      clientId: invoice.clientId,
      planId: inst.paymentPlanId,
      defaulted,
      missed,
    };
  });
}

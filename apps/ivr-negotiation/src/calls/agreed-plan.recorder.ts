import { agreePaymentPlan, dateOnly, isoDate, londonToday, recordQueuedContact, type CollectionsDeps } from '@recoup/collections';
import type { JobProducer } from '@recoup/queue';
import type { PlanOffer } from '../negotiation/policy';
import type { IvrCall } from './ivr-call.repository';

const DAY = 86_400_000;
/** The first instalment falls due a week after the call: time to receive the written confirmation first. */
const FIRST_PAYMENT_AFTER_DAYS = 7;

function monthlyDates(firstIso: string, count: number): Date[] {
  const [y, m, d] = firstIso.split('-').map(Number) as [number, number, number];
  return Array.from({ length: count }, (_, i) => {
    // The same day each month, clamped to the month's last day (31 January -> 28/29 February).
    const last = new Date(Date.UTC(y, m - 1 + i + 1, 0)).getUTCDate();
    return new Date(Date.UTC(y, m - 1 + i, Math.min(d, last)));
  });
}

/** Instalment amounts of a plan: `months - 1` of the monthly amount and the remainder last. */
export function instalments(plan: PlanOffer): number[] {
  return Array.from({ length: plan.months }, (_, i) => (i === plan.months - 1 ? plan.finalPence : plan.monthlyPence));
}

/**
 * What a plan agreed on the phone becomes: a PaymentPlan on the invoice through the collections core (source `ivr`,
 * status `proposed` until the creditor's usual process activates it, with its timeline entry) and the written
 * confirmation the call promised, recorded and then queued for the notifier (which applies compliance and tier
 * limits at send time). Throws the core's `CollectionsError` when the invoice no longer takes a plan.
 */
export class AgreedPlanRecorder {
  constructor(private readonly o: CollectionsDeps & { producer: JobProducer }) {}

  async record(call: IvrCall, plan: PlanOffer): Promise<string | null> {
    if (!call.invoiceId || !call.clientId) return null;
    const now = this.o.clock?.() ?? new Date();
    const first = isoDate(londonToday(new Date(now.getTime() + FIRST_PAYMENT_AFTER_DAYS * DAY)));
    const amounts = instalments(plan);
    const dates = monthlyDates(first, amounts.length);
    const { plan: agreed, created } = await agreePaymentPlan(this.o, {
      tenantId: call.tenantId,
      invoiceId: call.invoiceId,
      installments: amounts.map((amountPence, i) => ({ dueDate: dates[i] ?? dateOnly(first), amountPence })),
      frequency: 'monthly',
      status: 'proposed',
      source: 'ivr',
      // Only a plan the policy's settlement discount produced may total less than the balance.
      settlement: plan.kind === 'settlement',
      actor: 'ivr',
    });
    // A plan already open on the invoice was confirmed in writing when it was agreed.
    if (!created) return agreed.id;

    const client = await this.o.db.client.findUnique({ where: { id: call.clientId }, select: { email: true, phone: true } });
    const channel = client?.email ? 'email' : client?.phone ? 'sms' : null;
    if (channel) {
      const jobId = `ivr-plan-${agreed.id}-confirmation`;
      const templateId = `payment_plan_confirmation.${channel}`;
      // The row first, then the job: a job without a row is never sent.
      await recordQueuedContact(this.o.db, {
        tenantId: call.tenantId,
        clientId: call.clientId,
        invoiceId: call.invoiceId,
        channel,
        purpose: 'payment_plan_confirmation',
        templateId,
        jobId,
        scheduledFor: now,
        detail: { payment_plan_id: agreed.id, ivr_call_id: call.id },
      });
      const data = {
        tenant_id: call.tenantId,
        client_id: call.clientId,
        invoice_id: call.invoiceId,
        template_id: templateId,
        purpose: 'payment_plan_confirmation' as const,
        requested_by: `ivr-call:${call.id}`,
      };
      if (channel === 'email') await this.o.producer.enqueue('email.send', { ...data, channel }, { jobId });
      else await this.o.producer.enqueue('sms.send', { ...data, channel }, { jobId });
    }
    return agreed.id;
  }
}

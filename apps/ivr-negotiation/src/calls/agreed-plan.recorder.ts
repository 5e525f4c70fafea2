import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { JobProducer } from '@recoup/queue';
import type { PlanOffer } from '../negotiation/policy';
import type { IvrCall } from './ivr-call.repository';

const DAY = 86_400_000;
/** The first instalment falls due a week after the call: time to receive the written confirmation first. */
const FIRST_PAYMENT_AFTER_DAYS = 7;

const londonToday = (now: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(now);

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
 * What a plan agreed on the phone becomes: a PaymentPlan on the invoice (source `ivr`, status
 * `proposed` until the creditor's usual process activates it) and the written confirmation the
 * call promised, queued for the notifier (which applies compliance and tier limits at send time).
 */
export class AgreedPlanRecorder {
  constructor(private readonly o: { db: Database; producer: JobProducer; logger: Logger; clock?: () => Date }) {}

  async record(call: IvrCall, plan: PlanOffer): Promise<string | null> {
    const { db } = this.o;
    if (!call.invoiceId || !call.clientId) return null;
    const existing = await db.paymentPlan.findFirst({
      where: { invoiceId: call.invoiceId, status: { in: ['proposed', 'active'] } },
      select: { id: true },
    });
    if (existing) return existing.id;
    const client = await db.client.findUnique({ where: { id: call.clientId }, select: { email: true, phone: true } });
    const now = this.o.clock?.() ?? new Date();
    const first = londonToday(new Date(now.getTime() + FIRST_PAYMENT_AFTER_DAYS * DAY));
    const amounts = instalments(plan);
    const dates = monthlyDates(first, amounts.length);
    const created = await db.paymentPlan.create({
      data: {
        tenantId: call.tenantId,
        invoiceId: call.invoiceId,
        status: 'proposed',
        totalPence: plan.totalPence,
        installmentCount: amounts.length,
        frequency: 'monthly',
        firstPaymentDate: dates[0] ?? new Date(`${first}T00:00:00Z`),
        source: 'ivr',
        installments: { create: amounts.map((amountPence, i) => ({ sequence: i + 1, dueDate: dates[i] ?? new Date(), amountPence })) },
      },
    });
    const channel = client?.email ? 'email' : client?.phone ? 'sms' : null;
    if (channel) {
      const jobId = `ivr-plan-${created.id}-confirmation`;
      const templateId = `payment_plan_confirmation.${channel}`;
      await db.contactAttempt.create({
        data: {
          tenantId: call.tenantId,
          clientId: call.clientId,
          invoiceId: call.invoiceId,
          channel,
          purpose: 'payment_plan_confirmation',
          templateId,
          status: 'queued',
          jobId,
          scheduledFor: now,
          detail: { payment_plan_id: created.id, ivr_call_id: call.id },
        },
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
    return created.id;
  }
}

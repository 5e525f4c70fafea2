import { DateTime } from 'luxon';
import { toMajor, toPence, type CreatePaymentPlanRequest, type PlanFrequency } from '@recoup/contracts';
import { agreePaymentPlan, recordMissedInstallment, recordQueuedContact } from '@recoup/collections';
import type { Database, PaymentPlanInstallmentModel, PaymentPlanModel } from '@recoup/db';
import { HttpProblem } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import type { JobProducer } from '@recoup/queue';
import type { CollectionsScheduler } from '../collections/collections-scheduler';
import type { EscalationService } from '../collections/escalation.service';
import type { TenantDirectory, TenantRecord } from '../http/tenant-context';
import { COLLECTABLE, ZONE, dateOnly, isoDate, londonToday } from '../invoices/invoice.mapper';

const DAY = 86_400_000;
/** Reminder this many days before each instalment; a missed instalment is declared after the grace days. */
export const REMINDER_DAYS_BEFORE = 3;
export const GRACE_DAYS = 3;
/** A plan with this many missed instalments has defaulted: the invoice returns to the pipeline. */
export const MISSES_TO_DEFAULT = 2;
/** The furthest a first payment may be put off (the debtor's choice, within reason). */
export const MAX_FIRST_PAYMENT_DAYS = 60;

function badField(field: string, detail: string): HttpProblem {
  return HttpProblem.badRequest(`${field}: ${detail}`, [{ field: `body.${field}`, pointer: `/${field.replace(/\./g, '/')}`, detail }]);
}

export function scheduleDates(first: string, count: number, frequency: PlanFrequency): string[] {
  const start = DateTime.fromISO(first, { zone: 'utc' });
  return Array.from(
    { length: count },
    (_, i) =>
      (frequency === 'weekly'
        ? start.plus({ weeks: i })
        : frequency === 'fortnightly'
          ? start.plus({ weeks: 2 * i })
          : start.plus({ months: i })
      ).toISODate() ?? first,
  );
}

/** Splits pence evenly; the odd pennies go on the first instalments, so no instalment is ever above the rest by more than 1p. */
export function splitEvenly(totalPence: number, count: number): number[] {
  const base = Math.floor(totalPence / count);
  const extra = totalPence - base * count;
  return Array.from({ length: count }, (_, i) => base + (i < extra ? 1 : 0));
}

export function planJson(plan: PaymentPlanModel & { installments: PaymentPlanInstallmentModel[] }) {
  return {
    id: plan.id,
    invoice_id: plan.invoiceId,
    status: plan.status,
    total: toMajor(plan.totalPence),
    installment_count: plan.installmentCount,
    frequency: plan.frequency,
    first_payment_date: isoDate(plan.firstPaymentDate),
    installments: [...plan.installments]
      .sort((a, b) => a.sequence - b.sequence)
      .map((i) => ({
        id: i.id,
        sequence: i.sequence,
        due_date: isoDate(i.dueDate),
        amount: toMajor(i.amountPence),
        status: i.status,
        paid_at: i.paidAt ? i.paidAt.toISOString() : null,
      })),
    created_at: plan.createdAt.toISOString(),
  };
}

/**
 * Payment plans, affordability first (CONC 7.3.4R: show affordable options, never pressure
 * into a lump sum): instalments must add up to the balance to the penny, follow the chosen
 * frequency from the first date, and stay within what the debtor says they can afford.
 */
export class PaymentPlanService {
  constructor(
    private readonly deps: {
      db: Database;
      producer: JobProducer;
      scheduler: CollectionsScheduler;
      escalation: EscalationService;
      tenants: TenantDirectory;
      logger: Logger;
    },
  ) {}

  async create(tenant: TenantRecord, body: CreatePaymentPlanRequest, now = new Date()) {
    const { db } = this.deps;
    const invoice = await db.invoice.findFirst({ where: { id: body.invoice_id, tenantId: tenant.id } });
    if (!invoice) throw HttpProblem.notFound('No such invoice');
    if (!COLLECTABLE.includes(invoice.status))
      throw HttpProblem.conflict(`Invoice is ${invoice.status}: a plan needs an outstanding balance`);
    const active = await db.paymentPlan.findFirst({
      where: { invoiceId: invoice.id, status: { in: ['proposed', 'active'] } },
      select: { id: true },
    });
    if (active) throw HttpProblem.conflict(`Invoice already has an active payment plan (${active.id})`);
    const balance = invoice.amountPence - invoice.paidPence;

    const today = isoDate(londonToday(now));
    if (body.first_payment_date < today) throw badField('first_payment_date', 'must not be in the past');
    const latest = isoDate(new Date(londonToday(now).getTime() + MAX_FIRST_PAYMENT_DAYS * DAY));
    if (body.first_payment_date > latest) throw badField('first_payment_date', `must be within ${MAX_FIRST_PAYMENT_DAYS} days`);

    let schedule: Array<{ dueDate: string; amountPence: number }>;
    if (body.installments) {
      schedule = body.installments.map((i) => ({ dueDate: i.due_date, amountPence: toPence(i.amount) }));
      const expected = scheduleDates(body.first_payment_date, schedule.length, body.frequency);
      schedule.forEach((s, i) => {
        if (s.dueDate !== expected[i])
          throw badField(
            `installments.${i}.due_date`,
            `expected ${expected[i]} for a ${body.frequency} plan starting ${body.first_payment_date}`,
          );
      });
      const sum = schedule.reduce((a, s) => a + s.amountPence, 0);
      if (sum !== balance)
        throw badField(
          'installments',
          `instalments add up to ${toMajor(sum).toFixed(2)} but the balance is ${toMajor(balance).toFixed(2)}`,
        );
    } else {
      const count = body.installment_count ?? 1;
      if (count > balance) throw badField('installment_count', 'more instalments than pence owed');
      const dates = scheduleDates(body.first_payment_date, count, body.frequency);
      schedule = splitEvenly(balance, count).map((amountPence, i) => ({ dueDate: dates[i] ?? body.first_payment_date, amountPence }));
    }
    if (body.affordable_amount !== undefined) {
      const affordable = toPence(body.affordable_amount);
      const largest = Math.max(...schedule.map((s) => s.amountPence));
      if (largest > affordable) {
        const needed = Math.ceil(balance / affordable);
        throw new HttpProblem(
          422,
          'Unprocessable Content',
          `An instalment of ${toMajor(largest).toFixed(2)} is above the affordable ${toMajor(affordable).toFixed(2)}; ${needed} instalments of at most that amount would fit`,
          {
            type: 'https://recoup.dev/problems/unaffordable-plan',
            errors: [{ field: 'body.affordable_amount', pointer: '/affordable_amount', detail: `needs at least ${needed} instalments` }],
            suggested_installment_count: needed,
          },
        );
      }
    }

    const { plan, created } = await agreePaymentPlan(
      { db, producer: this.deps.producer, logger: this.deps.logger, clock: () => now },
      {
        tenantId: tenant.id,
        invoiceId: invoice.id,
        installments: schedule.map((s) => ({ dueDate: dateOnly(s.dueDate), amountPence: s.amountPence })),
        frequency: body.frequency,
        status: 'active',
        source: body.source ?? 'api',
        actor: 'api',
      },
    );
    if (!created) throw HttpProblem.conflict(`Invoice already has an active payment plan (${plan.id})`);
    await this.scheduleReminders(plan, invoice.clientId, now);
    return plan;
  }

  /** A confirmation now; before each instalment a reminder (delayed notifier job); after its grace period a check. */
  private async scheduleReminders(
    plan: PaymentPlanModel & { installments: PaymentPlanInstallmentModel[] },
    clientId: string,
    now: Date,
  ): Promise<void> {
    const { db, producer, scheduler } = this.deps;
    const jobs: Array<{
      jobId: string;
      templateId: string;
      purpose: 'payment_plan' | 'payment_plan_confirmation';
      at: Date;
      variables: Record<string, string>;
    }> = [
      {
        jobId: `plan-${plan.id}-confirmation`,
        templateId: 'payment_plan_confirmation.email',
        purpose: 'payment_plan_confirmation',
        at: now,
        variables: {},
      },
    ];
    for (const inst of plan.installments) {
      const nine = DateTime.fromISO(`${isoDate(inst.dueDate)}T09:00`, { zone: ZONE })
        .minus({ days: REMINDER_DAYS_BEFORE })
        .toJSDate();
      jobs.push({
        jobId: `plan-${plan.id}-i${inst.sequence}-reminder`,
        templateId: 'payment_plan_confirmation.email',
        purpose: 'payment_plan',
        at: nine.getTime() > now.getTime() ? nine : now,
        variables: {
          installment_amount: toMajor(inst.amountPence).toFixed(2),
          installment_due_date: isoDate(inst.dueDate),
          installment_number: String(inst.sequence),
        },
      });
      await scheduler.scheduleInstalmentCheck(inst.id, new Date(inst.dueDate.getTime() + (GRACE_DAYS + 1) * DAY), now.getTime());
    }
    for (const job of jobs) {
      await recordQueuedContact(db, {
        tenantId: plan.tenantId,
        clientId,
        invoiceId: plan.invoiceId,
        channel: 'email',
        purpose: job.purpose,
        templateId: job.templateId,
        jobId: job.jobId,
        scheduledFor: job.at,
        detail: { payment_plan_id: plan.id },
      });
      await producer.enqueue(
        'email.send',
        {
          tenant_id: plan.tenantId,
          client_id: clientId,
          invoice_id: plan.invoiceId,
          template_id: job.templateId,
          purpose: job.purpose,
          requested_by: 'payment-plan',
          channel: 'email',
          ...(Object.keys(job.variables).length ? { variables: job.variables } : {}),
        },
        { jobId: job.jobId, delayMs: Math.max(job.at.getTime() - now.getTime(), 0) || undefined },
      );
    }
  }

  /** After an instalment's grace period: missed unless paid; two misses default the plan and the invoice returns to the pipeline. */
  async checkInstalment(installmentId: string, now = new Date()): Promise<'paid' | 'missed' | 'defaulted' | 'ignored'> {
    const { db } = this.deps;
    const inst = await db.paymentPlanInstallment.findUnique({
      where: { id: installmentId },
      include: { paymentPlan: { include: { invoice: true } } },
    });
    if (!inst) return 'ignored';
    if (inst.status === 'paid') return 'paid';
    const plan = inst.paymentPlan;
    if (plan.status !== 'active' || !COLLECTABLE.includes(plan.invoice.status)) return 'ignored';
    const missed = await recordMissedInstallment(
      { db, producer: this.deps.producer, logger: this.deps.logger, clock: () => now },
      { installmentId: inst.id, missesToDefault: MISSES_TO_DEFAULT, actor: 'payment-plan' },
    );
    if (missed.outcome !== 'missed') return 'ignored';
    if (missed.defaulted) return 'defaulted';
    // One miss: a gentle reminder with the amount (through compliance and tier limits), never a threat.
    const [client, tenant] = await Promise.all([
      db.client.findUnique({ where: { id: plan.invoice.clientId } }),
      this.deps.tenants.get(plan.tenantId),
    ]);
    if (client && tenant) {
      try {
        const result = await this.deps.escalation.escalate({
          tenant,
          invoice: plan.invoice,
          client,
          action: client.email ? 'email' : 'letter',
          stage: 'gentle_reminder',
          actor: 'payment-plan',
          initiatedBy: 'automation',
          key: `missed-${inst.id}`,
          variables: {
            installment_amount: toMajor(inst.amountPence).toFixed(2),
            installment_due_date: isoDate(inst.dueDate),
            installment_number: String(inst.sequence),
          },
        });
        if (result.outcome !== 'queued' && result.outcome !== 'duplicate') {
          this.deps.logger.info({ installmentId, outcome: result.outcome }, 'missed-instalment reminder not sent');
        }
      } catch (err) {
        this.deps.logger.info({ installmentId, err: { message: (err as Error).message } }, 'missed-instalment reminder not sent');
      }
    }
    return 'missed';
  }
}

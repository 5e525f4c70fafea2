import type { CollectionStage, EscalationAction } from '@recoup/contracts';
import type { Database, InvoiceModel } from '@recoup/db';
import { HttpProblem } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import type { TenantDirectory } from '../http/tenant-context';
import { COLLECTABLE, londonToday } from '../invoices/invoice.mapper';
import type { EscalationService } from './escalation.service';
import type { StrategyService } from './strategy.service';

const DAY = 86_400_000;
/** Days between automatic stages: time to pay (or answer) before the next, firmer step. */
export const STAGE_GAP_DAYS = 7;

export type ScanOutcome = 'escalated' | 'not_due' | 'left' | 'on_plan' | 'blocked' | 'limited' | 'done';

interface Step {
  stage: CollectionStage;
  channel: EscalationAction;
}

/**
 * The automatic pipeline: for each overdue invoice whose next action is due, ask for the
 * strategy, pick the next stage (reminder, escalation, final notice, AI call where the tier
 * allows) and escalate within compliance and tier limits. Paid, disputed, cancelled and
 * written-off invoices leave at once (and their queued jobs were cancelled when that happened).
 */
export class CollectionsPipeline {
  constructor(
    private readonly deps: {
      db: Database;
      tenants: TenantDirectory;
      strategy: StrategyService;
      escalation: EscalationService;
      logger: Logger;
    },
  ) {}

  async scanAll(now = new Date()): Promise<Record<ScanOutcome, number>> {
    const today = londonToday(now);
    await this.deps.db.invoice.updateMany({ where: { status: 'open', dueDate: { lt: today } }, data: { status: 'overdue' } });
    const counts: Record<ScanOutcome, number> = { escalated: 0, not_due: 0, left: 0, on_plan: 0, blocked: 0, limited: 0, done: 0 };
    let cursor: string | undefined;
    for (;;) {
      const batch = await this.deps.db.invoice.findMany({
        where: {
          status: { in: [...COLLECTABLE] },
          dueDate: { lt: today },
          OR: [{ nextActionAt: null }, { nextActionAt: { lte: now } }],
          ...(cursor ? { id: { gt: cursor } } : {}),
        },
        orderBy: { id: 'asc' },
        take: 200,
      });
      for (const invoice of batch) {
        try {
          counts[await this.process(invoice, now)]++;
        } catch (err) {
          this.deps.logger.warn({ invoiceId: invoice.id, err: { message: (err as Error).message } }, 'automatic collection step failed');
        }
      }
      if (batch.length < 200) break;
      cursor = batch[batch.length - 1]?.id;
    }
    this.deps.logger.info({ counts }, 'collections scan finished');
    return counts;
  }

  async scanInvoice(invoiceId: string, now = new Date()): Promise<ScanOutcome> {
    const invoice = await this.deps.db.invoice.findUnique({ where: { id: invoiceId } });
    if (!invoice) return 'left';
    return this.process(invoice, now);
  }

  async process(invoice: InvoiceModel, now = new Date()): Promise<ScanOutcome> {
    if (!COLLECTABLE.includes(invoice.status)) return 'left';
    if (invoice.dueDate.getTime() >= londonToday(now).getTime()) return 'not_due';
    if (invoice.nextActionAt && invoice.nextActionAt.getTime() > now.getTime()) return 'not_due';
    const plan = await this.deps.db.paymentPlan.findFirst({ where: { invoiceId: invoice.id, status: 'active' }, select: { id: true } });
    if (plan) return 'on_plan';
    const [client, tenant] = await Promise.all([
      this.deps.db.client.findUnique({ where: { id: invoice.clientId } }),
      this.deps.tenants.get(invoice.tenantId),
    ]);
    if (!client || !tenant) return 'left';
    const strategy = await this.deps.strategy.strategy(invoice, client, tenant, 'pipeline');
    let level = invoice.collectionStage + 1;
    if ((strategy.band === 'immediate_escalation' || strategy.band === 'consider_write_off') && level < 3) level++;
    const aiAllowed = (tenant.limits.monthly.ai_calls ?? 0) > 0 && Boolean(client.phone);
    const smsAllowed = (tenant.limits.monthly.sms ?? 0) > 0 && Boolean(client.phone);
    const written: EscalationAction = client.email ? 'email' : 'letter';
    const steps: Record<number, Step | undefined> = {
      1: { stage: 'gentle_reminder', channel: written },
      2: { stage: 'standard_escalation', channel: smsAllowed ? 'sms' : written },
      3: { stage: 'final_notice', channel: client.email ? 'email' : 'letter' },
      4: aiAllowed ? { stage: 'final_notice', channel: 'ai_call' } : undefined,
    };
    const step = steps[level];
    if (!step) {
      // Every automatic stage is done: the invoice waits for a person (or a payment).
      await this.deps.db.invoice.update({
        where: { id: invoice.id },
        data: { nextActionAt: null, collectionStage: Math.max(invoice.collectionStage, 4) },
      });
      return 'done';
    }
    try {
      await this.deps.escalation.escalate({
        tenant,
        invoice,
        client,
        action: step.channel,
        stage: step.stage,
        actor: 'pipeline',
        initiatedBy: 'automation',
        key: `auto-${invoice.id}-L${level}`,
      });
      await this.deps.db.invoice.update({
        where: { id: invoice.id },
        data: { collectionStage: level, nextActionAt: new Date(now.getTime() + STAGE_GAP_DAYS * DAY) },
      });
      return 'escalated';
    } catch (err) {
      if (!(err instanceof HttpProblem)) throw err;
      // Blocked (dispute, stop, breathing space...) or over the tier: look again tomorrow.
      await this.deps.db.invoice.update({ where: { id: invoice.id }, data: { nextActionAt: new Date(now.getTime() + DAY) } });
      if (err.status === 429) return 'limited';
      if (err.status === 409) return 'left';
      return 'blocked';
    }
  }
}

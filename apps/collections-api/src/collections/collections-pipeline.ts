import {
  COLLECTABLE_STATUSES,
  LAST_AUTOMATIC_LEVEL,
  isCollectable,
  londonToday,
  markOverdueInvoices,
  nextContact,
  recordPipelineStep,
  type CollectionsDeps,
} from '@recoup/collections';
import type { Database, InvoiceModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { TenantDirectory } from '../http/tenant-context';
import { isQueued, type EscalationResult, type EscalationService, type QueuedEscalation } from './escalation.service';
import { contactReach, type StrategyService } from './strategy.service';

const DAY = 86_400_000;
/** Days between automatic stages: time to pay (or answer) before the next, firmer step. */
export const STAGE_GAP_DAYS = 7;
const ACTOR = 'pipeline';

export type ScanOutcome = 'escalated' | 'not_due' | 'left' | 'on_plan' | 'blocked' | 'limited' | 'done';

/** What the pipeline reports for an escalation that queued nothing. */
const SCAN_OUTCOME_OF: Record<Exclude<EscalationResult, QueuedEscalation>['outcome'], ScanOutcome> = {
  not_collectable: 'left',
  refused_by_compliance: 'blocked',
  rate_limited: 'limited',
  queue_unavailable: 'blocked',
};

/**
 * The automatic pipeline: for each overdue invoice whose next action is due, ask for the
 * prediction, pick the next stage of the collection ladder (`nextContact`: reminder, escalation,
 * final notice, AI call where the tier allows) and escalate within compliance and tier limits.
 * Paid, disputed, cancelled and written-off invoices leave at once (and their queued jobs were
 * cancelled when that happened).
 */
export class CollectionsPipeline {
  private readonly core: CollectionsDeps;

  constructor(
    private readonly deps: {
      db: Database;
      tenants: TenantDirectory;
      strategy: StrategyService;
      escalation: EscalationService;
      logger: Logger;
    },
  ) {
    this.core = { db: deps.db, logger: deps.logger };
  }

  async scanAll(now = new Date()): Promise<Record<ScanOutcome, number>> {
    const today = londonToday(now);
    await markOverdueInvoices({ ...this.core, clock: () => now }, { actor: ACTOR });
    const counts: Record<ScanOutcome, number> = { escalated: 0, not_due: 0, left: 0, on_plan: 0, blocked: 0, limited: 0, done: 0 };
    let cursor: string | undefined;
    for (;;) {
      const batch = await this.deps.db.invoice.findMany({
        where: {
          status: { in: [...COLLECTABLE_STATUSES] },
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
    if (!isCollectable(invoice.status)) return 'left';
    if (invoice.dueDate.getTime() >= londonToday(now).getTime()) return 'not_due';
    if (invoice.nextActionAt && invoice.nextActionAt.getTime() > now.getTime()) return 'not_due';
    const plan = await this.deps.db.paymentPlan.findFirst({ where: { invoiceId: invoice.id, status: 'active' }, select: { id: true } });
    if (plan) return 'on_plan';
    const [client, tenant] = await Promise.all([
      this.deps.db.client.findUnique({ where: { id: invoice.clientId } }),
      this.deps.tenants.get(invoice.tenantId),
    ]);
    if (!client || !tenant) return 'left';
    const { band } = await this.deps.strategy.prediction(invoice, client);
    const step = nextContact(invoice.collectionStage, band, contactReach(client, tenant));
    const core = { ...this.core, clock: () => now };
    const bookkeeping = { tenantId: invoice.tenantId, invoiceId: invoice.id, actor: ACTOR };
    if (!step) {
      // Every automatic stage is done: the invoice waits for a person (or a payment).
      await recordPipelineStep(core, { ...bookkeeping, reachedStage: LAST_AUTOMATIC_LEVEL, nextActionAt: null });
      return 'done';
    }
    const result = await this.deps.escalation.escalate({
      tenant,
      invoice,
      client,
      action: step.channel,
      stage: step.stage,
      actor: ACTOR,
      initiatedBy: 'automation',
      key: `auto-${invoice.id}-L${step.level}`,
    });
    if (isQueued(result)) {
      await recordPipelineStep(core, {
        ...bookkeeping,
        reachedStage: step.level,
        nextActionAt: new Date(now.getTime() + STAGE_GAP_DAYS * DAY),
      });
      return 'escalated';
    }
    // Blocked (stop, breathing space, contact hours...), over the tier or the queue down: look again tomorrow.
    // Not collectable any more: recordPipelineStep leaves it alone.
    await recordPipelineStep(core, { ...bookkeeping, nextActionAt: new Date(now.getTime() + DAY) });
    return SCAN_OUTCOME_OF[result.outcome];
  }
}

import {
  COLLECTABLE_STATUSES,
  LAST_AUTOMATIC_LEVEL,
  isCollectable,
  londonToday,
  markOverdueInvoices,
  nextContact,
  recordPipelineStep,
  type CollectionsDeps,
  type NextContact,
} from '@recoup/collections';
import type { ClientModel, Database, InvoiceModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { TenantDirectory, TenantRecord } from '../http/tenant-context';
import { isQueued, type EscalationResult, type EscalationService, type QueuedEscalation } from './escalation.service';
import { STATEMENT_STAGES, type StatementChannel, type StatementEscalation } from './statement-escalation';
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
 * A debtor's reminders due on one channel in the same run go out as ONE statement listing every
 * invoice (StatementEscalation), unless the tenant keeps one message per invoice.
 * Paid, disputed, cancelled and written-off invoices leave at once (and their queued jobs were
 * cancelled when that happened).
 */
/** A step the pipeline decided on, before it is sent (alone, or in a statement with the debtor's other steps). */
interface PlannedStep {
  invoice: InvoiceModel;
  client: ClientModel;
  tenant: TenantRecord;
  step: NextContact;
}

/** What one scan keeps between debtors: each tenant's reminder grouping, read once. */
type ScanContext = Map<string, Promise<'per_debtor' | 'per_invoice'>>;

export class CollectionsPipeline {
  private readonly core: CollectionsDeps;

  constructor(
    private readonly deps: {
      db: Database;
      tenants: TenantDirectory;
      strategy: StrategyService;
      escalation: EscalationService;
      statements: StatementEscalation;
      logger: Logger;
    },
  ) {
    this.core = { db: deps.db, logger: deps.logger };
  }

  /**
   * Every due invoice (or one tenant's), debtor by debtor: a debtor's due reminders on one channel go out as one
   * statement when the tenant groups reminders (`reminder_grouping`, per_debtor by default).
   */
  async scanAll(now = new Date(), scope: { tenantId?: string } = {}): Promise<Record<ScanOutcome, number>> {
    const today = londonToday(now);
    await markOverdueInvoices({ ...this.core, clock: () => now }, { actor: ACTOR });
    const counts: Record<ScanOutcome, number> = { escalated: 0, not_due: 0, left: 0, on_plan: 0, blocked: 0, limited: 0, done: 0 };
    const context: ScanContext = new Map();
    let cursor: { clientId: string; id: string } | undefined;
    let debtor: InvoiceModel[] = [];
    const flush = async () => {
      if (debtor.length === 0) return;
      for (const outcome of (await this.processDebtor(debtor, now, context)).values()) counts[outcome]++;
      debtor = [];
    };
    for (;;) {
      const batch = await this.deps.db.invoice.findMany({
        where: {
          ...this.dueWhere(today, now),
          ...(scope.tenantId ? { tenantId: scope.tenantId } : {}),
          ...(cursor
            ? { AND: [{ OR: [{ clientId: { gt: cursor.clientId } }, { clientId: cursor.clientId, id: { gt: cursor.id } }] }] }
            : {}),
        },
        orderBy: [{ clientId: 'asc' }, { id: 'asc' }],
        take: 200,
      });
      for (const invoice of batch) {
        if (debtor[0] && debtor[0].clientId !== invoice.clientId) await flush();
        debtor.push(invoice);
      }
      if (batch.length < 200) break;
      const last = batch[batch.length - 1];
      cursor = last ? { clientId: last.clientId, id: last.id } : undefined;
    }
    await flush();
    this.deps.logger.info({ counts }, 'collections scan finished');
    return counts;
  }

  /** One invoice on the day after its due date, with the debtor's other due invoices (so they share one statement). */
  async scanInvoice(invoiceId: string, now = new Date()): Promise<ScanOutcome> {
    const invoice = await this.deps.db.invoice.findUnique({ where: { id: invoiceId } });
    if (!invoice) return 'left';
    const others = await this.deps.db.invoice.findMany({
      where: { ...this.dueWhere(londonToday(now), now), tenantId: invoice.tenantId, clientId: invoice.clientId, id: { not: invoice.id } },
      orderBy: { id: 'asc' },
      take: 199,
    });
    const outcomes = await this.processDebtor([invoice, ...others], now, new Map());
    return outcomes.get(invoice.id) ?? 'left';
  }

  private dueWhere(today: Date, now: Date) {
    return {
      status: { in: [...COLLECTABLE_STATUSES] },
      dueDate: { lt: today },
      OR: [{ nextActionAt: null }, { nextActionAt: { lte: now } }],
    };
  }

  /** One debtor's due invoices: each decided on its own; reminders on one channel sent together when the tenant groups them. */
  private async processDebtor(invoices: InvoiceModel[], now: Date, context: ScanContext): Promise<Map<string, ScanOutcome>> {
    const outcomes = new Map<string, ScanOutcome>();
    const planned: PlannedStep[] = [];
    for (const invoice of invoices) {
      try {
        const decided = await this.plan(invoice, now);
        if (typeof decided === 'string') outcomes.set(invoice.id, decided);
        else planned.push(decided);
      } catch (err) {
        this.deps.logger.warn({ invoiceId: invoice.id, err: { message: (err as Error).message } }, 'automatic collection step failed');
      }
    }
    const groups = new Map<string, PlannedStep[]>();
    for (const p of planned) {
      const groupable =
        p.step.channel !== 'ai_call' &&
        STATEMENT_STAGES.has(p.step.stage) &&
        (await this.groupingOf(p.tenant.id, context)) === 'per_debtor';
      const key = groupable ? p.step.channel : `single:${p.invoice.id}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    for (const group of groups.values()) {
      try {
        const first = group[0];
        if (!first) continue;
        if (group.length === 1) {
          outcomes.set(first.invoice.id, await this.escalateOne(first, now));
          continue;
        }
        const results = await this.deps.statements.escalate({
          tenant: first.tenant,
          client: first.client,
          channel: first.step.channel as StatementChannel,
          actor: ACTOR,
          steps: group.map((p) => ({ invoice: p.invoice, stage: p.step.stage, level: p.step.level, key: stepKey(p) })),
        });
        for (const p of group) {
          const result = results.get(p.invoice.id);
          outcomes.set(p.invoice.id, result ? await this.after(p, result, now) : 'blocked');
        }
      } catch (err) {
        this.deps.logger.warn(
          { clientId: group[0]?.client.id, err: { message: (err as Error).message } },
          'automatic collection step failed',
        );
      }
    }
    return outcomes;
  }

  private groupingOf(tenantId: string, context: ScanContext): Promise<'per_debtor' | 'per_invoice'> {
    let found = context.get(tenantId);
    if (!found) {
      found = this.deps.db.tenant
        .findUnique({ where: { id: tenantId }, select: { reminderGrouping: true } })
        .then((t) => (t?.reminderGrouping === 'per_invoice' ? 'per_invoice' : 'per_debtor'));
      context.set(tenantId, found);
    }
    return found;
  }

  /** The invoice's next step, or why there is none now. */
  private async plan(invoice: InvoiceModel, now: Date): Promise<ScanOutcome | PlannedStep> {
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
    if (!step) {
      // Every automatic stage is done: the invoice waits for a person (or a payment).
      await recordPipelineStep(
        { ...this.core, clock: () => now },
        { tenantId: invoice.tenantId, invoiceId: invoice.id, actor: ACTOR, reachedStage: LAST_AUTOMATIC_LEVEL, nextActionAt: null },
      );
      return 'done';
    }
    return { invoice, client, tenant, step };
  }

  private async escalateOne(p: PlannedStep, now: Date): Promise<ScanOutcome> {
    const result = await this.deps.escalation.escalate({
      tenant: p.tenant,
      invoice: p.invoice,
      client: p.client,
      action: p.step.channel,
      stage: p.step.stage,
      actor: ACTOR,
      initiatedBy: 'automation',
      key: stepKey(p),
    });
    return this.after(p, result, now);
  }

  /** The invoice's bookkeeping after its step: the next look in a week when queued, tomorrow when not. */
  private async after(p: PlannedStep, result: EscalationResult, now: Date): Promise<ScanOutcome> {
    const core = { ...this.core, clock: () => now };
    const bookkeeping = { tenantId: p.invoice.tenantId, invoiceId: p.invoice.id, actor: ACTOR };
    if (isQueued(result)) {
      await recordPipelineStep(core, {
        ...bookkeeping,
        reachedStage: p.step.level,
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

/** A step's idempotency key: one contact per invoice and level, however often the scan runs. */
const stepKey = (p: PlannedStep) => `auto-${p.invoice.id}-L${p.step.level}`;

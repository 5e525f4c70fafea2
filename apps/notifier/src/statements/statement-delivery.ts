import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import {
  NO_CONTACT_STATUSES,
  claimDeliveryAttempt,
  mintDebtorLinkToken,
  quoteInvoiceBalance,
  recordDeliveryDelayed,
  recordDeliverySent,
  recordDeliveryStopped,
} from '@recoup/collections';
import type { ComplianceService } from '@recoup/compliance';
import type { SendStatementJob } from '@recoup/contracts';
import type { Database, InvoiceStatus } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { EmailSender } from '@recoup/providers/email';
import { LETTER_COST_PENCE, type LetterSender } from '@recoup/providers/letters';
import { SMS_SEGMENT_COST_PENCE, type SmsSender } from '@recoup/providers/sms';
import { resolveLimits, type RateLimiter, type Tier } from '@recoup/rate-limit';
import {
  TemplateRenderError,
  TemplateVariablesError,
  formatUkDate,
  renderStatement,
  type RenderedStatement,
  type StatementVariables,
} from '@recoup/templates';
import type { DeadLetters } from '../delivery/dead-letter';
import type { DeliveryOutcome } from '../delivery/delivery.service';
import type { LimitWarnings } from '../delivery/limit-warnings';
import { londonToday, templateVariables, type ClientRow, type TenantRow } from '../delivery/message-variables';
import { postalAddressOf } from '../delivery/postal-address';
import { classifyFailure, retryDelayMs } from '../delivery/retry-policy';
import { findSentAtProvider, type FoundAtProvider } from '../delivery/sent-at-provider';

export interface StatementDeliveryOptions {
  db: Database;
  compliance: ComplianceService;
  limiter: RateLimiter;
  email: EmailSender;
  sms: SmsSender;
  letters: LetterSender;
  deadLetters: DeadLetters;
  warnings: LimitWarnings;
  logger: Logger;
  publicUrl: string;
  linkBaseUrl: string;
  retryBaseMs: number;
  maxSendAttempts: number;
  clock?: () => Date;
}

const CLAIMABLE = new Set(['queued', 'sending']);
const SMS_CALLBACK_PATH = '/webhooks/twilio/sms-status';

type Client = ClientRow & { tenantId: string; tenant: TenantRow & { tier: string; limitOverrides: unknown } };
interface Item {
  attempt: { id: string; status: string; detail: unknown };
  invoice: {
    id: string;
    reference: string;
    amountPence: number;
    paidPence: number;
    issueDate: Date;
    dueDate: Date;
    status: InvoiceStatus;
    currency: string;
    tenantId: string;
    clientId: string;
    cancelledAt: Date | null;
  };
}
interface Run {
  job: Job;
  jobId: string;
  data: SendStatementJob;
  client: Client;
  items: Item[];
  now: Date;
  /** The first item's attempt: it carries the message's cost and the provider's delivery events. */
  lead: Item;
  rendered?: RenderedStatement;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};

/**
 * One `statement.send` job: ONE message listing several overdue invoices of a debtor, with the exactly-once rules of a
 * single message. The invoices' attempts (statement_job_id = the job id) are re-read at send time: an invoice paid,
 * disputed or cancelled since was cancelled by the core and is left out (and is stopped here if its attempt was still
 * queued); with none left nothing is sent. The compliance engine decides once for the message (the whole statement
 * does not count against itself); the tier limits are charged once; every remaining attempt is claimed `sending` before
 * the provider call (a cancellation racing the send then leaves it as sent, what the debtor received), the send's
 * idempotency key is the job id, and each attempt is marked sent with the same provider message.
 */
export class StatementDelivery {
  private readonly clock: () => Date;

  constructor(private readonly o: StatementDeliveryOptions) {
    this.clock = o.clock ?? (() => new Date());
  }

  async deliver(data: SendStatementJob, job: Job): Promise<DeliveryOutcome> {
    const jobId = job.id;
    if (!jobId) throw new UnrecoverableError('a statement job needs an id (its idempotency key)');
    const client = (await this.o.db.client.findFirst({
      where: { id: data.client_id, tenantId: data.tenant_id },
      include: { tenant: true },
    })) as Client | null;
    const rows = await this.o.db.contactAttempt.findMany({
      where: { statementJobId: jobId, tenantId: data.tenant_id, clientId: data.client_id },
      select: { id: true, status: true, detail: true, invoice: true },
      orderBy: { invoice: { dueDate: 'asc' } },
    });
    const items: Item[] = rows.flatMap((r) =>
      r.invoice ? [{ attempt: { id: r.id, status: r.status, detail: r.detail }, invoice: r.invoice }] : [],
    );
    const claimable = items.filter((i) => CLAIMABLE.has(i.attempt.status));
    const lead = claimable[0];
    if (!lead)
      return { status: 'skipped', contactAttemptId: items[0]?.attempt.id ?? '', attemptStatus: items[0]?.attempt.status ?? 'none' };
    if (!client) {
      for (const i of claimable) await this.stopOne(i, 'failed', 'client not found for this tenant');
      await this.o.deadLetters.add(job, 'client not found for this tenant', lead.attempt.id);
      throw new UnrecoverableError(`client ${data.client_id} not found for tenant ${data.tenant_id}`);
    }
    const now = this.clock();
    // Paid, disputed, cancelled or written off since it was queued: not listed (its queued attempt was cancelled by the
    // core; one a crashed run left `sending` is stopped here, the provider asked first with the rest below).
    const live: Item[] = [];
    for (const i of claimable) {
      if (NO_CONTACT_STATUSES.includes(i.invoice.status) || i.invoice.cancelledAt) {
        if (i.attempt.status === 'queued') await this.stopOne(i, 'cancelled', `invoice is ${i.invoice.status}`);
        else live.push(i);
      } else live.push(i);
    }
    const first = live[0];
    if (!first) return { status: 'cancelled', contactAttemptId: lead.attempt.id, reason: 'no invoice of the statement is left to collect' };
    const run: Run = { job, jobId, data, client, items: live, now, lead: first };
    const inDoubt = live.some((i) => i.attempt.status === 'sending' || typeof asRecord(i.attempt.detail).send_started_at === 'string');
    if (inDoubt) {
      // An earlier run got as far as the send and died before recording it: ask the provider first.
      const found = await this.findAtProvider(run);
      if (found) return this.recordSent(run, found, true);
    }
    run.items = live.filter((i) => !NO_CONTACT_STATUSES.includes(i.invoice.status) && !i.invoice.cancelledAt);
    for (const i of live.filter((x) => !run.items.includes(x))) await this.stopOne(i, 'cancelled', `invoice is ${i.invoice.status}`);
    if (!run.items[0])
      return { status: 'cancelled', contactAttemptId: first.attempt.id, reason: 'no invoice of the statement is left to collect' };
    run.lead = run.items[0];

    const decision = await this.o.compliance.evaluate({
      tenantId: data.tenant_id,
      clientId: data.client_id,
      invoiceId: run.lead.invoice.id,
      channel: data.channel,
      purpose: data.purpose,
      actor: `notifier:${data.requested_by}`.slice(0, 120),
      // Any attempt of the statement excludes the whole message from the history it is checked against.
      contactAttemptId: run.lead.attempt.id,
      now,
    });
    if (!decision.allowed) {
      const why =
        decision.reasons
          .filter((r) => r.severity === 'deny')
          .map((r) => r.code)
          .join(', ') || 'not allowed';
      if (decision.nextAllowedAt) return this.delay(run, decision.nextAllowedAt, `compliance: ${why}`);
      for (const i of run.items) await this.stopOne(i, 'blocked', `compliance: ${why}`, { compliance_audit_id: decision.auditId });
      return { status: 'blocked', contactAttemptId: run.lead.attempt.id, reason: `compliance: ${why}` };
    }

    let rendered: RenderedStatement;
    try {
      rendered = await this.render(run);
    } catch (err) {
      if (err instanceof TemplateVariablesError || err instanceof TemplateRenderError)
        return this.failPermanently(run, `template: ${err.message}`);
      throw err;
    }
    const address = data.channel === 'letter' ? postalAddressOf(client.address) : null;
    const missing =
      data.channel === 'letter' && !address
        ? 'no postal address with a postcode on the client'
        : data.channel === 'email' && !client.email
          ? 'no email address on the client'
          : data.channel === 'sms' && !client.phone
            ? 'no phone number on the client'
            : null;
    if (missing) {
      for (const i of run.items) await this.stopOne(i, 'blocked', missing);
      return { status: 'blocked', contactAttemptId: run.lead.attempt.id, reason: missing };
    }

    const detail = asRecord(run.lead.attempt.detail);
    if (!run.items.some((i) => asRecord(i.attempt.detail).limits_consumed)) {
      const cost =
        rendered.channel === 'sms'
          ? SMS_SEGMENT_COST_PENCE * rendered.segments.segments
          : rendered.channel === 'letter'
            ? LETTER_COST_PENCE
            : 0;
      const limits = await this.o.limiter.consume(
        { tenantId: data.tenant_id, limits: resolveLimits(client.tenant.tier as Tier, client.tenant.limitOverrides) },
        data.channel,
        { costPence: cost },
      );
      if (!limits.allowed) {
        const what = limits.denied
          ? `${limits.denied.window} ${limits.denied.counter} limit ${limits.denied.limit}`
          : `rate limiter ${limits.degraded ?? 'denied'}`;
        if (limits.retryAfterSeconds) return this.delay(run, new Date(Date.now() + limits.retryAfterSeconds * 1000), `limit: ${what}`);
        for (const i of run.items) await this.stopOne(i, 'blocked', `limit: ${what} (not in the tenant's plan)`);
        return { status: 'blocked', contactAttemptId: run.lead.attempt.id, reason: `limit: ${what}` };
      }
      if (limits.warnings.length > 0)
        this.o.warnings
          .notify(client.tenant, limits.warnings)
          .catch((err: Error) => this.o.logger.warn({ tenantId: data.tenant_id, err: { message: err.message } }, 'limit warning not sent'));
      // Remembered so a retried job (worker killed after this point) is not charged twice.
      Object.assign(detail, { limits_consumed: true, compliance_audit_id: decision.auditId });
    }
    if (!detail.send_started_at) detail.send_started_at = new Date().toISOString();
    detail.statement_invoices = run.items.map((i) => i.invoice.id);

    // The claim, one attempt at a time: each claimed attempt can no longer be cancelled. One cancelled meanwhile
    // (paid a moment ago) is left out, and the message is rendered again without it before anything is sent.
    const claimed: Item[] = [];
    for (const i of run.items) {
      const mine = { ...asRecord(i.attempt.detail), ...detail };
      if (await claimDeliveryAttempt(this.o.db, i.attempt.id, mine))
        claimed.push({ ...i, attempt: { ...i.attempt, status: 'sending', detail: mine } });
    }
    if (!claimed[0])
      return { status: 'skipped', contactAttemptId: run.lead.attempt.id, attemptStatus: 'cancelled or finished before the send' };
    if (claimed.length !== run.items.length) {
      run.items = claimed;
      run.lead = claimed[0];
      rendered = await this.render(run);
    } else run.items = claimed;
    run.lead = run.items[0] ?? run.lead;
    if (rendered.channel === 'sms') {
      // Twilio finds a message by its text: keep the text as sent.
      for (const i of run.items)
        await claimDeliveryAttempt(this.o.db, i.attempt.id, { ...asRecord(i.attempt.detail), sms_text: rendered.text });
    }

    let sent: FoundAtProvider & { replayed: boolean };
    try {
      if (rendered.channel === 'email') {
        sent = await this.o.email.send({
          idempotencyKey: jobId,
          to: client.email ?? '',
          toName: client.name,
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
          customArgs: { contact_attempt_id: run.lead.attempt.id, tenant_id: data.tenant_id, statement_job_id: jobId },
          categories: [data.template_id],
        });
      } else if (rendered.channel === 'sms') {
        sent = await this.o.sms.send({
          idempotencyKey: jobId,
          to: client.phone ?? '',
          body: rendered.text,
          statusCallbackUrl: `${this.o.publicUrl.replace(/\/+$/, '')}${SMS_CALLBACK_PATH}?attempt=${run.lead.attempt.id}`,
        });
      } else {
        const creditor = (templateVariables(this.baseInput(run, '')).creditor ?? {}) as {
          name: string;
          phone: string;
          email: string;
          address: string;
        };
        sent = await this.o.letters.send({
          idempotencyKey: jobId,
          recipientName: client.name,
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- checked above for letters
          address: address!,
          content: {
            date: formatUkDate(londonToday(now)),
            sender: {
              name: creditor.name,
              addressLines: creditor.address
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
              phone: creditor.phone,
              email: creditor.email,
            },
            ...rendered.document,
          },
        });
      }
    } catch (err) {
      return this.onSendFailure(err, run);
    }
    return this.recordSent(run, sent, sent.replayed);
  }

  private baseInput(run: Run, linkToken: string) {
    const first = run.lead.invoice;
    return {
      stage: 'friendly_reminder' as const,
      tenant: run.client.tenant,
      client: run.client,
      invoice: first,
      linkBaseUrl: this.o.linkBaseUrl,
      now: run.now,
      linkToken,
    };
  }

  /** The statement as the debtor gets it: every invoice with the core's one balance, and links to the debtor portal. */
  private async render(run: Run): Promise<RenderedStatement> {
    const { token } = await mintDebtorLinkToken(this.o.db, {
      tenantId: run.data.tenant_id,
      invoiceId: run.lead.invoice.id,
      contactAttemptId: run.lead.attempt.id,
      now: run.now,
    });
    const base = templateVariables(this.baseInput(run, token));
    const portal = `${this.o.linkBaseUrl.replace(/\/+$/, '')}/a/${token}`;
    const invoices: StatementVariables['invoices'] = [];
    for (const { invoice } of run.items) {
      const quote = await quoteInvoiceBalance(this.o.db, invoice, run.now);
      if (quote.totalPence <= 0) continue;
      invoices.push({
        reference: invoice.reference
          .replace(/[<>{}\s]+/g, ' ')
          .trim()
          .slice(0, 20),
        amountPence: invoice.amountPence,
        paidPence: Math.min(invoice.paidPence, invoice.amountPence),
        issueDate: invoice.issueDate.toISOString().slice(0, 10),
        dueDate: invoice.dueDate.toISOString().slice(0, 10),
        balancePence: quote.totalPence,
        chargesPence: quote.interestPence + quote.compensationPence,
      });
    }
    const links = base.links as { preferences: string };
    const rendered = renderStatement(run.data.channel, {
      debtor: base.debtor,
      creditor: base.creditor,
      today: base.today,
      // The portal lists every open invoice: pay all or one, propose a plan, or query one (collection of it pauses).
      links: { pay: portal, dispute: portal, preferences: links.preferences },
      invoices,
    });
    run.rendered = rendered;
    return rendered;
  }

  private findAtProvider(run: Run): Promise<FoundAtProvider | null | undefined> {
    const details = run.items.map((i) => asRecord(i.attempt.detail));
    const started = details.map((d) => d.send_started_at).find((s): s is string => typeof s === 'string');
    const text = details.map((d) => d.sms_text).find((s): s is string => typeof s === 'string');
    return findSentAtProvider(this.o, {
      channel: run.data.channel,
      jobId: run.jobId,
      phone: run.client.phone,
      since: started ? new Date(started) : new Date(Date.now() - 86_400_000),
      smsText: async () => text,
      otherwise: 'sending',
    });
  }

  private async recordSent(run: Run, sent: FoundAtProvider, replayed: boolean): Promise<DeliveryOutcome> {
    for (const [n, i] of run.items.entries())
      await recordDeliverySent(this.o.db, i.attempt.id, {
        provider: sent.provider,
        providerMessageId: sent.providerMessageId,
        // One message, one cost: on the lead attempt.
        costPence: n === 0 ? sent.costPence : 0,
        sentAt: run.now,
      });
    return {
      status: 'sent',
      contactAttemptId: run.lead.attempt.id,
      provider: sent.provider,
      providerMessageId: sent.providerMessageId,
      replayed,
    };
  }

  private async stopOne(
    i: Item,
    status: 'blocked' | 'cancelled' | 'failed',
    reason: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await recordDeliveryStopped(this.o.db, i.attempt.id, {
      status,
      reason,
      at: this.clock(),
      ...(Object.keys(extra).length > 0 ? { detail: { ...asRecord(i.attempt.detail), ...extra } } : {}),
    });
  }

  private async delay(run: Run, until: Date, reason: string, releaseClaim = false, extra: Record<string, unknown> = {}): Promise<never> {
    for (const i of run.items)
      await recordDeliveryDelayed(this.o.db, i.attempt.id, {
        until,
        detail: { ...asRecord(i.attempt.detail), ...extra, last_delay_reason: reason },
        releaseClaim,
      });
    await run.job.moveToDelayed(until.getTime(), run.job.token);
    throw new DelayedError(`delayed until ${until.toISOString()}: ${reason}`);
  }

  private async failPermanently(run: Run, reason: string): Promise<never> {
    for (const i of run.items) await this.stopOne(i, 'failed', reason);
    await this.o.deadLetters.add(run.job, reason, run.lead.attempt.id);
    throw new UnrecoverableError(reason);
  }

  private async onSendFailure(err: unknown, run: Run): Promise<DeliveryOutcome> {
    const failure = classifyFailure(err);
    if (!failure) throw err; // ours (database, Redis): BullMQ's own retries
    if (failure.kind === 'permanent') return this.failPermanently(run, `provider: ${failure.message}`);
    const detail = asRecord(run.lead.attempt.detail);
    const retries = (typeof detail.send_retries === 'number' ? detail.send_retries : 0) + 1;
    if (retries >= this.o.maxSendAttempts) return this.failPermanently(run, `provider: gave up after ${retries} tries: ${failure.message}`);
    const waitMs = retryDelayMs(retries, this.o.retryBaseMs, failure.retryAfterMs);
    // The provider answered with an error: it holds nothing, so the claims are released while the job waits.
    const extra: Record<string, unknown> = { send_retries: retries, last_error: failure.message.slice(0, 300) };
    if (failure.answered)
      for (const i of run.items) i.attempt.detail = { ...asRecord(i.attempt.detail), send_started_at: undefined, sms_text: undefined };
    return this.delay(run, new Date(Date.now() + waitMs), `provider transient failure (try ${retries})`, failure.answered, extra);
  }
}

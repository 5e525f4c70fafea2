import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { ComplianceService } from '@recoup/compliance';
import type { SendEmailJob, SendLetterJob, SendSmsJob } from '@recoup/contracts';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { EmailSender } from '@recoup/providers/email';
import { LETTER_COST_PENCE, type LetterSender } from '@recoup/providers/letters';
import type { SmsSender } from '@recoup/providers/sms';
import { resolveLimits, type RateLimiter, type Tier } from '@recoup/rate-limit';
import {
  TemplateRenderError,
  TemplateVariablesError,
  formatUkDate,
  renderTemplate,
  type RenderedEmail,
  type RenderedLetter,
  type RenderedSms,
} from '@recoup/templates';
import type { DeadLetters } from './dead-letter';
import { DeliveryRepository } from './delivery.repository';
import type { LimitWarnings } from './limit-warnings';
import { TemplateInputError, londonToday, stageOf, templateVariables } from './message-variables';
import { postalAddressOf } from './postal-address';
import { classifyFailure, retryDelayMs } from './retry-policy';

export type NotificationJob = SendEmailJob | SendSmsJob | SendLetterJob;

export type DeliveryOutcome =
  | { status: 'sent'; contactAttemptId: string; provider: string; providerMessageId: string; replayed: boolean }
  | { status: 'skipped'; contactAttemptId: string; attemptStatus: string }
  | { status: 'cancelled' | 'blocked'; contactAttemptId: string; reason: string };

export interface DeliveryOptions {
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

interface AttemptRow {
  id: string;
  status: string;
  detail: unknown;
}

/** Invoice states in which nothing more is collected (CONTACT-RULES: a paid or closed debt is not pursued). */
const CLOSED_INVOICE = new Set(['paid', 'cancelled', 'written_off']);

const SMS_CALLBACK_PATH = '/webhooks/twilio/sms-status';

/**
 * One notification job, start to finish: the contact attempt row, a fresh read of the debtor and
 * invoice, the compliance engine, the tier limits, the template, an idempotent send, and the row
 * marked sent. Each step that cannot proceed records why on the attempt: delayed (scheduledFor),
 * blocked or cancelled (failureReason), or failed and dead-lettered.
 */
export class DeliveryService {
  private readonly clock: () => Date;
  private readonly repo: DeliveryRepository;

  constructor(private readonly o: DeliveryOptions) {
    this.clock = o.clock ?? (() => new Date());
    this.repo = new DeliveryRepository(o.db);
  }

  async deliver(data: NotificationJob, job: Job): Promise<DeliveryOutcome> {
    const { db } = this.o;
    const jobId = job.id;
    if (!jobId) throw new UnrecoverableError('a notification job needs an id (its idempotency key)');
    const { attempt: existing, client, invoice } = await this.repo.load(jobId, data.tenant_id, data.client_id, data.invoice_id ?? null);
    if (existing && existing.tenantId !== data.tenant_id)
      throw new UnrecoverableError(`job ${jobId} belongs to another tenant's contact attempt`);
    if (existing && existing.status !== 'queued')
      return { status: 'skipped', contactAttemptId: existing.id, attemptStatus: existing.status };
    if (!client) {
      if (existing) await this.finishRow(existing.id, 'failed', 'client not found for this tenant');
      await this.o.deadLetters.add(job, 'client not found for this tenant', existing?.id);
      throw new UnrecoverableError(`client ${data.client_id} not found for tenant ${data.tenant_id}`);
    }
    const attempt: AttemptRow = existing ?? (await this.createAttempt(jobId, data, invoice ? invoice.id : null));
    if (attempt.status !== 'queued') return { status: 'skipped', contactAttemptId: attempt.id, attemptStatus: attempt.status };

    if (data.invoice_id && !invoice) return this.finish(attempt, 'blocked', 'invoice not found for this tenant');
    if (invoice && (CLOSED_INVOICE.has(invoice.status) || invoice.cancelledAt))
      return this.finish(attempt, 'cancelled', `invoice is ${invoice.status}`);

    const now = this.clock();
    const decision = await this.o.compliance.evaluate({
      tenantId: data.tenant_id,
      clientId: data.client_id,
      invoiceId: data.invoice_id ?? null,
      channel: data.channel,
      purpose: data.purpose,
      actor: `notifier:${data.requested_by}`.slice(0, 120),
      contactAttemptId: attempt.id,
      now,
    });
    if (!decision.allowed) {
      const why =
        decision.reasons
          .filter((r) => r.severity === 'deny')
          .map((r) => r.code)
          .join(', ') || 'not allowed';
      if (decision.nextAllowedAt) return this.delay(job, attempt, decision.nextAllowedAt, `compliance: ${why}`);
      return this.finish(attempt, 'blocked', `compliance: ${why}`, { compliance_audit_id: decision.auditId });
    }

    // Rendering first prices the SMS (segments) before the cost budget is charged.
    let rendered: RenderedEmail | RenderedSms | RenderedLetter;
    let creditor: { name: string; phone: string; email: string; address: string };
    try {
      if (!invoice) throw new TemplateInputError('collection templates need the invoice (invoice_id)');
      const stage = stageOf(data.template_id, data.channel);
      const plan =
        stage === 'payment_plan_proposal' || stage === 'payment_plan_confirmation'
          ? await db.paymentPlan.findFirst({
              where: { invoiceId: invoice.id, status: { in: ['proposed', 'active'] } },
              orderBy: { createdAt: 'desc' },
              include: { installments: { orderBy: { sequence: 'asc' } } },
            })
          : null;
      const variables = templateVariables({
        stage,
        tenant: client.tenant,
        client,
        invoice,
        plan,
        jobVariables: data.variables,
        linkBaseUrl: this.o.linkBaseUrl,
        now,
      });
      creditor = variables.creditor as typeof creditor;
      rendered = renderTemplate(stage, data.channel, variables) as typeof rendered;
    } catch (err) {
      if (err instanceof TemplateInputError || err instanceof TemplateVariablesError || err instanceof TemplateRenderError)
        return this.failPermanently(job, attempt, `template: ${err.message}`);
      throw err;
    }

    const address = data.channel === 'letter' ? postalAddressOf(client.address) : null;
    if (data.channel === 'letter' && !address) return this.finish(attempt, 'blocked', 'no postal address with a postcode on the client');
    if (data.channel === 'email' && !client.email) return this.finish(attempt, 'blocked', 'no email address on the client');
    if (data.channel === 'sms' && !client.phone) return this.finish(attempt, 'blocked', 'no phone number on the client');

    const detail = asRecord(attempt.detail);
    let dirty = false;
    if (!detail.limits_consumed) {
      const cost = rendered.channel === 'sms' ? 4 * rendered.segments.segments : rendered.channel === 'letter' ? LETTER_COST_PENCE : 0;
      const limits = await this.o.limiter.consume(
        { tenantId: data.tenant_id, limits: resolveLimits(client.tenant.tier as Tier, client.tenant.limitOverrides) },
        data.channel,
        { costPence: cost },
      );
      if (!limits.allowed) {
        const what = limits.denied
          ? `${limits.denied.window} ${limits.denied.counter} limit ${limits.denied.limit}`
          : `rate limiter ${limits.degraded ?? 'denied'}`;
        if (limits.retryAfterSeconds)
          return this.delay(job, attempt, new Date(Date.now() + limits.retryAfterSeconds * 1000), `limit: ${what}`);
        return this.finish(attempt, 'blocked', `limit: ${what} (not in the tenant's plan)`);
      }
      if (limits.warnings.length > 0) {
        this.o.warnings
          .notify(client.tenant, limits.warnings)
          .catch((err: Error) => this.o.logger.warn({ tenantId: data.tenant_id, err: { message: err.message } }, 'limit warning not sent'));
      }
      // Remembered so a retried job (worker killed after this point) is not charged twice.
      Object.assign(detail, { limits_consumed: true, compliance_audit_id: decision.auditId });
      dirty = true;
    }
    if (typeof detail.send_started_at === 'string') {
      // An earlier run got as far as the send and died before recording it: ask the provider first.
      const since = new Date(detail.send_started_at);
      const lookup =
        rendered.channel === 'email' && this.o.email.findSent
          ? this.o.email.findSent(jobId)
          : rendered.channel === 'sms' && this.o.sms.findSent && client.phone
            ? this.o.sms.findSent({ idempotencyKey: jobId, to: client.phone, body: rendered.text }, since)
            : null;
      const found = lookup
        ? await lookup.catch((err: Error) => {
            this.o.logger.warn(
              { jobId, err: { message: err.message } },
              'could not ask the provider whether this message was sent; sending',
            );
            return null;
          })
        : null;
      if (found) {
        await this.repo.markSent(attempt.id, {
          provider: found.provider,
          providerMessageId: found.providerMessageId,
          costPence: found.costPence,
          sentAt: now,
        });
        return {
          status: 'sent',
          contactAttemptId: attempt.id,
          provider: found.provider,
          providerMessageId: found.providerMessageId,
          replayed: true,
        };
      }
    }
    if (!detail.send_started_at) {
      detail.send_started_at = new Date().toISOString();
      dirty = true;
    }
    // One write before the send: the limit charge and the fact that a send is about to happen.
    if (dirty) await this.repo.setDetail(attempt.id, detail);

    let sent: { provider: string; providerMessageId: string; costPence: number; replayed: boolean };
    try {
      if (rendered.channel === 'email') {
        sent = await this.o.email.send({
          idempotencyKey: jobId,
          to: client.email ?? '',
          toName: client.name,
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
          customArgs: { contact_attempt_id: attempt.id, tenant_id: data.tenant_id },
          categories: [data.template_id],
        });
      } else if (rendered.channel === 'sms') {
        sent = await this.o.sms.send({
          idempotencyKey: jobId,
          to: client.phone ?? '',
          body: rendered.text,
          statusCallbackUrl: `${this.o.publicUrl.replace(/\/+$/, '')}${SMS_CALLBACK_PATH}?attempt=${attempt.id}`,
        });
      } else {
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
      return this.onSendFailure(err, job, attempt, detail);
    }

    await this.repo.markSent(attempt.id, {
      provider: sent.provider,
      providerMessageId: sent.providerMessageId,
      costPence: sent.costPence,
      sentAt: now,
    });
    return {
      status: 'sent',
      contactAttemptId: attempt.id,
      provider: sent.provider,
      providerMessageId: sent.providerMessageId,
      replayed: sent.replayed,
    };
  }

  /** A job whose BullMQ retries ran out on an unexpected error (database down): failed and dead-lettered. */
  async exhausted(job: Job, err: Error): Promise<void> {
    const attempt = job.id
      ? await this.o.db.contactAttempt.findUnique({ where: { jobId: job.id }, select: { id: true, status: true } })
      : null;
    if (attempt?.status === 'queued') await this.finishRow(attempt.id, 'failed', `retries exhausted: ${err.message}`.slice(0, 500));
    await this.o.deadLetters.add(job, `retries exhausted: ${err.message}`, attempt?.id);
  }

  private async createAttempt(jobId: string, data: NotificationJob, invoiceId: string | null): Promise<AttemptRow> {
    return this.repo.createQueued(jobId, {
      tenantId: data.tenant_id,
      clientId: data.client_id,
      invoiceId,
      channel: data.channel,
      purpose: data.purpose,
      templateId: data.template_id,
    });
  }

  private async delay(job: Job, attempt: AttemptRow, until: Date, reason: string): Promise<never> {
    await this.o.db.contactAttempt.update({
      where: { id: attempt.id },
      data: { scheduledFor: until, detail: { ...asRecord(attempt.detail), last_delay_reason: reason } },
    });
    await job.moveToDelayed(until.getTime(), job.token);
    throw new DelayedError(`delayed until ${until.toISOString()}: ${reason}`);
  }

  private async finish(
    attempt: AttemptRow,
    status: 'blocked' | 'cancelled',
    reason: string,
    extra: Record<string, unknown> = {},
  ): Promise<DeliveryOutcome> {
    await this.finishRow(attempt.id, status, reason, Object.keys(extra).length > 0 ? { ...asRecord(attempt.detail), ...extra } : undefined);
    return { status, contactAttemptId: attempt.id, reason };
  }

  private async finishRow(
    id: string,
    status: 'blocked' | 'cancelled' | 'failed',
    reason: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.o.db.contactAttempt.updateMany({
      where: { id, status: 'queued' },
      data: {
        status,
        failureReason: reason.slice(0, 500),
        completedAt: this.clock(),
        scheduledFor: null,
        ...(detail ? { detail: detail as object } : {}),
      },
    });
  }

  private async failPermanently(job: Job, attempt: AttemptRow, reason: string): Promise<never> {
    await this.finishRow(attempt.id, 'failed', reason);
    await this.o.deadLetters.add(job, reason, attempt.id);
    throw new UnrecoverableError(reason);
  }

  private async onSendFailure(err: unknown, job: Job, attempt: AttemptRow, detail: Record<string, unknown>): Promise<never> {
    const failure = classifyFailure(err);
    if (!failure) throw err; // ours, not the provider's (database, Redis): BullMQ's own retries
    if (failure.kind === 'permanent') return this.failPermanently(job, attempt, `provider: ${failure.message}`);
    const retries = (typeof detail.send_retries === 'number' ? detail.send_retries : 0) + 1;
    if (retries >= this.o.maxSendAttempts)
      return this.failPermanently(job, attempt, `provider: gave up after ${retries} tries: ${failure.message}`);
    // Queue delays run on real time; the injected clock is the compliance engine's business time.
    const waitMs = retryDelayMs(retries, this.o.retryBaseMs, failure.retryAfterMs);
    const delays = Array.isArray(detail.retry_delays_ms) ? detail.retry_delays_ms : [];
    const next = { ...detail, send_retries: retries, retry_delays_ms: [...delays, waitMs], last_error: failure.message.slice(0, 300) };
    return this.delay(job, { ...attempt, detail: next }, new Date(Date.now() + waitMs), `provider transient failure (try ${retries})`);
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
}

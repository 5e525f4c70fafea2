import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { isClosed, recordDeliveryDelayed, recordDeliveryStopped } from '@recoup/collections';
import type { ComplianceService } from '@recoup/compliance';
import type { SendEmailJob, SendLetterJob, SendSmsJob } from '@recoup/contracts';
import type { Database, InvoiceStatus } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { EmailSender } from '@recoup/providers/email';
import { LETTER_COST_PENCE, type LetterSender } from '@recoup/providers/letters';
import { SMS_SEGMENT_COST_PENCE, type SmsSender } from '@recoup/providers/sms';
import { resolveLimits, type RateLimiter, type Tier } from '@recoup/rate-limit';
import { TemplateRenderError, TemplateVariablesError, formatUkDate } from '@recoup/templates';
import type { DeadLetters } from './dead-letter';
import { DeliveryRepository, type SendSubject } from './delivery.repository';
import type { LimitWarnings } from './limit-warnings';
import { TemplateInputError, londonToday } from './message-variables';
import { postalAddressOf } from './postal-address';
import { renderMessage, type Creditor, type RenderedMessage } from './render-message';
import { classifyFailure, retryDelayMs } from './retry-policy';
import { findSentAtProvider, type FoundAtProvider } from './sent-at-provider';

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

/** One run of one job: what the steps below share. */
interface Run {
  job: Job;
  jobId: string;
  data: NotificationJob;
  attempt: AttemptRow;
  client: SendSubject['client'];
  invoice: SendSubject['invoice'];
  now: Date;
  rendered?: RenderedMessage;
}

/** An attempt a worker may take: `queued`, or `sending` left by a run that died around the provider call. */
const CLAIMABLE = new Set(['queued', 'sending']);

const SMS_CALLBACK_PATH = '/webhooks/twilio/sms-status';

/**
 * One notification job, start to finish: the contact attempt row, a fresh read of the debtor and
 * invoice, the compliance engine, the tier limits, the template, the attempt claimed (`sending`),
 * an idempotent send, and the row marked sent. Each step that cannot proceed records why on the
 * attempt: delayed (scheduledFor), blocked or cancelled (failureReason), or failed and
 * dead-lettered. The attempt's writes are the collections core's (contacts/delivery-attempts).
 */
export class DeliveryService {
  private readonly clock: () => Date;
  private readonly repo: DeliveryRepository;

  constructor(private readonly o: DeliveryOptions) {
    this.clock = o.clock ?? (() => new Date());
    this.repo = new DeliveryRepository(o.db, o.compliance);
  }

  async deliver(data: NotificationJob, job: Job): Promise<DeliveryOutcome> {
    const jobId = job.id;
    if (!jobId) throw new UnrecoverableError('a notification job needs an id (its idempotency key)');
    const { attempt: existing, client, invoice } = await this.repo.load(jobId, data.tenant_id, data.client_id, data.invoice_id ?? null);
    if (existing && existing.tenantId !== data.tenant_id)
      throw new UnrecoverableError(`job ${jobId} belongs to another tenant's contact attempt`);
    if (existing && !CLAIMABLE.has(existing.status))
      return { status: 'skipped', contactAttemptId: existing.id, attemptStatus: existing.status };
    if (!client) {
      if (existing) {
        const run: Run = { job, jobId, data, attempt: existing, client, invoice, now: this.clock() };
        await this.stopRow(run, 'failed', 'client not found for this tenant');
      }
      await this.o.deadLetters.add(job, 'client not found for this tenant', existing?.id);
      throw new UnrecoverableError(`client ${data.client_id} not found for tenant ${data.tenant_id}`);
    }
    const attempt: AttemptRow =
      existing ??
      (await this.repo.recordAttempt(jobId, {
        tenantId: data.tenant_id,
        clientId: data.client_id,
        invoiceId: invoice ? invoice.id : null,
        channel: data.channel,
        purpose: data.purpose,
        templateId: data.template_id,
      }));
    if (!CLAIMABLE.has(attempt.status)) return { status: 'skipped', contactAttemptId: attempt.id, attemptStatus: attempt.status };
    const now = this.clock();
    const run: Run = { job, jobId, data, attempt, client, invoice, now };

    if (data.invoice_id && !invoice) return this.stop(run, 'blocked', 'invoice not found for this tenant');
    if (invoice && (isClosed(invoice.status as InvoiceStatus) || invoice.cancelledAt))
      return this.stop(run, 'cancelled', `invoice is ${invoice.status}`);

    const decision = await this.repo.evaluate({
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
      if (decision.nextAllowedAt) return this.delay(run, decision.nextAllowedAt, `compliance: ${why}`);
      return this.stop(run, 'blocked', `compliance: ${why}`, { compliance_audit_id: decision.auditId });
    }

    // Rendering first prices the SMS (segments) before the cost budget is charged.
    let rendered: RenderedMessage;
    let creditor: Creditor;
    try {
      ({ rendered, creditor } = await this.render(run));
      run.rendered = rendered;
    } catch (err) {
      if (err instanceof TemplateInputError || err instanceof TemplateVariablesError || err instanceof TemplateRenderError)
        return this.failPermanently(run, `template: ${err.message}`);
      throw err;
    }

    const address = data.channel === 'letter' ? postalAddressOf(client.address) : null;
    if (data.channel === 'letter' && !address) return this.stop(run, 'blocked', 'no postal address with a postcode on the client');
    if (data.channel === 'email' && !client.email) return this.stop(run, 'blocked', 'no email address on the client');
    if (data.channel === 'sms' && !client.phone) return this.stop(run, 'blocked', 'no phone number on the client');

    const detail = asRecord(attempt.detail);
    if (!detail.limits_consumed) {
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
        return this.stop(run, 'blocked', `limit: ${what} (not in the tenant's plan)`);
      }
      if (limits.warnings.length > 0) {
        this.o.warnings
          .notify(client.tenant, limits.warnings)
          .catch((err: Error) => this.o.logger.warn({ tenantId: data.tenant_id, err: { message: err.message } }, 'limit warning not sent'));
      }
      // Remembered so a retried job (worker killed after this point) is not charged twice.
      Object.assign(detail, { limits_consumed: true, compliance_audit_id: decision.auditId });
    }
    if (attempt.status === 'sending' || typeof detail.send_started_at === 'string') {
      // An earlier run got as far as the send and died before recording it: ask the provider first.
      const found = await this.findAtProvider(run, 'sending');
      if (found) return this.recordSent(run, found, true);
    }
    if (!detail.send_started_at) detail.send_started_at = new Date().toISOString();
    // Twilio finds a message by its text, and a re-render after a payment would quote another balance: keep it.
    if (rendered.channel === 'sms') detail.sms_text = rendered.text;
    // One write before the send: the claim (a cancellation can no longer take it), the limit charge, and the fact
    // that a send is about to happen. Not claimed: it was cancelled or finished meanwhile, and is not sent.
    if (!(await this.repo.claim(attempt.id, detail)))
      return { status: 'skipped', contactAttemptId: attempt.id, attemptStatus: 'cancelled or finished before the send' };
    run.attempt = { ...attempt, status: 'sending', detail };

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
      return this.onSendFailure(err, run, detail);
    }
    return this.recordSent(run, sent, sent.replayed);
  }

  /** A job whose BullMQ retries ran out on an unexpected error (database down): failed and dead-lettered. */
  async exhausted(job: Job, err: Error): Promise<void> {
    const attempt = job.id
      ? await this.o.db.contactAttempt.findUnique({ where: { jobId: job.id }, select: { id: true, status: true, detail: true } })
      : null;
    const reason = `retries exhausted: ${err.message}`;
    if (attempt && CLAIMABLE.has(attempt.status)) {
      const inDoubt = attempt.status === 'sending' ? ' (an earlier run may have sent it)' : '';
      await recordDeliveryStopped(this.o.db, attempt.id, { status: 'failed', reason: `${reason}${inDoubt}`, at: this.clock() });
    }
    await this.o.deadLetters.add(job, reason, attempt?.id);
  }

  private render(run: Run): Promise<{ rendered: RenderedMessage; creditor: Creditor }> {
    return renderMessage(this.o.db, this.o.linkBaseUrl, run, this.repo.messageFacts);
  }

  /** Whether the provider already holds this job's message (see findSentAtProvider). */
  private findAtProvider(run: Run, why: 'sending' | 'stopping'): Promise<FoundAtProvider | null | undefined> {
    const detail = asRecord(run.attempt.detail);
    return findSentAtProvider(this.o, {
      channel: run.data.channel,
      jobId: run.jobId,
      phone: run.client?.phone,
      since: typeof detail.send_started_at === 'string' ? new Date(detail.send_started_at) : new Date(Date.now() - 86_400_000),
      smsText: async () => {
        if (typeof detail.sms_text === 'string') return detail.sms_text;
        const rendered =
          run.rendered ??
          (await this.render(run).then(
            (r) => r.rendered,
            () => undefined,
          ));
        return rendered?.channel === 'sms' ? rendered.text : undefined;
      },
      otherwise: why === 'sending' ? 'sending' : 'recording it not sent',
    });
  }

  private async recordSent(run: Run, sent: FoundAtProvider, replayed: boolean): Promise<DeliveryOutcome> {
    await this.repo.recordSent(run.attempt.id, {
      provider: sent.provider,
      providerMessageId: sent.providerMessageId,
      costPence: sent.costPence,
      sentAt: run.now,
    });
    return {
      status: 'sent',
      contactAttemptId: run.attempt.id,
      provider: sent.provider,
      providerMessageId: sent.providerMessageId,
      replayed,
    };
  }

  /**
   * The job waits and runs again at `until`. An attempt in doubt (`sending`) is first checked at the provider:
   * if it already went out, it is recorded sent instead.
   */
  private async delay(
    run: Run,
    until: Date,
    reason: string,
    after?: { detail: Record<string, unknown>; releaseClaim: boolean },
  ): Promise<DeliveryOutcome> {
    if (!after && run.attempt.status === 'sending') {
      const found = await this.findAtProvider(run, 'stopping');
      if (found) return this.recordSent(run, found, true);
    }
    const detail = { ...(after?.detail ?? asRecord(run.attempt.detail)), last_delay_reason: reason };
    await recordDeliveryDelayed(this.o.db, run.attempt.id, { until, detail, releaseClaim: after?.releaseClaim });
    await run.job.moveToDelayed(until.getTime(), run.job.token);
    throw new DelayedError(`delayed until ${until.toISOString()}: ${reason}`);
  }

  private async stop(
    run: Run,
    status: 'blocked' | 'cancelled',
    reason: string,
    extra: Record<string, unknown> = {},
  ): Promise<DeliveryOutcome> {
    const found = await this.stopRow(run, status, reason, extra);
    if (found) return this.recordSent(run, found, true);
    return { status, contactAttemptId: run.attempt.id, reason };
  }

  /**
   * Records that the message will not be sent. An attempt in doubt (`sending`) is first checked at the provider
   * (returned when it holds the message, for the caller to record it sent); when the provider cannot say, the
   * reason says so. `providerRefused`: the provider itself just refused it, nothing to check.
   */
  private async stopRow(
    run: Run,
    status: 'blocked' | 'cancelled' | 'failed',
    reason: string,
    extra: Record<string, unknown> = {},
    providerRefused = false,
  ): Promise<FoundAtProvider | undefined> {
    let why = reason;
    if (run.attempt.status === 'sending' && !providerRefused) {
      const found = await this.findAtProvider(run, 'stopping');
      if (found) return found;
      if (found === undefined) why = `${reason} (an earlier run may have sent it; the provider cannot be asked)`;
    }
    await recordDeliveryStopped(this.o.db, run.attempt.id, {
      status,
      reason: why,
      at: this.clock(),
      ...(Object.keys(extra).length > 0 ? { detail: { ...asRecord(run.attempt.detail), ...extra } } : {}),
    });
    return undefined;
  }

  private async failPermanently(run: Run, reason: string, providerRefused = false): Promise<never> {
    const found = await this.stopRow(run, 'failed', reason, {}, providerRefused);
    if (found) {
      await this.recordSent(run, found, true);
      throw new UnrecoverableError(`${reason} (the provider already held the message: recorded sent)`);
    }
    await this.o.deadLetters.add(run.job, reason, run.attempt.id);
    throw new UnrecoverableError(reason);
  }

  private async onSendFailure(err: unknown, run: Run, detail: Record<string, unknown>): Promise<DeliveryOutcome> {
    const failure = classifyFailure(err);
    if (!failure) throw err; // ours, not the provider's (database, Redis): BullMQ's own retries
    if (failure.kind === 'permanent') return this.failPermanently(run, `provider: ${failure.message}`, true);
    const retries = (typeof detail.send_retries === 'number' ? detail.send_retries : 0) + 1;
    if (retries >= this.o.maxSendAttempts)
      return this.failPermanently(run, `provider: gave up after ${retries} tries: ${failure.message}`, failure.answered);
    // Queue delays run on real time; the injected clock is the compliance engine's business time.
    const waitMs = retryDelayMs(retries, this.o.retryBaseMs, failure.retryAfterMs);
    const delays = Array.isArray(detail.retry_delays_ms) ? detail.retry_delays_ms : [];
    const next: Record<string, unknown> = {
      ...detail,
      send_retries: retries,
      retry_delays_ms: [...delays, waitMs],
      last_error: failure.message.slice(0, 300),
    };
    // The provider answered with an error: it holds nothing, so the claim is released and nothing needs asking.
    if (failure.answered) {
      delete next.send_started_at;
      delete next.sms_text;
    }
    return this.delay(run, new Date(Date.now() + waitMs), `provider transient failure (try ${retries})`, {
      detail: next,
      releaseClaim: failure.answered,
    });
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
}

import { resolveDebtorLinkToken } from '@recoup/collections';
import { randomUUID } from 'node:crypto';
import type { JobData } from '@recoup/queue';
import { JobProducer, createRedis, closeRedis, type Redis } from '@recoup/queue';
import { SendGridEmailSender } from '@recoup/providers/email';
import { TwilioSmsSender } from '@recoup/providers/sms';
import {
  SendGridFake,
  TwilioMessagingFake,
  createTestDatabase,
  customArgsOf,
  deletePrefix,
  testQueuePrefix,
  testRedisUrl,
  waitFor,
  type TestDatabase,
} from '@recoup/testing';
import { createLogger } from '@recoup/observability';
import { applyPayment, claimDeliveryAttempt, recordQueuedContact } from '@recoup/collections';
import { DateHolidaysCalendar } from '@recoup/compliance';
import { renderTemplate } from '@recoup/templates';
import { DateTime } from 'luxon';
import { templateVariables } from './message-variables';
import { loadConfig } from '../config';
import { buildDeps, type Deps } from '../deps';
import { MONDAY_NOON, createDebtor, createTenant } from '../../test/fixtures';

const SID = 'AC' + 'c'.repeat(32);

/** The whole worker path against real PostgreSQL and Redis, with SendGrid and Twilio as loopback fakes. */
describe('notification delivery', () => {
  let database: TestDatabase;
  let sendgrid: SendGridFake;
  let twilio: TwilioMessagingFake;
  let deps: Deps;
  let redis: Redis;
  let producer: JobProducer;
  let prefix: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    sendgrid = await SendGridFake.start();
    twilio = await TwilioMessagingFake.start();
    prefix = testQueuePrefix();
    const { config, providers } = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      NOTIFIER_RETRY_BASE_MS: '20',
      WORKER_CONCURRENCY: '4',
    });
    deps = buildDeps(config, providers, {
      clock: () => MONDAY_NOON,
      email: new SendGridEmailSender({ apiKey: 'SG.test', from: 'collections@recoup.example', baseUrl: sendgrid.url }),
      sms: new TwilioSmsSender({ accountSid: SID, authToken: 'x'.repeat(32), from: '+447700900000', baseUrl: twilio.url }),
    });
    void deps.worker.run();
    redis = createRedis(testRedisUrl(), 'client', createLogger({ service: 'test', level: 'silent' }));
    producer = new JobProducer(redis, prefix);
  });

  afterAll(async () => {
    await deps.worker.close();
    await producer.close();
    await deletePrefix(redis, prefix);
    await closeRedis(redis);
    await deps.close();
    await Promise.all([sendgrid.close(), twilio.close()]);
    await database.drop();
  });

  const db = () => database.db;
  const job = (
    tenantId: string,
    clientId: string,
    invoiceId: string,
    over: Partial<JobData<'email.send'>> = {},
  ): JobData<'email.send'> => ({
    tenant_id: tenantId,
    client_id: clientId,
    invoice_id: invoiceId,
    template_id: 'friendly_reminder',
    purpose: 'reminder',
    requested_by: 'test',
    channel: 'email',
    ...over,
  });
  const attemptOf = (jobId: string, until: (s: string) => boolean) =>
    waitFor(
      async () => {
        const a = await db().contactAttempt.findUnique({ where: { jobId } });
        return a && until(a.status) ? a : undefined;
      },
      { what: `attempt ${jobId}` },
    );

  it('sends an email through SendGrid with our ids in custom_args and marks the attempt sent', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `email-${randomUUID()}`;
    await producer.enqueue('email.send', job(tenant.id, client.id, invoice.id), { jobId });
    const attempt = await attemptOf(jobId, (s) => s === 'sent');
    const req = sendgrid.requests.find((r) => customArgsOf(r.body).recoup_message_id === jobId)!;
    expect(customArgsOf(req.body)).toMatchObject({ contact_attempt_id: attempt.id, tenant_id: tenant.id });
    expect(String(req.body.subject)).toContain(invoice.reference);
    expect(attempt).toMatchObject({ provider: 'sendgrid', channel: 'email', costPence: 0 });
    expect(attempt.providerMessageId).toBeTruthy();
    expect((attempt.detail as { compliance_audit_id?: string }).compliance_audit_id).toBeTruthy();
    // The links carry an opaque token minted for this message (never a fragment of an id), which opens this invoice.
    const html = JSON.stringify(req.body);
    const token = /\/p\/([A-Za-z0-9_-]{22,})/.exec(html)?.[1];
    expect(token).toBeDefined();
    expect(html).not.toContain(invoice.id.replace(/-/g, '').slice(0, 12));
    expect(await resolveDebtorLinkToken(db(), token!)).toMatchObject({ invoice: { id: invoice.id } });
    expect(await db().debtorLinkToken.count({ where: { contactAttemptId: attempt.id } })).toBe(1);
  });

  it('sends an SMS with the payment link the producer passed, and a signed-callback URL naming the attempt', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `sms-${randomUUID()}`;
    await producer.enqueue(
      'sms.send',
      {
        ...job(tenant.id, client.id, invoice.id),
        channel: 'sms',
        template_id: 'payment_link.sms',
        purpose: 'payment_link',
        variables: { payment_link_url: 'https://pay.acme.example/p/Zx81' },
      },
      { jobId },
    );
    const attempt = await attemptOf(jobId, (s) => s === 'sent');
    const req = twilio.accepted().find((r) => r.sid === attempt.providerMessageId)!;
    expect(req.form.To).toBe(client.phone);
    expect(req.form.Body).toContain('https://pay.acme.example/p/Zx81');
    expect(req.form.StatusCallback).toBe(`http://127.0.0.1:8005/webhooks/twilio/sms-status?attempt=${attempt.id}`);
    expect(attempt.costPence).toBeGreaterThanOrEqual(4);
  });

  it('posts a letter: the sandbox keeps the PDF', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `letter-${randomUUID()}`;
    await producer.enqueue(
      'letter.send',
      { ...job(tenant.id, client.id, invoice.id), channel: 'letter', template_id: 'final_notice.letter', purpose: 'final_notice' },
      { jobId },
    );
    const attempt = await attemptOf(jobId, (s) => s === 'sent');
    const row = await db().sandboxMessage.findUniqueOrThrow({ where: { idempotencyKey: jobId } });
    expect(Buffer.from(row.document!).subarray(0, 5).toString()).toBe('%PDF-');
    expect(row.toAddress).toBe('Sam Taylor\n10 High Street\nLeeds\nLS1 4AB');
    expect(attempt).toMatchObject({ provider: 'sandbox', costPence: 95 });
  });

  it('skips a job whose attempt was cancelled, and cancels one whose invoice was paid', async () => {
    const tenant = await createTenant(db());
    const a = await createDebtor(db(), tenant.id);
    const cancelledJob = `email-${randomUUID()}`;
    await db().contactAttempt.create({
      data: {
        tenantId: tenant.id,
        clientId: a.client.id,
        invoiceId: a.invoice.id,
        channel: 'email',
        purpose: 'reminder',
        jobId: cancelledJob,
        status: 'cancelled',
        failureReason: 'invoice disputed',
      },
    });
    const b = await createDebtor(db(), tenant.id, {}, { status: 'paid', paidPence: 240_00 });
    const paidJob = `email-${randomUUID()}`;
    const queue = producer.queue('notifications');
    await producer.enqueue('email.send', job(tenant.id, a.client.id, a.invoice.id), { jobId: cancelledJob });
    await producer.enqueue('email.send', job(tenant.id, b.client.id, b.invoice.id), { jobId: paidJob });
    const paid = await attemptOf(paidJob, (s) => s === 'cancelled');
    expect(paid.failureReason).toBe('invoice is paid');
    await waitFor(async () => (await queue.getJobState(cancelledJob)) === 'completed', { what: 'cancelled job completed' });
    expect((await queue.getJob(cancelledJob))?.returnvalue).toMatchObject({ status: 'skipped', attemptStatus: 'cancelled' });
    expect(sendgrid.requests.some((r) => [cancelledJob, paidJob].includes(String(customArgsOf(r.body).recoup_message_id)))).toBe(false);
  });

  it('completes a job compliance will never allow (STOP) with the reason, sending nothing', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id, { stoppedChannels: ['sms'] });
    const jobId = `sms-${randomUUID()}`;
    await producer.enqueue(
      'sms.send',
      { ...job(tenant.id, client.id, invoice.id), channel: 'sms', template_id: 'gentle_reminder' },
      { jobId },
    );
    const attempt = await attemptOf(jobId, (s) => s === 'blocked');
    expect(attempt.failureReason).toContain('CHANNEL_STOPPED');
    expect(twilio.requests.some((r) => r.form.To === client.phone)).toBe(false);
  });

  it('delays a job over the tier limit until the window frees up, and warns the account holder once at 80%', async () => {
    const tenant = await createTenant(db(), {
      email: 'boss@acme.example',
      limitOverrides: { hourly: { emails: 5 }, daily: { emails: 1000 }, monthly: { emails: 1000 } },
    });
    const jobs: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { client, invoice } = await createDebtor(db(), tenant.id);
      const jobId = `email-${randomUUID()}`;
      jobs.push(jobId);
      await producer.enqueue('email.send', job(tenant.id, client.id, invoice.id), { jobId });
      await attemptOf(jobId, (s) => (i < 5 ? s === 'sent' : true));
    }
    const last = jobs[5]!;
    const delayed = await waitFor(
      async () =>
        (await producer.queue('notifications').getJobState(last)) === 'delayed'
          ? db().contactAttempt.findUnique({ where: { jobId: last } })
          : undefined,
      { what: 'sixth job delayed' },
    );
    expect(delayed?.status).toBe('queued');
    expect(delayed?.scheduledFor?.getTime()).toBeGreaterThan(Date.now());
    const warnings = await waitFor(
      () => {
        const w = sendgrid.requests.filter(
          (r) => customArgsOf(r.body).kind === 'limit_warning' && customArgsOf(r.body).tenant_id === tenant.id,
        );
        return w.length > 0 ? w : undefined;
      },
      { what: 'limit warning email' },
    );
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]!.body.personalizations)).toContain('boss@acme.example');
  });

  it('blocks a channel the tenant plan does not include (starter has no SMS)', async () => {
    const tenant = await createTenant(db(), { tier: 'starter', limitOverrides: {} });
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `sms-${randomUUID()}`;
    await producer.enqueue(
      'sms.send',
      { ...job(tenant.id, client.id, invoice.id), channel: 'sms', template_id: 'friendly_reminder' },
      { jobId },
    );
    const attempt = await attemptOf(jobId, (s) => s === 'blocked');
    expect(attempt.failureReason).toMatch(/^limit: .*sms.*not in the tenant's plan/);
  });

  it('retries transient provider errors with backoff (429 with Retry-After, 503), sending once', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `email-${randomUUID()}`;
    sendgrid.reply({ status: 429, headers: { 'retry-after': '1' } }, { status: 503 });
    await producer.enqueue('email.send', job(tenant.id, client.id, invoice.id), { jobId });
    const attempt = await attemptOf(jobId, (s) => s === 'sent');
    const detail = attempt.detail as { send_retries?: number; retry_delays_ms?: number[] };
    expect(detail.send_retries).toBe(2);
    expect(detail.retry_delays_ms![0]).toBeGreaterThanOrEqual(1000); // Retry-After: 1 honoured over a 20 ms base
    expect(detail.retry_delays_ms![1]).toBeLessThan(1000); // the 503 had none: exponential step with jitter
    expect(sendgrid.deliveries().filter((id) => id === jobId)).toHaveLength(1);
  });

  it('asks SendGrid before resending when a previous run died between the send and recording it', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `email-${randomUUID()}`;
    // The dead run: the attempt was claimed (`sending`); SendGrid accepted it; the row was never marked sent.
    await db().contactAttempt.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        channel: 'email',
        purpose: 'reminder',
        jobId,
        status: 'sending',
        detail: { limits_consumed: true, send_started_at: new Date().toISOString() },
      },
    });
    const first = await new SendGridEmailSender({ apiKey: 'SG.test', from: 'collections@recoup.example', baseUrl: sendgrid.url }).send({
      idempotencyKey: jobId,
      to: client.email!,
      subject: 's',
      html: 'h',
      text: 't',
      customArgs: {},
    });
    await producer.enqueue('email.send', job(tenant.id, client.id, invoice.id), { jobId });
    const attempt = await attemptOf(jobId, (s) => s === 'sent');
    expect(attempt.providerMessageId).toBe(first.providerMessageId);
    expect(sendgrid.deliveries().filter((id) => id === jobId)).toHaveLength(1);
    expect(sendgrid.requests.some((r) => r.method === 'GET' && r.path === '/v3/messages')).toBe(true);
  });

  it('asks Twilio before resending an SMS whose previous run died mid-send', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `sms-${randomUUID()}`;
    const started = new Date();
    // The dead run's message: every link carries a token minted for that run, so the claim stored the text it sent.
    const text = (
      renderTemplate(
        'friendly_reminder',
        'sms',
        templateVariables({
          stage: 'friendly_reminder',
          tenant,
          client,
          invoice,
          linkBaseUrl: 'https://pay.recoup.example',
          now: MONDAY_NOON,
        }),
      ) as { text: string }
    ).text;
    await db().contactAttempt.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        channel: 'sms',
        purpose: 'reminder',
        jobId,
        status: 'sending',
        detail: { limits_consumed: true, send_started_at: started.toISOString(), sms_text: text },
      },
    });
    const sms = new TwilioSmsSender({ accountSid: SID, authToken: 'x'.repeat(32), from: '+447700900000', baseUrl: twilio.url });
    const first = await sms.send({ idempotencyKey: jobId, to: client.phone!, body: text });
    await producer.enqueue(
      'sms.send',
      { ...job(tenant.id, client.id, invoice.id), channel: 'sms', template_id: 'friendly_reminder' },
      { jobId },
    );
    const attempt = await attemptOf(jobId, (s) => s === 'sent');
    expect(attempt.providerMessageId).toBe(first.providerMessageId);
    expect(twilio.accepted().filter((r) => r.form.To === client.phone)).toHaveLength(1);
  });

  it('a payment racing a send leaves the claimed attempt sent, as the provider has it, and the payment applied', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `email-${randomUUID()}`;
    // A worker claimed the attempt and handed the message to SendGrid, then died before recording it.
    const queued = await recordQueuedContact(db(), {
      tenantId: tenant.id,
      clientId: client.id,
      invoiceId: invoice.id,
      channel: 'email',
      purpose: 'reminder',
      jobId,
    });
    expect(await claimDeliveryAttempt(db(), queued.id, { limits_consumed: true, send_started_at: new Date().toISOString() })).toBe(true);
    await new SendGridEmailSender({ apiKey: 'SG.test', from: 'collections@recoup.example', baseUrl: sendgrid.url }).send({
      idempotencyKey: jobId,
      to: client.email!,
      subject: 's',
      html: 'h',
      text: 't',
      customArgs: {},
    });
    // The debtor pays meanwhile: the payment is applied, and its cancellation cannot take a claimed attempt.
    const paid = await applyPayment(
      { db: db() },
      {
        tenantId: tenant.id,
        invoiceId: invoice.id,
        amountPence: invoice.amountPence,
        currency: 'GBP',
        method: 'stripe',
        externalId: `pi_${randomUUID()}`,
        receivedAt: new Date(),
        actor: 'stripe',
      },
    );
    expect(paid.outcome).toBe('applied');
    expect((await db().contactAttempt.findUniqueOrThrow({ where: { id: queued.id } })).status).toBe('sending');
    // The job runs again: the invoice is paid, but SendGrid holds the message, so the row says sent.
    await producer.enqueue('email.send', job(tenant.id, client.id, invoice.id), { jobId });
    const attempt = await attemptOf(jobId, (s) => s !== 'sending');
    expect(attempt.status).toBe('sent');
    expect(sendgrid.deliveries().filter((id) => id === jobId)).toHaveLength(1);
    expect((await db().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).status).toBe('paid');
  });

  it('an attempt in doubt whose invoice was paid is cancelled once SendGrid says it holds nothing', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id, {}, { status: 'paid', paidPence: 240_00 });
    const jobId = `email-${randomUUID()}`;
    await db().contactAttempt.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        channel: 'email',
        purpose: 'reminder',
        jobId,
        status: 'sending',
        detail: { limits_consumed: true, send_started_at: new Date().toISOString() },
      },
    });
    const asked = sendgrid.requests.filter((r) => r.method === 'GET' && r.path === '/v3/messages').length;
    await producer.enqueue('email.send', job(tenant.id, client.id, invoice.id), { jobId });
    const attempt = await attemptOf(jobId, (s) => s !== 'sending');
    expect(attempt).toMatchObject({ status: 'cancelled', failureReason: 'invoice is paid' });
    expect(sendgrid.requests.filter((r) => r.method === 'GET' && r.path === '/v3/messages').length).toBeGreaterThan(asked);
    expect(sendgrid.deliveries()).not.toContain(jobId);
  });

  it('finds an in-doubt SMS at Twilio by the text it sent, though a payment since changed what a re-render would say', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id, {}, { status: 'paid', paidPence: 240_00 });
    const jobId = `sms-${randomUUID()}`;
    const text = 'Acme Supplies: £240.00 is overdue on your invoice. Pay at https://pay.recoup.example/p/abc';
    await db().contactAttempt.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        channel: 'sms',
        purpose: 'reminder',
        jobId,
        status: 'sending',
        detail: { limits_consumed: true, send_started_at: new Date().toISOString(), sms_text: text },
      },
    });
    const sms = new TwilioSmsSender({ accountSid: SID, authToken: 'x'.repeat(32), from: '+447700900000', baseUrl: twilio.url });
    const first = await sms.send({ idempotencyKey: jobId, to: client.phone!, body: text });
    await producer.enqueue(
      'sms.send',
      { ...job(tenant.id, client.id, invoice.id), channel: 'sms', template_id: 'friendly_reminder' },
      { jobId },
    );
    const attempt = await attemptOf(jobId, (s) => s !== 'sending');
    expect(attempt).toMatchObject({ status: 'sent', providerMessageId: first.providerMessageId });
    expect(twilio.accepted().filter((r) => r.form.To === client.phone)).toHaveLength(1);
  });

  it('does not retry a permanent failure: the attempt fails and the job goes to the dead-letter queue', async () => {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const jobId = `sms-${randomUUID()}`;
    twilio.reply({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    await producer.enqueue(
      'sms.send',
      { ...job(tenant.id, client.id, invoice.id), channel: 'sms', template_id: 'friendly_reminder' },
      { jobId },
    );
    const attempt = await attemptOf(jobId, (s) => s === 'failed');
    expect(attempt.failureReason).toContain('21211');
    const dead = await waitFor(() => deps.deadLetters.queue.getJob(jobId), { what: 'dead letter' });
    expect(dead.data).toMatchObject({ contact_attempt_id: attempt.id, reason: expect.stringContaining('21211') });
    // The worker fails the job after it dead-letters it: wait for BullMQ to move it.
    await waitFor(async () => (await producer.queue('notifications').getJobState(jobId)) === 'failed', { what: 'job failed' });
    expect(twilio.requests.filter((r) => r.form.To === client.phone)).toHaveLength(1);
  });
});

/**
 * A weekday evening after contact hours, ahead of real time: BullMQ delays run on the real clock, so the business
 * clock must not be in the past (a delay "until" a past time would be no delay). Monday 22:30 London, at least two
 * days ahead, whose Tuesday is not a bank holiday; the next allowed time is that Tuesday 08:00 London (CONC 7.9;
 * MCOB 13.5.4G's 8 am to 9 pm).
 */
function nextMondayEvening(from: Date): { now: Date; nextAllowedAt: Date } {
  const holidays = new DateHolidaysCalendar();
  let monday = DateTime.fromJSDate(from, { zone: 'Europe/London' }).plus({ days: 2 }).startOf('day');
  for (;;) {
    monday = monday.plus({ days: (8 - monday.weekday) % 7 });
    const tuesday = monday.plus({ days: 1 });
    if (!holidays.isBankHoliday('england_wales', tuesday.toISODate()!))
      return { now: monday.set({ hour: 22, minute: 30 }).toJSDate(), nextAllowedAt: tuesday.set({ hour: 8 }).toJSDate() };
    monday = monday.plus({ days: 1 });
  }
}

describe('notification delivery outside contact hours', () => {
  let database: TestDatabase;
  let deps: Deps;
  let redis: Redis;
  let prefix: string;
  const evening = nextMondayEvening(new Date());

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = testQueuePrefix();
    const { config, providers } = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    });
    deps = buildDeps(config, providers, { clock: () => evening.now });
    void deps.worker.run();
    redis = createRedis(testRedisUrl(), 'client', createLogger({ service: 'test', level: 'silent' }));
  });
  afterAll(async () => {
    await deps.worker.close();
    await deletePrefix(redis, prefix);
    await closeRedis(redis);
    await deps.close();
    await database.drop();
  });

  it('moves the job to delayed until nextAllowedAt; the attempt stays queued with scheduledFor', async () => {
    const tenant = await createTenant(database.db);
    // Overdue by a month on the business clock, whatever the date the suite runs.
    const due = new Date(evening.now.getTime() - 30 * 86_400_000);
    const { client, invoice } = await createDebtor(
      database.db,
      tenant.id,
      {},
      { issueDate: new Date(due.getTime() - 30 * 86_400_000), dueDate: due },
    );
    const producer = new JobProducer(redis, prefix);
    const queue = producer.queue('notifications');
    const jobId = `email-${randomUUID()}`;
    await producer.enqueue(
      'email.send',
      {
        tenant_id: tenant.id,
        client_id: client.id,
        invoice_id: invoice.id,
        template_id: 'friendly_reminder',
        purpose: 'reminder',
        requested_by: 'test',
        channel: 'email',
      },
      { jobId },
    );
    // The worker writes the attempt, then moves the job: wait until it is in the delayed set.
    await waitFor(async () => (await queue.getJobState(jobId)) === 'delayed', { what: 'job delayed' });
    const attempt = await database.db.contactAttempt.findUniqueOrThrow({ where: { jobId } });
    expect(attempt.status).toBe('queued');
    expect(attempt.scheduledFor).toEqual(evening.nextAllowedAt);
    // BullMQ scores a delayed job by its due time (ms) x 4096 plus a counter.
    const score = Number(await redis.zscore(`${prefix}:notifications:delayed`, jobId));
    expect(Math.floor(score / 4096)).toBe(evening.nextAllowedAt.getTime());
    expect(await database.db.sandboxMessage.count()).toBe(0);
    await producer.close();
  });
});

import { applyPayment, recordStatementContacts } from '@recoup/collections';
import { ComplianceService } from '@recoup/compliance';
import type { SendStatementJob } from '@recoup/contracts';
import { createLogger } from '@recoup/observability';
import { SandboxEmailSender } from '@recoup/providers/email';
import { SandboxLetterSender } from '@recoup/providers/letters';
import { SandboxSmsSender } from '@recoup/providers/sms';
import { JobProducer, closeRedis, createRedis, waitForRedis, type Redis, type Worker } from '@recoup/queue';
import { RateLimiter } from '@recoup/rate-limit';
import { createTestDatabase, deletePrefix, testQueuePrefix, testRedisUrl, waitFor, type TestDatabase } from '@recoup/testing';
import { DeadLetters } from '../delivery/dead-letter';
import { DeliveryService } from '../delivery/delivery.service';
import { LimitWarnings } from '../delivery/limit-warnings';
import { createNotificationWorker } from '../delivery/notification-worker';
import { notificationProcessors } from '../delivery/processors';
import { MONDAY_NOON, createDebtor, createTenant } from '../../test/fixtures';
import { StatementDelivery } from './statement-delivery';

/** statement.send through the notifications worker, against real PostgreSQL and Redis, with the sandbox providers. */
describe('statement delivery (one message for several invoices of a debtor)', () => {
  let t: TestDatabase;
  let redis: Redis;
  let workerRedis: Redis;
  let producer: JobProducer;
  let worker: Worker;
  let statements: StatementDelivery;
  const prefix = testQueuePrefix();
  const logger = createLogger({ service: 'statement-test', level: 'silent' });

  beforeAll(async () => {
    t = await createTestDatabase();
    redis = createRedis(testRedisUrl(), 'producer', logger);
    workerRedis = createRedis(testRedisUrl(), 'worker', logger);
    await waitForRedis(redis, 10_000);
    producer = new JobProducer(redis, prefix);
    const email = new SandboxEmailSender(t.db);
    const options = {
      db: t.db,
      compliance: new ComplianceService({ db: t.db, clock: () => MONDAY_NOON }),
      limiter: new RateLimiter(redis, { logger }),
      email,
      sms: new SandboxSmsSender(t.db),
      letters: new SandboxLetterSender(t.db),
      deadLetters: new DeadLetters(redis, prefix),
      warnings: new LimitWarnings(email, logger),
      logger,
      publicUrl: 'http://127.0.0.1:8005',
      linkBaseUrl: 'http://127.0.0.1:8000',
      retryBaseMs: 20,
      maxSendAttempts: 3,
      clock: () => MONDAY_NOON,
    };
    statements = new StatementDelivery(options);
    worker = createNotificationWorker(notificationProcessors(new DeliveryService(options), logger, statements), {
      connection: workerRedis,
      prefix,
      concurrency: 2,
      lockDurationMs: 5_000,
      logger,
    });
    void worker.run();
  });
  afterAll(async () => {
    await worker?.close();
    await producer?.close();
    await deletePrefix(redis, prefix);
    await closeRedis(redis);
    await closeRedis(workerRedis);
    await t?.drop();
  });

  async function debtorWithThree() {
    const tenant = await createTenant(t.db);
    const { client, invoice } = await createDebtor(t.db, tenant.id, { kind: 'business', name: 'Harbour Bakery Ltd' });
    const more = [];
    for (const [n, amountPence] of [180_50, 96_00].entries())
      more.push(
        await t.db.invoice.create({
          data: {
            tenantId: tenant.id,
            clientId: client.id,
            reference: `INV-S${n}-${client.id.slice(0, 5)}`,
            amountPence,
            issueDate: new Date('2026-09-20'),
            dueDate: new Date(`2026-10-2${n}`),
            status: 'overdue',
          },
        }),
      );
    return { tenant, client, invoices: [invoice, ...more] };
  }

  async function queue(d: Awaited<ReturnType<typeof debtorWithThree>>, jobId: string, channel: 'email' | 'sms' | 'letter' = 'email') {
    await recordStatementContacts(
      { db: t.db },
      {
        tenantId: d.tenant.id,
        clientId: d.client.id,
        channel,
        purpose: 'reminder',
        statementJobId: jobId,
        scheduledFor: MONDAY_NOON,
        actor: 'pipeline',
        items: d.invoices.map((i) => ({ invoiceId: i.id, jobId: `${jobId}-${i.id}`, templateId: `statement.${channel}` })),
      },
    );
    const data: SendStatementJob = {
      tenant_id: d.tenant.id,
      client_id: d.client.id,
      channel,
      template_id: `statement.${channel}`,
      purpose: 'reminder',
      requested_by: 'pipeline',
      invoice_ids: d.invoices.map((i) => i.id),
    };
    return data;
  }
  const attempts = (jobId: string) => t.db.contactAttempt.findMany({ where: { statementJobId: jobId }, orderBy: { createdAt: 'asc' } });
  const settled = (jobId: string) =>
    waitFor(
      async () => {
        const rows = await attempts(jobId);
        return rows.length > 0 && rows.every((r) => !['queued', 'sending'].includes(r.status)) ? rows : undefined;
      },
      { what: `statement ${jobId} to settle` },
    );

  it('sends ONE email listing every invoice with its balance, marks each invoice’s attempt sent with that message, audits one decision', async () => {
    const d = await debtorWithThree();
    const jobId = `stmt-${d.client.id}-email-a`;
    await producer.enqueue('statement.send', await queue(d, jobId), { jobId });
    const rows = await settled(jobId);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    expect(new Set(rows.map((r) => r.providerMessageId)).size).toBe(1);
    const outbox = await t.db.sandboxMessage.findMany({ where: { toAddress: d.client.email! } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.idempotencyKey).toBe(jobId);
    expect(outbox[0]!.subject).toBe('Statement: 3 overdue invoices from Acme Supplies Ltd');
    for (const i of d.invoices) expect(outbox[0]!.body).toContain(i.reference);
    expect(outbox[0]!.body).toContain('£516.50');
    expect(outbox[0]!.body).toMatch(/http:\/\/127\.0\.0\.1:8000\/a\/[A-Za-z0-9_-]{22}/);
    const audits = await t.db.complianceAudit.findMany({ where: { clientId: d.client.id, actor: 'notifier:pipeline' } });
    expect(audits).toHaveLength(1);
    // Run again (a redelivered job): nothing is sent twice.
    const again = await statements.deliver(await queue(d, jobId), { id: jobId } as never);
    expect(again.status).toBe('skipped');
    expect(await t.db.sandboxMessage.count({ where: { toAddress: d.client.email! } })).toBe(1);
  });

  it('an invoice paid after the run is left out; the rest go in one SMS within its budget', async () => {
    const d = await debtorWithThree();
    const jobId = `stmt-${d.client.id}-sms-b`;
    const data = await queue(d, jobId, 'sms');
    await applyPayment(
      { db: t.db },
      {
        tenantId: d.tenant.id,
        invoiceId: d.invoices[0]!.id,
        amountPence: 240_00,
        currency: 'GBP',
        method: 'manual',
        receivedAt: MONDAY_NOON,
        actor: 'api',
      },
    );
    await producer.enqueue('statement.send', data, { jobId });
    const rows = await settled(jobId);
    expect(Object.fromEntries(rows.map((r) => [r.invoiceId, r.status]))).toEqual({
      [d.invoices[0]!.id]: 'cancelled',
      [d.invoices[1]!.id]: 'sent',
      [d.invoices[2]!.id]: 'sent',
    });
    const [sms] = await t.db.sandboxMessage.findMany({ where: { toAddress: d.client.phone! } });
    expect(sms!.body).toContain('2 invoices overdue');
    expect(sms!.body).not.toContain(d.invoices[0]!.reference);
    expect(sms!.body).toMatch(/Reply STOP to stop texts$/);
  });

  it('a run that died after the send finds the message at the provider and records it, never sending a second', async () => {
    const d = await debtorWithThree();
    const jobId = `stmt-${d.client.id}-email-c`;
    const data = await queue(d, jobId);
    // The first run claimed the attempts and sent, then died before recording it.
    await new SandboxEmailSender(t.db).send({
      idempotencyKey: jobId,
      to: d.client.email!,
      toName: 'x',
      subject: 's',
      html: '<p>s</p>',
      text: 's',
      customArgs: {},
    });
    await t.db.contactAttempt.updateMany({
      where: { statementJobId: jobId },
      data: { status: 'sending', detail: { send_started_at: MONDAY_NOON.toISOString(), limits_consumed: true } },
    });
    await producer.enqueue('statement.send', data, { jobId });
    const rows = await settled(jobId);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    expect(await t.db.sandboxMessage.count({ where: { idempotencyKey: jobId } })).toBe(1);
  });

  it('a dispute on the debtor blocks the whole statement; none left to collect sends nothing', async () => {
    const d = await debtorWithThree();
    const jobId = `stmt-${d.client.id}-email-d`;
    const data = await queue(d, jobId);
    await t.db.client.update({ where: { id: d.client.id }, data: { disputeOpenedAt: new Date('2026-11-20T10:00:00Z') } });
    await producer.enqueue('statement.send', data, { jobId });
    const rows = await settled(jobId);
    expect(rows.every((r) => r.status === 'blocked' && r.failureReason?.includes('DEBT_DISPUTED'))).toBe(true);
    expect(await t.db.sandboxMessage.count({ where: { toAddress: d.client.email! } })).toBe(0);
  });
});

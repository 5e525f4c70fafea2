import { createLogger } from '@recoup/observability';
import { JobProducer, QUEUES, closeRedis, createRedis, waitForRedis, type Redis } from '@recoup/queue';
import { createTestDatabase, deletePrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@recoup/testing';
import { applyCheckoutPayment, applyPayment, openDispute, recordStatementContacts, type CollectionsDeps } from '../index';

/**
 * One reminder per debtor: a statement's contacts (one attempt per invoice, one job) and a pay-all payment split
 * across the invoices, against real PostgreSQL and Redis.
 */
describe('statement contacts and pay-all payments (PostgreSQL, Redis)', () => {
  let t: TestDatabase;
  let redis: Redis;
  let producer: JobProducer;
  let deps: CollectionsDeps;
  const prefix = testQueuePrefix();
  const now = new Date('2026-11-30T10:00:00Z');
  const logger = createLogger({ service: 'statement-contacts-spec', level: 'silent' });

  beforeAll(async () => {
    t = await createTestDatabase();
    redis = createRedis(testRedisUrl(), 'producer', logger);
    await waitForRedis(redis, 10_000);
    producer = new JobProducer(redis, prefix);
    deps = { db: t.db, producer, logger, clock: () => now };
  });
  afterAll(async () => {
    await producer?.close();
    if (redis) await deletePrefix(redis, prefix);
    if (redis) await closeRedis(redis);
    await t?.drop();
  });

  async function debtorWithInvoices(amounts: number[]) {
    const tenant = await t.db.tenant.create({ data: { name: 'Acme Ltd' } });
    const client = await t.db.client.create({ data: { tenantId: tenant.id, name: 'Jo Bloggs Ltd', kind: 'business', email: 'jo@x.test' } });
    const invoices = [];
    for (const [n, amountPence] of amounts.entries())
      invoices.push(
        await t.db.invoice.create({
          data: {
            tenantId: tenant.id,
            clientId: client.id,
            reference: `INV-${n + 1}`,
            amountPence,
            issueDate: new Date('2026-09-01'),
            dueDate: new Date(Date.UTC(2026, 9, 1 + n)),
            status: 'overdue',
          },
        }),
      );
    return { tenant, client, invoices };
  }

  async function queueStatement(d: Awaited<ReturnType<typeof debtorWithInvoices>>, statementJobId: string) {
    const r = await recordStatementContacts(deps, {
      tenantId: d.tenant.id,
      clientId: d.client.id,
      channel: 'email',
      purpose: 'reminder',
      statementJobId,
      scheduledFor: now,
      actor: 'pipeline',
      items: d.invoices.map((i) => ({ invoiceId: i.id, jobId: `esc-${i.id}-email-L1`, templateId: 'statement.email' })),
    });
    await producer.enqueue(
      'statement.send',
      {
        tenant_id: d.tenant.id,
        client_id: d.client.id,
        channel: 'email',
        template_id: 'statement.email',
        purpose: 'reminder',
        requested_by: 'pipeline',
        invoice_ids: r.recorded.map((x) => x.invoiceId),
      },
      { jobId: statementJobId, delayMs: 60_000 },
    );
    return r;
  }

  it('records one queued attempt per collectable invoice under one statement job, with a timeline entry each; a disputed one is left out', async () => {
    const d = await debtorWithInvoices([120_00, 240_00, 360_00]);
    await openDispute(deps, {
      tenantId: d.tenant.id,
      invoiceId: d.invoices[2]!.id,
      source: 'creditor',
      reason: 'not ordered',
      actor: 'api',
    });
    const r = await queueStatement(d, 'stmt-a');
    expect(r.recorded.map((x) => x.invoiceId).sort()).toEqual([d.invoices[0]!.id, d.invoices[1]!.id].sort());
    expect(r.left).toEqual([{ invoiceId: d.invoices[2]!.id, status: 'disputed' }]);
    const attempts = await t.db.contactAttempt.findMany({ where: { statementJobId: 'stmt-a' } });
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.status === 'queued' && a.channel === 'email')).toBe(true);
    const events = await t.db.invoiceEvent.findMany({ where: { type: 'statement_queued', tenantId: d.tenant.id } });
    expect(events).toHaveLength(2);
    expect(events[0]!.detail).toMatchObject({ statement_job_id: 'stmt-a', invoices: 2 });
    // The same run again (a retried scan) records nothing new.
    const again = await queueStatement(d, 'stmt-a');
    expect(again.recorded.map((x) => x.attempt.id).sort()).toEqual(attempts.map((a) => a.id).sort());
    expect(await t.db.invoiceEvent.count({ where: { type: 'statement_queued', tenantId: d.tenant.id } })).toBe(2);
  });

  it('a payment on one invoice removes it from the statement; the last one cancels the statement job', async () => {
    const d = await debtorWithInvoices([100_00, 200_00]);
    await queueStatement(d, 'stmt-b');
    const job = () => producer.queue(QUEUES.notifications).getJob('stmt-b');
    expect(await job()).toBeTruthy();
    const pay = (i: number) =>
      applyPayment(deps, {
        tenantId: d.tenant.id,
        invoiceId: d.invoices[i]!.id,
        amountPence: d.invoices[i]!.amountPence,
        currency: 'GBP',
        method: 'manual',
        receivedAt: now,
        actor: 'api',
      });
    await pay(0);
    const statuses = async () =>
      (await t.db.contactAttempt.findMany({ where: { statementJobId: 'stmt-b' }, orderBy: { invoiceId: 'asc' } })).map((a) => [
        a.invoiceId,
        a.status,
      ]);
    expect(await statuses()).toContainEqual([d.invoices[0]!.id, 'cancelled']);
    expect(await statuses()).toContainEqual([d.invoices[1]!.id, 'queued']);
    expect(await job()).toBeTruthy();
    await pay(1);
    expect((await statuses()).every(([, s]) => s === 'cancelled')).toBe(true);
    expect(await job()).toBeFalsy();
  });

  it('a pay-all payment is applied per invoice at its allotted amount, in one go, and only once', async () => {
    const d = await debtorWithInvoices([120_00, 240_00, 360_00]);
    const allocations = d.invoices.map((i) => ({ invoice_id: i.id, amount_pence: i.amountPence }));
    await t.db.paymentLink.create({
      data: {
        tenantId: d.tenant.id,
        invoiceId: d.invoices[0]!.id,
        provider: 'sandbox',
        externalId: 'cs_sandbox_payall_1',
        url: 'http://127.0.0.1/pay/cs_sandbox_payall_1',
        amountPence: 720_00,
        currency: 'GBP',
        allocations,
      },
    });
    const input = {
      tenantId: d.tenant.id,
      checkoutExternalId: 'cs_sandbox_payall_1',
      paymentRef: 'pi_payall_1',
      amountPence: 720_00,
      currency: 'GBP',
      method: 'stripe',
      receivedAt: now,
      actor: 'stripe',
    };
    const [first, second] = await Promise.all([applyCheckoutPayment(deps, input), applyCheckoutPayment(deps, input)]);
    expect([first.outcome, second.outcome].sort()).toEqual(['applied', 'duplicate']);
    const invoices = await t.db.invoice.findMany({ where: { clientId: d.client.id }, orderBy: { reference: 'asc' } });
    expect(invoices.map((i) => [i.status, i.paidPence])).toEqual([
      ['paid', 120_00],
      ['paid', 240_00],
      ['paid', 360_00],
    ]);
    const payments = await t.db.payment.findMany({ where: { tenantId: d.tenant.id }, orderBy: { amountPence: 'asc' } });
    expect(payments.map((p) => [p.externalId, p.amountPence])).toEqual(d.invoices.map((i) => [`pi_payall_1:${i.id}`, i.amountPence]));
    expect((await t.db.paymentLink.findUniqueOrThrow({ where: { externalId: 'cs_sandbox_payall_1' } })).status).toBe('paid');
    expect(await t.db.invoiceEvent.count({ where: { tenantId: d.tenant.id, type: 'payment_applied' } })).toBe(3);
  });

  it('less than the total pays the first invoices first; another currency moves no balance', async () => {
    const d = await debtorWithInvoices([100_00, 100_00]);
    await t.db.paymentLink.create({
      data: {
        tenantId: d.tenant.id,
        invoiceId: d.invoices[0]!.id,
        provider: 'sandbox',
        externalId: 'cs_sandbox_payall_2',
        url: 'http://127.0.0.1/pay/cs_sandbox_payall_2',
        amountPence: 200_00,
        currency: 'GBP',
        allocations: d.invoices.map((i) => ({ invoice_id: i.id, amount_pence: i.amountPence })),
      },
    });
    const base = { tenantId: d.tenant.id, checkoutExternalId: 'cs_sandbox_payall_2', method: 'stripe', receivedAt: now, actor: 'stripe' };
    const part = await applyCheckoutPayment(deps, { ...base, paymentRef: 'pi_part', amountPence: 150_00, currency: 'GBP' });
    expect(part.invoices.map((i) => [i.amountPence, i.status])).toEqual([
      [100_00, 'paid'],
      [50_00, 'partially_paid'],
    ]);
    expect((await t.db.paymentLink.findUniqueOrThrow({ where: { externalId: 'cs_sandbox_payall_2' } })).status).toBe('open');
    const yen = await applyCheckoutPayment(deps, { ...base, paymentRef: 'pi_jpy', amountPence: 5_000, currency: 'JPY' });
    expect(yen.outcome).toBe('needs_review');
    expect((await t.db.invoice.findUniqueOrThrow({ where: { id: d.invoices[1]!.id } })).paidPence).toBe(50_00);
  });
});

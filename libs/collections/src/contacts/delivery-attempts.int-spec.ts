import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import {
  applyPayment,
  cancelPendingContacts,
  claimDeliveryAttempt,
  recordDeliveryAttempt,
  recordDeliveryDelayed,
  recordDeliveryEvent,
  recordDeliverySent,
  recordDeliveryStopped,
  type CollectionsDeps,
} from '../index';

/** The notification worker's attempt writes against real PostgreSQL: the record matches what the provider has. */
describe('delivery attempts (PostgreSQL)', () => {
  let t: TestDatabase;
  let deps: CollectionsDeps;
  let tenantId: string;
  const now = new Date('2026-11-30T12:00:00Z');

  beforeAll(async () => {
    t = await createTestDatabase();
    deps = { db: t.db, clock: () => now };
    tenantId = (await t.db.tenant.create({ data: { name: 'Acme Ltd' } })).id;
  });
  afterAll(async () => t?.drop());

  async function queuedAttempt(channel: 'email' | 'sms' = 'email') {
    const client = await t.db.client.create({ data: { tenantId, name: 'Jo Bloggs', kind: 'business', email: 'jo@example.test' } });
    const invoice = await t.db.invoice.create({
      data: {
        tenantId,
        clientId: client.id,
        reference: `INV-${randomUUID().slice(0, 8)}`,
        amountPence: 120_00,
        issueDate: new Date('2026-10-01'),
        dueDate: new Date('2026-10-31'),
        status: 'overdue',
      },
    });
    const jobId = `${channel}-${randomUUID()}`;
    const attempt = await recordDeliveryAttempt(t.db, jobId, {
      tenantId,
      clientId: client.id,
      invoiceId: invoice.id,
      channel,
      purpose: 'reminder',
      templateId: 'friendly_reminder',
    });
    return { client, invoice, jobId, attempt };
  }
  const row = (id: string) => t.db.contactAttempt.findUniqueOrThrow({ where: { id } });
  const sent = { provider: 'sendgrid', providerMessageId: 'msg-1', costPence: 0, sentAt: now };

  it('records one queued attempt per job id, however often the job runs', async () => {
    const { client, invoice, jobId, attempt } = await queuedAttempt();
    expect(attempt.status).toBe('queued');
    const again = await recordDeliveryAttempt(t.db, jobId, {
      tenantId,
      clientId: client.id,
      invoiceId: invoice.id,
      channel: 'email',
      purpose: 'reminder',
      templateId: 'friendly_reminder',
    });
    expect(again.id).toBe(attempt.id);
    expect(await t.db.contactAttempt.count({ where: { jobId } })).toBe(1);
  });

  it('a payment racing a claimed send: the payment is applied, the attempt is not cancelled and ends sent', async () => {
    const { invoice, attempt } = await queuedAttempt();
    expect(await claimDeliveryAttempt(t.db, attempt.id, { send_started_at: now.toISOString() })).toBe(true);
    const paid = await applyPayment(deps, {
      tenantId,
      invoiceId: invoice.id,
      amountPence: 120_00,
      currency: 'GBP',
      method: 'stripe',
      externalId: `pi_${randomUUID()}`,
      receivedAt: now,
      actor: 'stripe',
    });
    expect(paid.outcome).toBe('applied');
    expect(await cancelPendingContacts(deps, { tenantId, invoiceId: invoice.id, reason: 'invoice paid' })).toBe(0);
    expect((await row(attempt.id)).status).toBe('sending');
    expect(await recordDeliverySent(t.db, attempt.id, sent)).toBe(true);
    expect(await row(attempt.id)).toMatchObject({ status: 'sent', providerMessageId: 'msg-1', failureReason: null });
    expect((await t.db.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).status).toBe('paid');
  });

  it('a cancellation before the claim wins: the claim fails, and the attempt is never marked sent', async () => {
    const { invoice, attempt } = await queuedAttempt();
    expect(await cancelPendingContacts(deps, { tenantId, invoiceId: invoice.id, reason: 'invoice disputed' })).toBe(1);
    expect(await claimDeliveryAttempt(t.db, attempt.id, {})).toBe(false);
    expect(await recordDeliverySent(t.db, attempt.id, sent)).toBe(false);
    expect(await row(attempt.id)).toMatchObject({ status: 'cancelled', failureReason: 'invoice disputed', providerMessageId: null });
  });

  it('claims an attempt in doubt again (a worker died mid-send), with the detail the send needs', async () => {
    const { attempt } = await queuedAttempt();
    expect(await claimDeliveryAttempt(t.db, attempt.id, { limits_consumed: true })).toBe(true);
    expect(await claimDeliveryAttempt(t.db, attempt.id, { limits_consumed: true, send_started_at: 'x' })).toBe(true);
    expect(await row(attempt.id)).toMatchObject({ status: 'sending', detail: { limits_consumed: true, send_started_at: 'x' } });
  });

  it('stops a queued or claimed attempt with its reason, never a sent one', async () => {
    const a = await queuedAttempt();
    await claimDeliveryAttempt(t.db, a.attempt.id, {});
    expect(await recordDeliveryStopped(t.db, a.attempt.id, { status: 'failed', reason: 'provider: 21211', at: now })).toBe(true);
    expect(await row(a.attempt.id)).toMatchObject({ status: 'failed', failureReason: 'provider: 21211', completedAt: now });
    const b = await queuedAttempt();
    await recordDeliverySent(t.db, b.attempt.id, sent);
    expect(await recordDeliveryStopped(t.db, b.attempt.id, { status: 'cancelled', reason: 'late', at: now })).toBe(false);
    expect((await row(b.attempt.id)).status).toBe('sent');
  });

  it('a delay after the provider refused a try releases the claim, so a cancellation can take it again', async () => {
    const { invoice, attempt } = await queuedAttempt();
    await claimDeliveryAttempt(t.db, attempt.id, { send_started_at: now.toISOString() });
    const until = new Date(now.getTime() + 60_000);
    await recordDeliveryDelayed(t.db, attempt.id, { until, detail: { send_retries: 1 }, releaseClaim: true });
    expect(await row(attempt.id)).toMatchObject({ status: 'queued', scheduledFor: until, detail: { send_retries: 1 } });
    expect(await cancelPendingContacts(deps, { tenantId, invoiceId: invoice.id, reason: 'invoice paid' })).toBe(1);
  });

  it('a delivery receipt that beats the worker keeps its status; the send still records the message id', async () => {
    const { attempt } = await queuedAttempt('sms');
    await claimDeliveryAttempt(t.db, attempt.id, {});
    const at = new Date('2026-11-30T12:00:05Z');
    expect(await recordDeliveryEvent(t.db, { contactAttemptId: attempt.id, type: 'delivered', provider: 'twilio', occurredAt: at })).toBe(
      true,
    );
    await recordDeliverySent(t.db, attempt.id, { ...sent, provider: 'twilio', providerMessageId: 'SM1' });
    expect(await row(attempt.id)).toMatchObject({ status: 'delivered', deliveredAt: at, provider: 'twilio', providerMessageId: 'SM1' });
    // A late "failed" after an open never undoes the proof that it arrived.
    await recordDeliveryEvent(t.db, { contactAttemptId: attempt.id, type: 'opened', provider: 'twilio', occurredAt: at });
    await recordDeliveryEvent(t.db, { contactAttemptId: attempt.id, type: 'failed', provider: 'twilio', occurredAt: at });
    expect((await row(attempt.id)).status).toBe('opened');
    expect(await t.db.contactEvent.count({ where: { contactAttemptId: attempt.id } })).toBe(3);
  });
});

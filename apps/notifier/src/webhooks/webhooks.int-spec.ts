import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { ComplianceService } from '@recoup/compliance';
import { signTwilioRequest } from '@recoup/providers/twilio';
import { createTestDatabase, deletePrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@recoup/testing';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { buildDeps, type Deps } from '../deps';
import { MONDAY_NOON, createDebtor, createTenant } from '../../test/fixtures';

const TWILIO_TOKEN = 'twilio-auth-token-for-tests-0123';
const ADMIN_KEY = 'admin-key-for-the-notifier-tests-0123456789';
const PUBLIC = 'https://notifier.example.com';

describe('notifier webhooks, engagement and the queue board', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let database: TestDatabase;
  let deps: Deps;
  let app: Express;
  let prefix: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = testQueuePrefix();
    const { config, providers } = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      ADMIN_API_KEY: ADMIN_KEY,
      NOTIFIER_PUBLIC_URL: PUBLIC,
    });
    deps = buildDeps(config, providers);
    app = createApp(deps);
  });
  afterAll(async () => {
    await deletePrefix(deps.redis, prefix);
    await deletePrefix(deps.redis, `${prefix}:webhooks`);
    await deps.close();
    await database.drop();
  });

  const db = () => database.db;
  async function sentAttempt(channel: 'email' | 'sms', over: Record<string, unknown> = {}) {
    const tenant = await createTenant(db());
    const { client, invoice } = await createDebtor(db(), tenant.id);
    const attempt = await db().contactAttempt.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        channel,
        purpose: 'reminder',
        status: 'sent',
        provider: channel === 'email' ? 'sendgrid' : 'twilio',
        providerMessageId: channel === 'email' ? `msg${randomBytes(6).toString('hex')}` : `SM${randomBytes(16).toString('hex')}`,
        sentAt: new Date(),
        ...over,
      },
    });
    return { tenant, client, invoice, attempt };
  }

  const queuedAttempt = (a: { tenantId: string; clientId: string; invoiceId: string }, channel: 'email' | 'sms') =>
    db().contactAttempt.create({
      data: { ...a, channel, purpose: 'reminder', status: 'queued', jobId: `${channel}-${randomBytes(8).toString('hex')}` },
    });

  function sendgridPost(events: unknown[], { tamper = false } = {}) {
    const body = JSON.stringify(events);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64');
    return request(app)
      .post('/webhooks/sendgrid/events')
      .set('content-type', 'application/json')
      .set('X-Twilio-Email-Event-Webhook-Signature', signature)
      .set('X-Twilio-Email-Event-Webhook-Timestamp', tamper ? String(Number(timestamp) + 1) : timestamp)
      .send(body);
  }

  function twilioPost(path: string, params: Record<string, string>, { signature }: { signature?: string } = {}) {
    return request(app)
      .post(path)
      .type('form')
      .set('X-Twilio-Signature', signature ?? signTwilioRequest(TWILIO_TOKEN, PUBLIC + path, params))
      .send(params);
  }

  describe('SendGrid event webhook', () => {
    it('refuses an unsigned or tampered delivery', async () => {
      expect((await request(app).post('/webhooks/sendgrid/events').send([])).status).toBe(403);
      const res = await sendgridPost([{ event: 'delivered', sg_event_id: 'x', timestamp: 1 }], { tamper: true });
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });

    it('records delivered and open on the attempt once, however often SendGrid redelivers', async () => {
      const { attempt } = await sentAttempt('email');
      const t = Math.floor(Date.now() / 1000);
      const events = [
        {
          event: 'delivered',
          sg_event_id: `d-${attempt.id}`,
          sg_message_id: `${attempt.providerMessageId}.filter0001`,
          timestamp: t,
          contact_attempt_id: attempt.id,
          email: 'sam@example.com',
        },
        {
          event: 'open',
          sg_event_id: `o-${attempt.id}`,
          sg_message_id: `${attempt.providerMessageId}.filter0001`,
          timestamp: t + 60,
          contact_attempt_id: attempt.id,
          email: 'sam@example.com',
        },
      ];
      const first = await sendgridPost(events);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ received: 2, recorded: 2, duplicates: 0 });
      const again = await sendgridPost(events);
      expect(again.body).toEqual({ received: 2, recorded: 0, duplicates: 2 });
      const row = await db().contactAttempt.findUniqueOrThrow({ where: { id: attempt.id }, include: { events: true } });
      expect(row.status).toBe('opened');
      expect(row.deliveredAt).toEqual(new Date(t * 1000));
      expect(row.openedAt).toEqual(new Date((t + 60) * 1000));
      expect(row.events.map((e) => e.type).sort()).toEqual(['delivered', 'opened']);
    });

    it('marks a bounce, finds the attempt by sg_message_id, and stops email after an unsubscribe', async () => {
      const { attempt, client, tenant, invoice } = await sentAttempt('email');
      const ids = { tenantId: tenant.id, clientId: client.id, invoiceId: invoice.id };
      const [pendingEmail, pendingSms] = [await queuedAttempt(ids, 'email'), await queuedAttempt(ids, 'sms')];
      const t = Math.floor(Date.now() / 1000);
      await sendgridPost([
        {
          event: 'bounce',
          sg_event_id: `b-${attempt.id}`,
          sg_message_id: `${attempt.providerMessageId}.f1`,
          timestamp: t,
          reason: '550 5.1.1 user unknown',
          type: 'bounce',
        },
      ]).expect(200);
      const bounced = await db().contactAttempt.findUniqueOrThrow({ where: { id: attempt.id } });
      expect(bounced).toMatchObject({ status: 'bounced', failureReason: 'bounce: 550 5.1.1 user unknown' });
      await sendgridPost([{ event: 'unsubscribe', sg_event_id: `u-${attempt.id}`, timestamp: t, contact_attempt_id: attempt.id }]).expect(
        200,
      );
      expect((await db().client.findUniqueOrThrow({ where: { id: client.id } })).stoppedChannels).toEqual(['email']);
      // Its queued emails are cancelled through the collections core, with the reason; other channels are untouched.
      expect(await db().contactAttempt.findUniqueOrThrow({ where: { id: pendingEmail.id } })).toMatchObject({
        status: 'cancelled',
        failureReason: 'the debtor unsubscribed from email',
      });
      expect((await db().contactAttempt.findUniqueOrThrow({ where: { id: pendingSms.id } })).status).toBe('queued');
      expect(await db().invoiceEvent.count({ where: { invoiceId: invoice.id, type: 'contact_channels_stopped' } })).toBe(1);
    });

    it('answers 400 naming the field for a signed body that is not an event batch', async () => {
      const res = await sendgridPost([{ event: 'delivered', timestamp: 1 }]);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('body.0.sg_event_id');
    });
  });

  describe('Twilio SMS status callbacks', () => {
    it('refuses a bad signature', async () => {
      const res = await twilioPost(
        '/webhooks/twilio/sms-status',
        { MessageSid: 'SM' + 'a'.repeat(32), MessageStatus: 'delivered' },
        { signature: 'bogus' },
      );
      expect(res.status).toBe(403);
    });

    it('records delivery once per status, on the attempt the callback URL names', async () => {
      const { attempt } = await sentAttempt('sms');
      const path = `/webhooks/twilio/sms-status?attempt=${attempt.id}`;
      const params = { MessageSid: attempt.providerMessageId!, MessageStatus: 'delivered', AccountSid: 'AC' + '0'.repeat(32) };
      expect((await twilioPost(path, params)).status).toBe(204);
      const replay = await twilioPost(path, params);
      expect(replay.status).toBe(204);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      const row = await db().contactAttempt.findUniqueOrThrow({ where: { id: attempt.id }, include: { events: true } });
      expect(row.status).toBe('delivered');
      expect(row.deliveredAt).toBeTruthy();
      expect(row.events).toHaveLength(1);
    });

    it('records an undelivered message as failed with the Twilio error code', async () => {
      const { attempt } = await sentAttempt('sms');
      await twilioPost('/webhooks/twilio/sms-status', {
        MessageSid: attempt.providerMessageId!,
        MessageStatus: 'undelivered',
        ErrorCode: '30005',
      }).expect(204);
      expect(await db().contactAttempt.findUniqueOrThrow({ where: { id: attempt.id } })).toMatchObject({
        status: 'failed',
        failureReason: 'undelivered (Twilio error 30005)',
      });
    });
  });

  describe('inbound SMS', () => {
    const inbound = (from: string, body: string) => ({
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      From: from,
      To: '+447700900000',
      Body: body,
      AccountSid: 'AC' + '0'.repeat(32),
    });

    it('STOP stops SMS through the compliance engine, audits it, and marks the last text replied', async () => {
      const { client, attempt, tenant, invoice } = await sentAttempt('sms');
      const ids = { tenantId: tenant.id, clientId: client.id, invoiceId: invoice.id };
      const [pendingSms, pendingEmail] = [await queuedAttempt(ids, 'sms'), await queuedAttempt(ids, 'email')];
      const msg = inbound(client.phone!, 'STOP');
      const res = await twilioPost('/webhooks/twilio/sms-inbound', msg);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<Response>');
      expect((await db().client.findUniqueOrThrow({ where: { id: client.id } })).stoppedChannels).toEqual(['sms']);
      expect(await db().inboundMessage.findFirstOrThrow({ where: { providerMessageId: msg.MessageSid } })).toMatchObject({
        intent: 'stop',
        clientId: client.id,
        tenantId: tenant.id,
      });
      const audit = await db().complianceAudit.findFirstOrThrow({ where: { clientId: client.id, purpose: 'stop_request' } });
      expect(audit).toMatchObject({ allowed: false, actor: 'debtor:sms-reply' });
      // The client's queued texts are cancelled (STOP is about SMS only); the reply names how many.
      expect(await db().contactAttempt.findUniqueOrThrow({ where: { id: pendingSms.id } })).toMatchObject({
        status: 'cancelled',
        failureReason: 'the debtor replied STOP',
      });
      expect((await db().contactAttempt.findUniqueOrThrow({ where: { id: pendingEmail.id } })).status).toBe('queued');
      expect((await db().inboundMessage.findFirstOrThrow({ where: { providerMessageId: msg.MessageSid } })).action).toMatchObject({
        contacts_cancelled: 1,
      });
      const replied = await db().contactAttempt.findUniqueOrThrow({ where: { id: attempt.id } });
      expect(replied.status).toBe('replied');
      expect(replied.repliedAt).toBeTruthy();
      const decision = await new ComplianceService({ db: db(), clock: () => MONDAY_NOON }).evaluate({
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        channel: 'sms',
        purpose: 'reminder',
        actor: 'test',
      });
      expect(decision.reasons.map((r) => r.code)).toContain('CHANNEL_STOPPED');
      expect(decision.nextAllowedAt).toBeNull();
    });

    it('PAID is recorded for reconciliation and the account holder is told; CALL ME records a call-back request', async () => {
      const { client, tenant, invoice } = await sentAttempt('sms');
      const paid = inbound(client.phone!, 'Paid');
      await twilioPost('/webhooks/twilio/sms-inbound', paid).expect(200);
      const row = await db().inboundMessage.findFirstOrThrow({ where: { providerMessageId: paid.MessageSid } });
      expect(row).toMatchObject({ intent: 'paid', action: { reconciliation_requested: true, invoice_id: invoice.id } });
      const told = await db().sandboxMessage.findUniqueOrThrow({ where: { idempotencyKey: `inbound:${paid.MessageSid}` } });
      expect(told.toAddress).toBe(tenant.email);
      const call = inbound(client.phone!, 'call me');
      await twilioPost('/webhooks/twilio/sms-inbound', call).expect(200);
      expect(await db().inboundMessage.findFirstOrThrow({ where: { providerMessageId: call.MessageSid } })).toMatchObject({
        intent: 'call_me',
        action: { callback_requested: true },
      });
      // A redelivery of the same message is replayed, not recorded twice.
      await twilioPost('/webhooks/twilio/sms-inbound', call).expect(200);
      expect(await db().inboundMessage.count({ where: { providerMessageId: call.MessageSid } })).toBe(1);
    });
  });

  describe('engagement', () => {
    it('reports email open and SMS response rates per client, behind admin auth', async () => {
      const { tenant, client, invoice } = await sentAttempt('email', { openedAt: new Date() });
      await db().contactAttempt.create({
        data: {
          tenantId: tenant.id,
          clientId: client.id,
          invoiceId: invoice.id,
          channel: 'email',
          purpose: 'reminder',
          status: 'sent',
          sentAt: new Date(),
        },
      });
      await db().contactAttempt.create({
        data: {
          tenantId: tenant.id,
          clientId: client.id,
          invoiceId: invoice.id,
          channel: 'sms',
          purpose: 'reminder',
          status: 'replied',
          sentAt: new Date(),
          repliedAt: new Date(),
        },
      });
      expect((await request(app).get(`/internal/engagement?tenant_id=${tenant.id}&client_id=${client.id}`)).status).toBe(401);
      const res = await request(app)
        .get(`/internal/engagement?tenant_id=${tenant.id}&client_id=${client.id}`)
        .set('authorization', `Bearer ${ADMIN_KEY}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([
        expect.objectContaining({
          client_id: client.id,
          emails_sent: 2,
          emails_opened: 1,
          email_open_rate: 0.5,
          sms_sent: 1,
          sms_replied: 1,
          sms_response_rate: 1,
        }),
      ]);
      const other = await createTenant(db());
      const isolated = await request(app)
        .get(`/internal/engagement?tenant_id=${other.id}&client_id=${client.id}`)
        .set('authorization', `Bearer ${ADMIN_KEY}`);
      expect(isolated.body.data).toEqual([]);
      const bad = await request(app).get('/internal/engagement?tenant_id=nope&client_id=x').set('authorization', `Bearer ${ADMIN_KEY}`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('query.tenant_id');
    });
  });

  describe('queue board', () => {
    it('asks a browser for credentials and lets the admin key in (bearer or basic)', async () => {
      const anon = await request(app).get('/admin/queues');
      expect(anon.status).toBe(401);
      expect(anon.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expect((await request(app).get('/admin/queues').set('authorization', 'Bearer wrong-key-wrong-key-wrong-key')).status).toBe(401);
      const page = await request(app)
        .get('/admin/queues')
        .set('authorization', 'Basic ' + Buffer.from(`ops:${ADMIN_KEY}`).toString('base64'));
      expect(page.status).toBe(200);
      expect(page.text).toContain('<html');
      const api = await request(app).get('/admin/queues/api/queues').set('authorization', `Bearer ${ADMIN_KEY}`);
      expect(api.status).toBe(200);
      expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['notifications', 'notifications-dead']);
    });
  });
});

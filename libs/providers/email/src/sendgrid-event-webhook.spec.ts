import { generateKeyPairSync, sign } from 'node:crypto';
import request from 'supertest';
import { createHttpApp } from '@recoup/http';
import { createLogger, createMetrics } from '@recoup/observability';
import { SendGridEventWebhook } from './sendgrid-event-webhook';

const ATTEMPT = '0b8f8a52-3c1e-4b5e-9f55-2f1c7d1c9a10';

describe('SendGridEventWebhook', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const appWith = (webhook: SendGridEventWebhook) =>
    createHttpApp({
      service: 'test',
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: createMetrics('test'),
      health: {},
      configure: (express) => {
        express.post('/events', webhook.verifySignature, (req, res) => {
          const parsed = webhook.parseEventBody(req.body);
          res.json(parsed.success ? { events: parsed.data } : { issues: parsed.error.issues.map((i) => i.path.join('.')) });
        });
      },
    });
  const post = (app: ReturnType<typeof appWith>, events: unknown, { timestamp = '1700000000', tamper = false } = {}) => {
    const body = JSON.stringify(events);
    const signature = sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64');
    return request(app)
      .post('/events')
      .set('content-type', 'application/json')
      .set('X-Twilio-Email-Event-Webhook-Signature', signature)
      .set('X-Twilio-Email-Event-Webhook-Timestamp', tamper ? '1700000001' : timestamp)
      .send(body);
  };

  it('maps a signed batch to our delivery events', async () => {
    const res = await post(appWith(new SendGridEventWebhook(publicDer)), [
      { event: 'open', sg_event_id: 'e1', sg_message_id: 'abc123.filter0001.1.2', timestamp: 1700000000, contact_attempt_id: ATTEMPT },
      { event: 'bounce', sg_event_id: 'e2', timestamp: 1700000060, reason: '550 5.1.1 user unknown', type: 'bounce', email: 'x@y.z' },
      { event: 'group_resubscribe', sg_event_id: 'e3', timestamp: 1700000000, contact_attempt_id: 'not-a-uuid' },
    ]).expect(200);
    expect(res.body.events).toEqual([
      {
        eventId: 'e1',
        type: 'opened',
        providerEvent: 'open',
        messageId: 'abc123',
        contactAttemptId: ATTEMPT,
        occurredAt: '2023-11-14T22:13:20.000Z',
        failureReason: 'open',
      },
      {
        eventId: 'e2',
        type: 'bounced',
        providerEvent: 'bounce',
        occurredAt: '2023-11-14T22:14:20.000Z',
        reason: '550 5.1.1 user unknown',
        bounceType: 'bounce',
        failureReason: 'bounce: 550 5.1.1 user unknown',
      },
      { eventId: 'e3', providerEvent: 'group_resubscribe', occurredAt: '2023-11-14T22:13:20.000Z', failureReason: 'group_resubscribe' },
    ]);
  });

  it('names the bad field of a signed body that is not an event batch', async () => {
    const res = await post(appWith(new SendGridEventWebhook(publicDer)), [{ event: 'delivered', timestamp: 1 }]).expect(200);
    expect(res.body.issues).toEqual(['0.sg_event_id']);
  });

  it('answers 403 problem+json to an unsigned or tampered delivery, and to every delivery without a key', async () => {
    const app = appWith(new SendGridEventWebhook(publicDer));
    const unsigned = await request(app).post('/events').send([]).expect(403);
    expect(unsigned.headers['content-type']).toMatch(/application\/problem\+json/);
    await post(app, [], { tamper: true }).expect(403);
    const noKey = await post(appWith(new SendGridEventWebhook(undefined)), []).expect(403);
    expect(noKey.body.detail).toMatch(/SENDGRID_WEBHOOK_PUBLIC_KEY/);
  });
});

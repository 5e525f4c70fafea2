import { SendGridFake, customArgsOf } from '@recoup/testing';
import { SendGridEmailSender } from './sendgrid-email-sender';

describe('SendGridEmailSender on a loopback SendGrid', () => {
  let fake: SendGridFake;
  beforeAll(async () => {
    fake = await SendGridFake.start();
  });
  afterAll(() => fake.close());

  const sender = () => new SendGridEmailSender({ apiKey: 'SG.test-key', from: 'collections@acme.example', baseUrl: fake.url });
  const email = {
    idempotencyKey: 'job-1',
    to: 'sam@example.com',
    toName: 'Sam Taylor',
    subject: 'Invoice INV-1',
    html: '<p>Hi</p>',
    text: 'Hi',
    customArgs: { contact_attempt_id: '6a1c0b7e-0000-4000-8000-000000000001' },
  };

  it('posts v3 mail/send with the API key and our message id in custom_args', async () => {
    const sent = await sender().send(email);
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v3/mail/send');
    expect(req.headers.authorization).toBe('Bearer SG.test-key');
    expect(req.body).toMatchObject({ from: { email: 'collections@acme.example' }, subject: 'Invoice INV-1' });
    expect(JSON.stringify(req.body.personalizations)).toContain('sam@example.com');
    expect(customArgsOf(req.body)).toMatchObject({
      recoup_message_id: 'job-1',
      contact_attempt_id: '6a1c0b7e-0000-4000-8000-000000000001',
    });
    expect(sent).toMatchObject({ provider: 'sendgrid', replayed: false });
    expect(sent.providerMessageId).toMatch(/^[\w-]{10,}$/);
  });

  it('reports 429 as transient with its Retry-After, 5xx as transient, 400 as permanent', async () => {
    fake.reply(
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503 },
      { status: 400, body: { errors: [{ field: 'personalizations.0.to', message: 'Invalid email' }] } },
    );
    await expect(sender().send(email)).rejects.toMatchObject({
      name: 'DeliveryError',
      kind: 'transient',
      details: { status: 429, retryAfterMs: 7000 },
    });
    await expect(sender().send(email)).rejects.toMatchObject({ kind: 'transient', details: { status: 503 } });
    await expect(sender().send(email)).rejects.toMatchObject({ kind: 'permanent', message: expect.stringContaining('Invalid email') });
  });

  it('finds an accepted message by our key through the Email Activity API', async () => {
    const sent = await sender().send({ ...email, idempotencyKey: 'job-find-me' });
    expect(await sender().findSent('job-find-me')).toMatchObject({ provider: 'sendgrid', providerMessageId: sent.providerMessageId });
    expect(await sender().findSent('job-never-sent')).toBeNull();
    const lookup = fake.requests.filter((r) => r.method === 'GET').at(-1)!;
    expect(lookup.path).toBe('/v3/messages');
    expect(lookup.headers.authorization).toBe('Bearer SG.test-key');
  });

  it('reports an unreachable API as transient', async () => {
    const down = new SendGridEmailSender({ apiKey: 'SG.x', from: 'a@b.example', baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
    await expect(down.send(email)).rejects.toMatchObject({ kind: 'transient' });
  });
});

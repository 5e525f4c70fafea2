import { StannpFake } from '@recoup/testing';
import { contractLetter, describeLetterSenderContract } from './letter-sender.contract';
import { StannpLetterSender } from './stannp-letter-sender';
import { StannpWebhook, letterEventType, signStannpWebhook } from './stannp-webhook';

let fake: StannpFake;
beforeAll(async () => {
  fake = await StannpFake.start();
});
afterAll(() => fake.close());

const sender = (o: Partial<ConstructorParameters<typeof StannpLetterSender>[0]> = {}) =>
  new StannpLetterSender({ apiKey: fake.apiKey, baseUrl: fake.url, ...o });

describeLetterSenderContract('Stannp on its loopback fake', () => sender());

describe('StannpLetterSender', () => {
  it('posts our rendered PDF as Stannp documents it: basic auth, multipart PDF, country, idempotency key, one-sided', async () => {
    const letter = contractLetter('job-stannp-1');
    const posted = await sender({ addons: 'FIRST_CLASS' }).send(letter);
    const request = fake.requests.find((r) => r.fields.idempotency_key === 'job-stannp-1')!;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/letters/post' });
    expect(request.fields).toMatchObject({ test: 'false', country: 'GB', duplex: 'false', addons: 'FIRST_CLASS', tags: 'recoup' });
    expect(request.pdf).toMatchObject({ head: '%PDF-', type: 'application/pdf' });
    expect(posted).toMatchObject({ provider: 'stannp', providerMessageId: fake.letters.get(posted.providerMessageId)!.id, costPence: 71 });
    expect(fake.letters.get(posted.providerMessageId)).toMatchObject({ status: 'received', test: false });
  });

  it('uses Stannp’s test mode when asked: nothing printed or charged', async () => {
    const posted = await sender({ test: true }).send(contractLetter());
    expect(fake.letters.get(posted.providerMessageId)).toMatchObject({ status: 'test', test: true });
  });

  it.each([
    [500, { success: false, error: 'Internal error' }, 'transient'],
    [429, { success: false, error: 'Too many requests' }, 'transient'],
    [400, { success: false, error: 'recipient: address could not be verified' }, 'permanent'],
  ] as const)('reads a %i as %s (the notifier retries only transient failures)', async (status, body, kind) => {
    fake.reply({ status, body });
    await expect(sender().send(contractLetter())).rejects.toMatchObject({ name: 'DeliveryError', kind, details: { status } });
  });

  it('refuses a wrong API key as a permanent failure, naming Stannp’s answer', async () => {
    await expect(new StannpLetterSender({ apiKey: 'wrong', baseUrl: fake.url }).send(contractLetter())).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('permission'),
    });
  });

  it('treats an unreachable Stannp as transient', async () => {
    await expect(new StannpLetterSender({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1' }).send(contractLetter())).rejects.toMatchObject({
      kind: 'transient',
    });
  });

  it('reads a letter’s status back from Stannp', async () => {
    const posted = await sender().send(contractLetter());
    fake.letters.get(posted.providerMessageId)!.status = 'handed_over';
    await expect(sender().status(posted.providerMessageId)).resolves.toBe('handed_over');
  });
});

describe('StannpWebhook', () => {
  const body = Buffer.from(
    JSON.stringify({
      webhook_id: 7,
      event: 'mailpiece_status',
      created: '2026-11-30 10:30:00',
      retries: 0,
      mailpieces: [{ id: 42, status: 'delivered' }],
    }),
  );

  it('accepts Stannp’s signature over the exact bytes, and nothing else', () => {
    const hook = new StannpWebhook('whsec-stannp-0123456789');
    expect(hook.verify(body, signStannpWebhook(body, 'whsec-stannp-0123456789'))).toBe(true);
    expect(hook.verify(body, signStannpWebhook(body, 'another-secret'))).toBe(false);
    expect(
      hook.verify(Buffer.from(body.toString().replace('delivered', 'returned')), signStannpWebhook(body, 'whsec-stannp-0123456789')),
    ).toBe(false);
    expect(hook.verify(body, undefined)).toBe(false);
    expect(hook.verify(body, 'zz')).toBe(false);
    // No secret configured: unsigned events are never trusted.
    expect(new StannpWebhook(undefined).verify(body, signStannpWebhook(body, ''))).toBe(false);
  });

  it('parses a batch into our events, in UTC', () => {
    const parsed = new StannpWebhook('s').parse(JSON.parse(body.toString()));
    expect(parsed).toEqual({
      success: true,
      event: 'mailpiece_status',
      events: [
        {
          providerMessageId: '42',
          type: 'delivered',
          providerStatus: 'delivered',
          occurredAt: new Date('2026-11-30T10:30:00Z'),
          trackingReference: undefined,
        },
      ],
    });
    expect(new StannpWebhook('s').parse({ event: 'mailpiece_status' }).success).toBe(false);
  });

  it.each([
    ['handed_over', 'sent'],
    ['local_delivery', 'sent'],
    ['delivered', 'delivered'],
    ['returned', 'bounced'],
    ['cancelled', 'failed'],
    ['producing', 'processed'],
    ['something_new', undefined],
  ])('maps Stannp’s %s to %s', (status, type) => {
    expect(letterEventType(status)).toBe(type);
  });
});

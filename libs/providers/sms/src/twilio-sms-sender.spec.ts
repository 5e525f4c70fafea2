import { TwilioMessagingFake } from '@recoup/testing';
import { TwilioSmsSender } from './twilio-sms-sender';

const SID = 'AC' + 'b'.repeat(32);
const TOKEN = 'sms-auth-token-0123456789';

describe('TwilioSmsSender on a loopback Twilio', () => {
  let fake: TwilioMessagingFake;
  beforeAll(async () => {
    fake = await TwilioMessagingFake.start();
  });
  afterAll(() => fake.close());

  const sender = () => new TwilioSmsSender({ accountSid: SID, authToken: TOKEN, baseUrl: fake.url, from: '+447700900000' });
  const sms = {
    idempotencyKey: 'job-7',
    to: '+447700900123',
    body: 'Invoice INV-1 is overdue.',
    statusCallbackUrl: 'https://notifier.example/webhooks/twilio/sms-status?attempt=a1',
  };

  it('posts the Messages form with basic auth, sender, body and status callback', async () => {
    const sent = await sender().send(sms);
    const req = fake.requests.at(-1)!;
    expect(req.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(req.headers.authorization).toBe('Basic ' + Buffer.from(`${SID}:${TOKEN}`).toString('base64'));
    expect(req.form).toMatchObject({
      To: '+447700900123',
      From: '+447700900000',
      Body: 'Invoice INV-1 is overdue.',
      StatusCallback: sms.statusCallbackUrl,
    });
    expect(sent).toMatchObject({ provider: 'twilio', providerMessageId: req.sid, costPence: 4, replayed: false });
  });

  it('finds a message already accepted for the same recipient and body since the send began', async () => {
    const since = new Date(Date.now() - 1000);
    const body = `Reminder ${Date.now()}`;
    const sent = await sender().send({ ...sms, body });
    expect(await sender().findSent({ ...sms, body }, since)).toMatchObject({
      provider: 'twilio',
      providerMessageId: sent.providerMessageId,
      replayed: true,
    });
    expect(await sender().findSent({ ...sms, body: 'another text' }, since)).toBeNull();
    const list = fake.requests.at(-1)!;
    expect(list.method).toBe('GET');
    expect(list.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
  });

  it('classifies invalid numbers (21211, 21614) as permanent, 429 and 5xx as transient', async () => {
    fake.reply(
      { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." },
      { status: 400, code: 21614, message: 'not a mobile number' },
      { status: 429, code: 20429, headers: { 'retry-after': '5' } },
      { status: 500, code: 20500 },
    );
    await expect(sender().send(sms)).rejects.toMatchObject({ name: 'DeliveryError', kind: 'permanent', details: { code: '21211' } });
    await expect(sender().send(sms)).rejects.toMatchObject({ kind: 'permanent', details: { code: '21614' } });
    await expect(sender().send(sms)).rejects.toMatchObject({ kind: 'transient', details: { status: 429 } });
    await expect(sender().send(sms)).rejects.toMatchObject({ kind: 'transient', details: { status: 500 } });
  });
});

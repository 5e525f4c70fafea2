import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { SandboxEmailSender } from './sandbox-email-sender';

describe('SandboxEmailSender', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('records the email once per idempotency key and returns the first record on a repeat', async () => {
    const sender = new SandboxEmailSender(database.db);
    const email = {
      idempotencyKey: 'job-42',
      to: 'sam@example.com',
      subject: 'Hello',
      html: '<p>x</p>',
      text: 'x',
      customArgs: { contact_attempt_id: 'a1' },
    };
    const [first, second] = await Promise.all([sender.send(email), sender.send(email)]);
    const third = await sender.send(email);
    const rows = await database.db.sandboxMessage.findMany({ where: { idempotencyKey: 'job-42' } });
    expect(rows).toHaveLength(1);
    expect(new Set([first.providerMessageId, second.providerMessageId, third.providerMessageId]).size).toBe(1);
    expect([first.replayed, second.replayed].sort()).toEqual([false, true]);
    expect(third.replayed).toBe(true);
    expect(rows[0]).toMatchObject({ channel: 'email', toAddress: 'sam@example.com', subject: 'Hello' });
  });
});

import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { SANDBOX_INVALID_NUMBER, SandboxSmsSender } from './sandbox-sms-sender';

describe('SandboxSmsSender', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('records one row per key with a Twilio-like SID, and replays the first on a repeat', async () => {
    const sender = new SandboxSmsSender(database.db);
    const sms = { idempotencyKey: 'job-sms-1', to: '+447700900123', body: 'hello' };
    const a = await sender.send(sms);
    const b = await sender.send(sms);
    expect(a.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(b).toMatchObject({ providerMessageId: a.providerMessageId, replayed: true });
    expect(await database.db.sandboxMessage.count({ where: { idempotencyKey: 'job-sms-1' } })).toBe(1);
  });

  it('fails permanently for the invalid test number', async () => {
    await expect(
      new SandboxSmsSender(database.db).send({ idempotencyKey: 'k', to: SANDBOX_INVALID_NUMBER, body: 'x' }),
    ).rejects.toMatchObject({ kind: 'permanent' });
  });
});

import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { SandboxCallPlacer, type SandboxCall } from './sandbox-call-placer';

describe('SandboxCallPlacer', () => {
  let t: TestDatabase;
  beforeAll(async () => (t = await createTestDatabase()));
  afterAll(() => t.drop());

  it('records the call, hands it to the driver once per idempotency key, and forwards hang-ups', async () => {
    const dialled: SandboxCall[] = [];
    const hungUp: string[] = [];
    const placer = new SandboxCallPlacer({
      db: t.db,
      fromNumber: '+441234567890',
      driver: { dial: (c) => void dialled.push(c), hangup: (sid) => void hungUp.push(sid) },
    });
    const request = {
      to: '+447700900123',
      answerUrl: 'http://127.0.0.1:1/answer',
      statusCallbackUrl: 'http://127.0.0.1:1/status',
      record: true,
      idempotencyKey: 'job-42',
    };
    const first = await placer.placeCall(request);
    const again = await placer.placeCall(request);
    expect(first.provider).toBe('sandbox');
    expect(first.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(again.callSid).toBe(first.callSid);
    expect(dialled).toHaveLength(1);
    expect(dialled[0]).toMatchObject({ callSid: first.callSid, from: '+441234567890', to: '+447700900123', record: true });
    const row = await t.db.sandboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'job-42' } });
    expect(row).toMatchObject({ channel: 'ai_call', providerMessageId: first.callSid, toAddress: '+447700900123' });
    await placer.hangup(first.callSid);
    expect(hungUp).toEqual([first.callSid]);
  });
});

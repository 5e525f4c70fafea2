import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { INTERNAL_TOKEN, seedDebt, startVoiceHarness, type VoiceHarness } from '../../test/voice-harness';

const auth = { Authorization: `Bearer ${INTERNAL_TOKEN}` };

describe('transcripts of sensitive calls (voice-agent /call-status)', () => {
  let h: VoiceHarness;
  beforeAll(async () => (h = await startVoiceHarness()));
  afterAll(() => h.close());

  async function callWithTurns(sensitive: boolean) {
    const s = await seedDebt(h.db);
    const sid = 'CA' + randomBytes(16).toString('hex');
    const call = await h.db.call.create({
      data: {
        tenantId: s.tenant.id,
        clientId: s.client.id,
        invoiceId: s.invoice.id,
        kind: 'ai',
        status: 'completed',
        providerCallSid: sid,
        sensitive,
      },
    });
    await h.db.callTurn.createMany({
      data: [
        { callId: call.id, sequence: 1, speaker: 'ai', text: 'May I speak to the account holder?' },
        { callId: call.id, sequence: 2, speaker: 'user', text: 'I have been in hospital' },
      ],
    });
    return sid;
  }

  it('withholds a sensitive call’s transcript without the transcripts:sensitive scope, and shows it with the scope', async () => {
    const sid = await callWithTurns(true);
    const plain = await request(h.server).get(`/call-status/${sid}`).set(auth).expect(200);
    expect(plain.body.transcript).toBe('');
    expect(plain.headers['x-recoup-transcript']).toBe('withheld');
    expect(JSON.stringify(plain.body)).not.toContain('hospital');
    const scoped = await request(h.server).get(`/call-status/${sid}`).set(auth).set('X-Recoup-Scope', 'transcripts:sensitive').expect(200);
    expect(scoped.body.transcript).toContain('[USER]: I have been in hospital');
    expect(scoped.headers['x-recoup-transcript']).toBeUndefined();
  });

  it('shows an ordinary call’s transcript without any scope', async () => {
    const sid = await callWithTurns(false);
    const res = await request(h.server).get(`/call-status/${sid}`).set(auth).expect(200);
    expect(res.body.transcript).toContain('hospital');
  });
});

import { CollectionsError, openDispute } from '@recoup/collections';
import { InitiateCallRequest } from '@recoup/contracts';
import type { Job } from '@recoup/queue';
import { initiateBody, seedDebt, startVoiceHarness, WEDNESDAY_11AM, type VoiceHarness } from '../../test/voice-harness';
import { aiCallProcessor } from './ai-call.processor';

/** What the debtor would notice of the ai-calls worker: no call about a debt that is not collected, none after a cancellation. */
describe('ai-call processor', () => {
  let h: VoiceHarness;
  beforeAll(async () => (h = await startVoiceHarness()));
  afterAll(() => h.close());
  beforeEach(() => h.setNow(WEDNESDAY_11AM));

  const queued = (s: Awaited<ReturnType<typeof seedDebt>>, jobId: string) =>
    h.db.contactAttempt.create({
      data: {
        tenantId: s.tenant.id,
        clientId: s.client.id,
        invoiceId: s.invoice.id,
        channel: 'ai_call',
        purpose: 'reminder',
        status: 'queued',
        jobId,
      },
    });

  it('a queued call about a disputed invoice is cancelled and never dialled', async () => {
    const s = await seedDebt(h.db);
    const jobId = `ai-call-${s.invoice.id}`;
    // Disputed on another channel; the pipeline's job for the call was queued from a stale read.
    await openDispute({ db: h.db }, { tenantId: s.tenant.id, invoiceId: s.invoice.id, source: 'debtor_link', actor: 'debtor_link' });
    const attempt = await queued(s, jobId);
    const process = aiCallProcessor(h.db, h.deps.calls, h.deps.logger, () => new Date(WEDNESDAY_11AM));
    const data = { tenant_id: s.tenant.id, client_id: s.client.id, invoice_id: s.invoice.id, requested_by: 'collections-api' };
    await expect(process(data, { id: jobId } as Job)).resolves.toEqual({ cancelled: 'invoice is disputed' });
    expect(await h.db.contactAttempt.findUniqueOrThrow({ where: { id: attempt.id } })).toMatchObject({
      status: 'cancelled',
      failureReason: 'invoice is disputed',
      completedAt: new Date(WEDNESDAY_11AM),
    });
    expect(await h.db.call.count({ where: { invoiceId: s.invoice.id } })).toBe(0);
  });

  it('a call cancelled before it is claimed is not placed, and its attempt stays cancelled', async () => {
    const s = await seedDebt(h.db);
    const jobId = `ai-call-cancelled-${s.invoice.id}`;
    const attempt = await queued(s, jobId);
    await h.db.contactAttempt.update({ where: { id: attempt.id }, data: { status: 'cancelled', failureReason: 'invoice paid' } });
    const err = await h.deps.calls.initiate(InitiateCallRequest.parse(initiateBody(s)), 'test', jobId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectionsError);
    expect(err).toMatchObject({ code: 'conflict' });
    expect(await h.db.call.count({ where: { invoiceId: s.invoice.id } })).toBe(0);
    expect((await h.db.contactAttempt.findUniqueOrThrow({ where: { id: attempt.id } })).status).toBe('cancelled');
  });

  it('a placed call claims its attempt and records it sent with the provider call sid', async () => {
    const s = await seedDebt(h.db);
    h.script.next = { answer: 'no-answer', turns: [] };
    const jobId = `ai-call-placed-${s.invoice.id}`;
    const attempt = await queued(s, jobId);
    const placed = await h.deps.calls.initiate(InitiateCallRequest.parse(initiateBody(s)), 'test', jobId);
    const row = await h.db.contactAttempt.findUniqueOrThrow({ where: { id: attempt.id } });
    // Sent (or, if Twilio's final status already arrived, finished): never left queued, never cancelled.
    expect(['sent', 'no_answer']).toContain(row.status);
    expect(row).toMatchObject({ providerMessageId: placed.callSid });
  });
});

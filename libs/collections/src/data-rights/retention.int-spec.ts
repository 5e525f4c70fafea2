import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { RecordingVault } from './recordings';
import { REMOVED_BY_RETENTION, applyRetention, type ProviderRecordings } from './retention';
import {
  DEFAULT_RETENTION_PERIODS,
  RETENTION_DEFAULTS,
  readRetentionPolicy,
  resolveRetentionPolicy,
  setRetentionPolicy,
} from './retention-policy';

const DAY = 86_400_000;
const now = new Date('2027-06-01T02:30:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * DAY);
const sid = () => 'RE' + randomBytes(16).toString('hex');

describe('retention policy', () => {
  it('documents a source for every default; financial and contact records are six years, recordings 90 days, transcripts a year', () => {
    for (const d of RETENTION_DEFAULTS) expect(d.sources.length).toBeGreaterThan(0);
    expect(DEFAULT_RETENTION_PERIODS).toEqual({
      financial_records_days: 2192,
      contact_records_days: 2192,
      recordings_days: 90,
      transcripts_days: 365,
    });
  });

  it('takes valid overrides over the defaults; falls back to the defaults (and says why) for a hand-edited invalid one', () => {
    expect(resolveRetentionPolicy({ recordings_days: 30 }).periods.recordings_days).toBe(30);
    const bad = resolveRetentionPolicy({ financial_records_days: 30 });
    expect(bad.periods).toEqual(DEFAULT_RETENTION_PERIODS);
    expect(bad.invalid).toContain('financial_records_days');
  });
});

describe('applyRetention (PostgreSQL)', () => {
  let t: TestDatabase;
  let tenantId: string;
  let clientId: string;
  const deleted: string[] = [];
  const recordings: ProviderRecordings = {
    deleteRecording: async (s) => {
      if (s.endsWith('dead')) throw new Error('twilio 503');
      deleted.push(s);
      return 'deleted';
    },
  };
  const vaultKey = randomBytes(32);

  beforeAll(async () => {
    t = await createTestDatabase();
    tenantId = (await t.db.tenant.create({ data: { name: 'Acme Ltd' } })).id;
    clientId = (await t.db.client.create({ data: { tenantId, name: 'Jo Bloggs', phone: '+447700900123', kind: 'consumer' } })).id;
  });
  afterAll(() => t?.drop());

  async function call(ageDays: number, over: { recordingSid?: string } = {}) {
    const c = await t.db.call.create({
      data: {
        tenantId,
        clientId,
        kind: 'ai',
        createdAt: daysAgo(ageDays),
        transcript: [{ speaker: 'user', text: 'I lost my job' }],
        recordingSid: over.recordingSid ?? null,
        recordingUrl: over.recordingSid ? `https://api.twilio.com/recordings/${over.recordingSid}` : null,
      },
    });
    await t.db.callTurn.createMany({
      data: [
        { callId: c.id, sequence: 1, speaker: 'ai', text: 'Hello' },
        { callId: c.id, sequence: 2, speaker: 'user', text: 'I lost my job' },
      ],
    });
    return c;
  }

  it('removes recordings (ours and the provider’s), transcripts and old contact details past their periods; keeps the rest and the ledger', async () => {
    const oldRecorded = await call(100, { recordingSid: sid() });
    await new RecordingVault(t.db, vaultKey).store({
      callId: oldRecorded.id,
      recordingSid: oldRecorded.recordingSid!,
      bytes: Buffer.from('audio'),
      contentType: 'audio/wav',
    });
    const recent = await call(10, { recordingSid: sid() });
    const yearOld = await call(400);
    const invoice = await t.db.invoice.create({
      data: {
        tenantId,
        clientId,
        reference: 'INV-1',
        amountPence: 100_00,
        currency: 'GBP',
        issueDate: daysAgo(2500),
        dueDate: daysAgo(2470),
        status: 'overdue',
      },
    });
    await t.db.payment.create({
      data: {
        tenantId,
        invoiceId: invoice.id,
        amountPence: 10_00,
        currency: 'GBP',
        method: 'stripe',
        externalId: 'pi_old',
        receivedAt: daysAgo(2400),
      },
    });
    const oldAttempt = await t.db.contactAttempt.create({
      data: {
        tenantId,
        clientId,
        invoiceId: invoice.id,
        channel: 'sms',
        purpose: 'reminder',
        jobId: 'job-old',
        status: 'sent',
        createdAt: daysAgo(2300),
      },
    });
    await t.db.sandboxMessage.create({
      data: {
        channel: 'sms',
        provider: 'sandbox',
        idempotencyKey: 'job-old',
        providerMessageId: 'SMold',
        toAddress: '+447700900123',
        body: 'Jo, you owe £100',
      },
    });
    await t.db.contactAttempt.create({
      data: { tenantId, clientId, channel: 'sms', purpose: 'reminder', jobId: 'job-new', status: 'sent', createdAt: daysAgo(5) },
    });
    await t.db.sandboxMessage.create({
      data: {
        channel: 'sms',
        provider: 'sandbox',
        idempotencyKey: 'job-new',
        providerMessageId: 'SMnew',
        toAddress: '+447700900123',
        body: 'Jo, you owe £100',
      },
    });
    await t.db.inboundMessage.create({
      data: {
        tenantId,
        clientId,
        channel: 'sms',
        provider: 'twilio',
        providerMessageId: 'SMin',
        fromAddress: '+447700900123',
        toAddress: '+441000000000',
        body: 'I am ill',
        intent: 'other',
        receivedAt: daysAgo(2300),
      },
    });
    await t.db.ivrCall.create({
      data: {
        tenantId,
        clientId,
        callerPhone: '+447700900123',
        accountData: {},
        transcript: [{ speaker: 'caller', text: 'I am ill' }],
        replyText: 'Sorry',
        createdAt: daysAgo(400),
      },
    });

    const report = await applyRetention({ db: t.db, recordings }, { tenantId, now });
    expect(report.removed).toEqual({
      stored_recordings: 1,
      provider_recordings: 1,
      provider_recording_failures: 0,
      transcripts: 1,
      call_turns: 2,
      ivr_transcripts: 1,
      sent_messages: 1,
      inbound_messages: 1,
    });
    expect(deleted).toEqual([oldRecorded.recordingSid]);
    const after = await t.db.call.findUniqueOrThrow({ where: { id: oldRecorded.id } });
    expect(after.recordingDeletedAt).toEqual(now);
    expect(after.recordingUrl).toBeNull();
    expect(await t.db.storedRecording.count({ where: { callId: oldRecorded.id } })).toBe(0);
    // 100 days: past the recordings' 90, within the transcripts' 365.
    expect(after.transcriptDeletedAt).toBeNull();
    expect(await t.db.callTurn.count({ where: { callId: oldRecorded.id } })).toBe(2);
    expect((await t.db.call.findUniqueOrThrow({ where: { id: recent.id } })).recordingDeletedAt).toBeNull();
    const old = await t.db.call.findUniqueOrThrow({ where: { id: yearOld.id } });
    expect(old.transcript).toBeNull();
    expect(old.transcriptDeletedAt).toEqual(now);
    expect(await t.db.callTurn.count({ where: { callId: yearOld.id } })).toBe(0);
    expect(await t.db.sandboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'job-old' } })).toMatchObject({
      toAddress: REMOVED_BY_RETENTION,
      body: REMOVED_BY_RETENTION,
    });
    expect(await t.db.sandboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'job-new' } })).toMatchObject({
      toAddress: '+447700900123',
    });
    expect(await t.db.inboundMessage.findFirstOrThrow({ where: { providerMessageId: 'SMin' } })).toMatchObject({
      body: REMOVED_BY_RETENTION,
      fromAddress: REMOVED_BY_RETENTION,
    });
    expect((await t.db.ivrCall.findFirstOrThrow({ where: { tenantId } })).transcript).toEqual([]);
    // The ledger and the fact of the contact stay (financial records, six years and more).
    expect(await t.db.payment.count({ where: { invoiceId: invoice.id } })).toBe(1);
    expect(await t.db.contactAttempt.findUniqueOrThrow({ where: { id: oldAttempt.id } })).toMatchObject({ channel: 'sms', status: 'sent' });
    const audit = await t.db.dataRightsRequest.findUniqueOrThrow({ where: { id: report.request_id } });
    expect(audit).toMatchObject({ tenantId, kind: 'retention', status: 'completed', clientId: null });
    expect((audit.detail as { removed: unknown }).removed).toEqual(report.removed);

    // A second run finds nothing left to remove.
    const again = await applyRetention({ db: t.db, recordings }, { tenantId, now });
    expect(Object.values(again.removed).every((n) => n === 0)).toBe(true);
  });

  it('keeps a call unmarked (retried next run) when the provider fails, and follows a tenant override', async () => {
    const failing = await call(50, { recordingSid: 'RE' + '0'.repeat(28) + 'dead' });
    await setRetentionPolicy({ db: t.db }, { tenantId, overrides: { recordings_days: 30 }, actor: 'test' });
    expect((await readRetentionPolicy({ db: t.db }, tenantId)).periods.recordings_days).toBe(30);
    const report = await applyRetention({ db: t.db, recordings }, { tenantId, now });
    expect(report.removed.provider_recording_failures).toBe(1);
    expect((await t.db.call.findUniqueOrThrow({ where: { id: failing.id } })).recordingDeletedAt).toBeNull();
    await expect(
      setRetentionPolicy({ db: t.db }, { tenantId, overrides: { financial_records_days: 365 }, actor: 'test' }),
    ).rejects.toMatchObject({
      code: 'invalid',
      field: 'financial_records_days',
    });
  });
});

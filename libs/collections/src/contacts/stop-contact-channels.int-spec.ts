import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { CollectionsError, stopContactChannels, type CollectionsDeps } from '../index';

describe('stopContactChannels (PostgreSQL)', () => {
  let t: TestDatabase;
  let deps: CollectionsDeps;
  const now = new Date('2026-11-30T12:00:00Z');
  beforeAll(async () => {
    t = await createTestDatabase();
    deps = { db: t.db, clock: () => now };
  });
  afterAll(async () => t?.drop());

  async function debtor() {
    const tenant = await t.db.tenant.create({ data: { name: 'Acme Ltd' } });
    const client = await t.db.client.create({
      data: { tenantId: tenant.id, name: 'Jo Bloggs', kind: 'business', stoppedChannels: ['letter'] },
    });
    const invoice = await t.db.invoice.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        reference: 'INV-1',
        amountPence: 500_00,
        issueDate: new Date('2026-10-01'),
        dueDate: new Date('2026-10-31'),
        status: 'overdue',
      },
    });
    const queued = (channel: 'ai_call' | 'ivr_call' | 'email') =>
      t.db.contactAttempt.create({
        data: {
          tenantId: tenant.id,
          clientId: client.id,
          invoiceId: invoice.id,
          channel,
          purpose: 'reminder',
          status: 'queued',
          jobId: `${channel}-${client.id}`,
        },
      });
    return { tenant, client, invoice, call: await queued('ai_call'), ivr: await queued('ivr_call'), email: await queued('email') };
  }

  it('stops the channels, cancels their queued contacts only, and the timeline says so; asking again changes nothing', async () => {
    const d = await debtor();
    const input = {
      tenantId: d.tenant.id,
      clientId: d.client.id,
      channels: ['ai_call', 'ivr_call'] as const,
      reason: 'asked on a call',
      actor: 'voice_agent',
    };
    const r = await stopContactChannels(deps, { ...input, channels: [...input.channels] });
    expect(r).toEqual({ stoppedChannels: ['letter', 'ai_call', 'ivr_call'], added: ['ai_call', 'ivr_call'], cancelledContacts: 2 });
    expect((await t.db.client.findUniqueOrThrow({ where: { id: d.client.id } })).stoppedChannels).toEqual([
      'letter',
      'ai_call',
      'ivr_call',
    ]);
    const attempts = await t.db.contactAttempt.findMany({ where: { clientId: d.client.id } });
    expect(Object.fromEntries(attempts.map((a) => [a.channel, a.status]))).toEqual({
      ai_call: 'cancelled',
      ivr_call: 'cancelled',
      email: 'queued',
    });
    expect(attempts.find((a) => a.channel === 'ai_call')).toMatchObject({ failureReason: 'asked on a call', completedAt: now });
    const events = await t.db.invoiceEvent.findMany({ where: { invoiceId: d.invoice.id } });
    expect(events).toEqual([
      expect.objectContaining({ type: 'contact_channels_stopped', actor: 'voice_agent', fromStatus: 'overdue', toStatus: 'overdue' }),
    ]);

    const again = await stopContactChannels(deps, { ...input, channels: ['ai_call'] });
    expect(again).toEqual({ stoppedChannels: ['letter', 'ai_call', 'ivr_call'], added: [], cancelledContacts: 0 });
    expect(await t.db.invoiceEvent.count({ where: { invoiceId: d.invoice.id } })).toBe(1);
  });

  it("another tenant's debtor is not found", async () => {
    const d = await debtor();
    const other = await t.db.tenant.create({ data: { name: 'Other Ltd' } });
    const err = await stopContactChannels(deps, {
      tenantId: other.id,
      clientId: d.client.id,
      channels: ['sms'],
      reason: 'x',
      actor: 'x',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectionsError);
    expect(err).toMatchObject({ code: 'not_found', field: 'client_id' });
    expect((await t.db.client.findUniqueOrThrow({ where: { id: d.client.id } })).stoppedChannels).toEqual(['letter']);
  });
});

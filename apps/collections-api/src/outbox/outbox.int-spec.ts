import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { SandboxEmailSender } from '@recoup/providers/email';
import { SandboxLetterSender } from '@recoup/providers/letters';
import { SandboxSmsSender } from '@recoup/providers/sms';
import { createHarness, type Harness, type TenantFixture } from '../testing/harness';

const LETTER = {
  date: '18 November 2026',
  sender: { name: 'Acme Lending', addressLines: ['1 High Street', 'London', 'EC1A 1AA'] },
  subject: 'Your overdue invoice',
  greeting: 'Dear Debtor Ltd,',
  paragraphs: ['Invoice INV-1 for £500.00 is overdue.'],
  facts: [['Balance', '£500.00']] as Array<[string, string]>,
  notices: [],
  signOff: ['Yours faithfully', 'Acme Lending'],
};

describe('outbox (gateway, PostgreSQL)', () => {
  let h: Harness;
  beforeAll(async () => (h = await createHarness()));
  afterAll(() => h?.close());

  /** A contact attempt as the notifier writes it, then the message through the real sandbox adapter (job id = send key). */
  async function sent(t: TenantFixture, invoice: { id: string; client_id: string }, channel: 'email' | 'sms' | 'letter') {
    const jobId = `job-${randomUUID()}`;
    await h.deps.db.contactAttempt.create({
      data: { tenantId: t.id, clientId: invoice.client_id, invoiceId: invoice.id, channel, purpose: 'reminder', jobId, status: 'sent' },
    });
    if (channel === 'email')
      await new SandboxEmailSender(h.deps.db).send({
        idempotencyKey: jobId,
        to: 'accounts@debtor.example',
        subject: 'Invoice reminder',
        html: '<p>Please <a href="http://127.0.0.1/pay">pay</a> <script>alert(1)</script></p>',
        text: 'Please pay',
        customArgs: {},
      });
    if (channel === 'sms')
      await new SandboxSmsSender(h.deps.db).send({ idempotencyKey: jobId, to: '+447700900123', body: 'x'.repeat(200) });
    if (channel === 'letter')
      await new SandboxLetterSender(h.deps.db).send({
        idempotencyKey: jobId,
        recipientName: 'Debtor Ltd',
        address: { lines: ['2 Low Road', 'Leeds'], postcode: 'LS1 1AA' },
        content: LETTER,
      });
  }

  it('lists the tenant’s emails, SMS, letters and AI calls newest first, filters by invoice and kind, pages, and serves a letter’s PDF', async () => {
    const t = await h.tenant();
    const other = await h.tenant();
    const inv1 = await h.invoice(t);
    const inv2 = await h.invoice(t);
    const foreign = await h.invoice(other);
    await sent(t, inv1, 'email');
    await sent(t, inv1, 'sms');
    await sent(t, inv2, 'letter');
    await sent(other, foreign, 'email');
    // A sandbox call placement (the call placers record them too) is not a message: calls come from the calls table.
    const placed = `job-${randomUUID()}`;
    await h.deps.db.contactAttempt.create({
      data: { tenantId: t.id, clientId: inv1.client_id, invoiceId: inv1.id, channel: 'ivr_call', purpose: 'ivr', jobId: placed },
    });
    await h.deps.db.sandboxMessage.create({
      data: {
        channel: 'ivr_call',
        provider: 'sandbox',
        idempotencyKey: placed,
        providerMessageId: `CA${placed}`,
        toAddress: '+447700900123',
        body: '',
      },
    });
    const call = await h.deps.db.call.create({
      data: {
        tenantId: t.id,
        clientId: inv1.client_id,
        invoiceId: inv1.id,
        kind: 'ai',
        status: 'completed',
        outcome: 'promise_to_pay',
        costPence: 42,
        durationSeconds: 95,
        turns: {
          create: [
            { sequence: 0, speaker: 'ai', text: 'Hello, this is Acme Lending.' },
            { sequence: 1, speaker: 'user', text: 'I can pay on Friday.' },
          ],
        },
      },
    });
    await h.deps.db.call.create({
      data: { tenantId: t.id, clientId: inv1.client_id, invoiceId: inv1.id, kind: 'ai', status: 'completed', sensitive: true },
    });

    const all = await request(h.app).get('/api/outbox').set(t.auth).expect(200);
    expect(all.body.data.map((i: { kind: string }) => i.kind)).toEqual(['ai_call', 'ai_call', 'letter', 'sms', 'email']);
    const [, , letter, sms, email] = all.body.data;
    // The two calls may share a millisecond: find them by id rather than position.
    const aiCall = all.body.data.find((i: { id: string }) => i.id === call.id);
    const sensitive = all.body.data.find((i: { kind: string; id: string }) => i.kind === 'ai_call' && i.id !== call.id);
    expect(email).toMatchObject({ invoice_id: inv1.id, subject: 'Invoice reminder', text: 'Please pay', status: 'sent' });
    expect(email.html).toContain('<a href="http://127.0.0.1/pay">pay</a>');
    expect(sms).toMatchObject({ to: '+447700900123', sms_segments: 2 });
    expect(sms.cost_pence).toBeGreaterThan(0);
    expect(letter).toMatchObject({
      invoice_id: inv2.id,
      document_url: `/api/outbox/${letter.id}/document`,
      subject: 'Your overdue invoice',
    });
    expect(letter.letter_pages).toBeGreaterThanOrEqual(1);
    expect(aiCall).toMatchObject({
      id: call.id,
      cost_pence: 42,
      call: { outcome: 'promise_to_pay', duration_seconds: 95, transcript_withheld: false },
    });
    expect(aiCall.call.transcript).toEqual([
      { speaker: 'ai', text: 'Hello, this is Acme Lending.' },
      { speaker: 'user', text: 'I can pay on Friday.' },
    ]);
    expect(sensitive.call).toMatchObject({ transcript: null, transcript_withheld: true });

    const byInvoice = await request(h.app).get('/api/outbox').query({ invoice_id: inv2.id }).set(t.auth).expect(200);
    expect(byInvoice.body.data.map((i: { id: string }) => i.id)).toEqual([letter.id]);
    const smsOnly = await request(h.app).get('/api/outbox').query({ kind: 'sms' }).set(t.auth).expect(200);
    expect(smsOnly.body.data.map((i: { id: string }) => i.id)).toEqual([sms.id]);

    const first = await request(h.app).get('/api/outbox').query({ limit: 3 }).set(t.auth).expect(200);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await request(h.app).get('/api/outbox').query({ limit: 3, cursor: first.body.next_cursor }).set(t.auth).expect(200);
    expect([...first.body.data, ...second.body.data].map((i: { id: string }) => i.id)).toEqual(
      all.body.data.map((i: { id: string }) => i.id),
    );
    expect(second.body.next_cursor).toBeNull();

    const pdf = await request(h.app).get(letter.document_url).set(t.auth).buffer(true).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(
      Buffer.from(pdf.body as Buffer)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    // Another tenant sees only its own message and cannot read this tenant's letter.
    const theirs = await request(h.app).get('/api/outbox').set(other.auth).expect(200);
    expect(theirs.body.data).toHaveLength(1);
    await request(h.app).get(letter.document_url).set(other.auth).expect(404);
    await request(h.app).get('/api/outbox').expect(401);
    await request(h.app).get('/api/outbox').query({ cursor: 'nope' }).set(t.auth).expect(400);
  });
});

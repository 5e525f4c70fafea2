import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import {
  applyPayment,
  createInvoice,
  eraseDebtor,
  exportDebtorData,
  isLegalHoldsError,
  openDispute,
  refundPayment,
  resolveDispute,
  type CollectionsDeps,
  type LegalHold,
} from '../index';

/** The debtor's identifying strings, searched for in every text and JSON column after erasure. */
const JO = {
  name: 'Jo Bloggs',
  email: 'jo.bloggs@example.com',
  phone: '+447700900123',
  address: { line1: '12 Acacia Avenue', city: 'Clevedon', postcode: 'BS21 7QX' },
  adviser: { name: 'Sam Adviserson', organisation: 'StepChange', email: 'sam.adviserson@stepchange.example', phone: '+441174960123' },
  note: 'recently bereaved, call after lunch',
};
const NEEDLES = [
  JO.name,
  'Bloggs',
  JO.email,
  JO.phone,
  JO.address.line1,
  'Acacia',
  JO.address.postcode,
  JO.adviser.name,
  JO.adviser.email,
  JO.adviser.phone,
  JO.note,
];
/** The national digits of the phone number, whatever its formatting. */
const PHONE_DIGITS = '7700900123';

describe('subject access export and erasure (PostgreSQL)', () => {
  let t: TestDatabase;
  let deps: CollectionsDeps;
  const now = new Date('2026-11-30T12:00:00Z');
  beforeAll(async () => {
    t = await createTestDatabase();
    deps = { db: t.db, clock: () => now };
  });
  afterAll(async () => t?.drop());

  /** Every text, varchar and JSON column of every table: the (table, column, rows) that mention a needle. */
  async function scan(needles: string[]): Promise<string[]> {
    const columns = await t.db.$queryRaw<{ table_name: string; column_name: string }[]>`
      SELECT table_name::text, column_name::text FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')`;
    expect(columns.length).toBeGreaterThan(40);
    const hits: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const rows = await t.db.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM "${table}" WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) needle WHERE "${column}"::text ILIKE '%' || needle || '%')
           OR regexp_replace("${column}"::text, '\\D', '', 'g') LIKE '%' || $2 || '%'`,
        needles,
        PHONE_DIGITS,
      );
      if (Number(rows[0]?.n ?? 0) > 0) hits.push(`${table}.${column}`);
    }
    return hits;
  }

  /** A debtor with a history in every table that can hold personal data; the invoice is paid, so nothing holds it. */
  async function joWithHistory() {
    const tenant = await t.db.tenant.create({ data: { name: 'Acme Ltd' } });
    const client = await t.db.client.create({
      data: {
        tenantId: tenant.id,
        name: JO.name,
        email: JO.email,
        phone: JO.phone,
        kind: 'consumer',
        address: JO.address,
        debtAdviser: JO.adviser,
        vulnerable: true,
        vulnerabilityNote: JO.note,
      },
    });
    const invoice = await createInvoice(deps, {
      tenantId: tenant.id,
      clientId: client.id,
      reference: 'INV-JO-1',
      amountPence: 500_00,
      currency: 'GBP',
      issueDate: new Date('2026-09-01'),
      dueDate: new Date('2026-10-01'),
      description: `Boiler service at ${JO.address.line1}`,
      actor: 'api',
    });
    await openDispute(deps, {
      tenantId: tenant.id,
      invoiceId: invoice.id,
      source: 'call',
      reason: `${JO.name} says the boiler still leaks`,
      actor: 'voice_agent',
    });
    await resolveDispute(deps, { tenantId: tenant.id, invoiceId: invoice.id, resolution: `Engineer revisited ${JO.name}`, actor: 'api' });
    await t.db.invoiceEvent.create({
      data: {
        tenantId: tenant.id,
        invoiceId: invoice.id,
        type: 'callback_requested',
        actor: 'voice_agent',
        detail: { reason: `call ${JO.phone} after 5` },
      },
    });
    const pay = (externalId: string, amountPence: number) =>
      applyPayment(deps, {
        tenantId: tenant.id,
        invoiceId: invoice.id,
        amountPence,
        currency: 'GBP',
        method: 'card',
        externalId,
        receivedAt: now,
        actor: 'stripe',
      });
    await pay(`pi_1_${client.id}`, 300_00);
    await pay(`pi_2_${client.id}`, 250_00);
    await refundPayment(deps, { externalId: `pi_2_${client.id}`, refundedPenceTotal: 50_00, actor: 'stripe' });
    await t.db.webhookEvent.create({
      data: {
        provider: 'stripe',
        eventId: `evt_${client.id}`,
        eventType: 'payment_intent.succeeded',
        payload: {
          data: { object: { id: `pi_1_${client.id}`, receipt_email: JO.email, billing_details: { name: JO.name, address: JO.address } } },
        },
      },
    });
    await t.db.paymentLink.create({
      data: {
        tenantId: tenant.id,
        invoiceId: invoice.id,
        provider: 'sandbox',
        externalId: `cs_${client.id}`,
        url: 'https://pay.example/cs',
        amountPence: 200_00,
      },
    });
    await t.db.debtorLinkToken.create({
      data: { tenantId: tenant.id, invoiceId: invoice.id, tokenHash: `hash-${client.id}`, expiresAt: new Date('2027-01-01') },
    });
    const plan = await t.db.paymentPlan.create({
      data: {
        tenantId: tenant.id,
        invoiceId: invoice.id,
        status: 'completed',
        totalPence: 500_00,
        installmentCount: 2,
        frequency: 'monthly',
        firstPaymentDate: new Date('2026-10-15'),
        installments: {
          create: [
            { sequence: 1, dueDate: new Date('2026-10-15'), amountPence: 250_00, status: 'paid' },
            { sequence: 2, dueDate: new Date('2026-11-15'), amountPence: 250_00, status: 'paid' },
          ],
        },
      },
    });
    await t.db.paymentPromise.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        amountPence: 100_00,
        promisedFor: new Date('2026-11-20'),
        source: 'sms',
      },
    });

    const attempt = (
      channel: 'email' | 'sms' | 'letter' | 'ai_call',
      status: 'sent' | 'queued' | 'completed',
      jobId: string,
      detail: object,
    ) =>
      t.db.contactAttempt.create({
        data: {
          tenantId: tenant.id,
          clientId: client.id,
          invoiceId: invoice.id,
          channel,
          purpose: 'reminder',
          status,
          jobId,
          detail,
          sentAt: now,
        },
      });
    const email = await attempt('email', 'sent', `email-${client.id}`, { to: JO.email, greeting: `Dear ${JO.name}` });
    const letter = await attempt('letter', 'sent', `letter-${client.id}`, { recipient: JO.address });
    const queued = await attempt('sms', 'queued', `sms-${client.id}`, { to: JO.phone });
    const callAttempt = await attempt('ai_call', 'completed', `call-${client.id}`, { to: JO.phone });
    await t.db.contactEvent.create({
      data: {
        contactAttemptId: email.id,
        type: 'delivered',
        provider: 'sendgrid',
        occurredAt: now,
        payload: { email: JO.email, event: 'delivered' },
      },
    });
    await t.db.sandboxMessage.createMany({
      data: [
        {
          channel: 'email',
          provider: 'sandbox',
          idempotencyKey: email.jobId!,
          providerMessageId: `sb-email-${client.id}`,
          toAddress: JO.email,
          fromAddress: 'accounts@acme.example',
          subject: `${JO.name}, invoice INV-JO-1`,
          body: `Dear ${JO.name}, ...`,
        },
        {
          channel: 'letter',
          provider: 'sandbox',
          idempotencyKey: letter.jobId!,
          providerMessageId: `sb-letter-${client.id}`,
          toAddress: `${JO.name}, ${JO.address.line1}, ${JO.address.postcode}`,
          body: 'letter',
          document: Buffer.from(`%PDF-1.4 ${JO.name}`),
        },
      ],
    });
    await t.db.complianceAudit.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        channel: 'email',
        purpose: 'reminder',
        actor: 'notifier',
        allowed: true,
        reasons: [],
        ruleSetVersion: 'uk-1',
        context: { contact_attempt_id: email.id, recipient: JO.email, local_time: '12:00' },
        evaluatedAt: now,
      },
    });
    const recordingSid = `RE${randomBytes(16).toString('hex')}`;
    const call = await t.db.call.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        contactAttemptId: callAttempt.id,
        kind: 'ai',
        status: 'completed',
        sensitive: true,
        transcript: [{ speaker: 'user', text: `It's ${JO.name}, ring me on 07700 900123` }],
        params: { customer_name: JO.name, balance_pence: 500_00 },
        recordingSid,
        recordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/${recordingSid}`,
        turns: { create: [{ sequence: 1, speaker: 'user', text: `My husband died, this is ${JO.name}` }] },
        actions: { create: [{ name: 'record_vulnerability', arguments: { note: JO.note }, allowed: true, result: { ok: true } }] },
      },
    });
    await t.db.storedRecording.create({
      data: {
        tenantId: tenant.id,
        callId: call.id,
        recordingSid: call.recordingSid!,
        contentType: 'audio/mpeg',
        keyId: 'k1',
        iv: Buffer.alloc(12),
        authTag: Buffer.alloc(16),
        ciphertext: Buffer.from('ciphertext'),
      },
    });
    await t.db.ivrCall.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        callerPhone: JO.phone,
        customerName: JO.name,
        accountData: { creditor: 'Acme Ltd', balance_pence: 500_00, customer_name: JO.name },
        transcript: [{ speaker: 'caller', text: 'yes I can pay 50 a month', at: now.toISOString() }],
        replyText: `Thanks ${JO.name}`,
        status: 'confirmed',
        agreedMonthlyPence: 50_00,
        agreedMonths: 10,
      },
    });
    await t.db.inboundMessage.create({
      data: {
        tenantId: tenant.id,
        clientId: client.id,
        channel: 'sms',
        provider: 'twilio',
        providerMessageId: `SM-${client.id}`,
        fromAddress: JO.phone,
        toAddress: '+441000000000',
        body: `Jo here, paying Friday, email me at ${JO.email}`,
        intent: 'paid',
        receivedAt: now,
      },
    });
    return { tenant, client, invoice, plan, call, email, letter, queued };
  }

  // First: the scan below searches the whole database, and the later tests seed (and keep) debtors with the same details.
  it('erases the debtor: no text or JSON column of any table holds their name, email, phone or address; the ledger still adds up', async () => {
    const jo = await joWithHistory();
    expect((await scan(NEEDLES)).length).toBeGreaterThan(10);
    const result = await eraseDebtor(deps, {
      tenantId: jo.tenant.id,
      clientId: jo.client.id,
      actor: 'admin',
      reason: 'Art. 17 request, ticket 42',
    });
    expect(result).toMatchObject({
      alreadyErased: false,
      erasedAt: now,
      cancelledContacts: 1,
      providerRecordingSids: [jo.call.recordingSid],
    });
    expect(result.removed).toMatchObject({
      call_turns: 1,
      stored_recordings: 1,
      debtor_link_tokens: 1,
      ivr_calls: 1,
      inbound_messages: 1,
      sandbox_messages: 2,
    });

    expect(await scan(NEEDLES)).toEqual([]);

    // The ledger: paid_pence = Σ payments − refunds, amounts and dates unchanged.
    const invoice = await t.db.invoice.findUniqueOrThrow({ where: { id: jo.invoice.id }, include: { payments: true } });
    const net = invoice.payments.reduce((sum, p) => sum + p.amountPence - p.refundedPence, 0);
    expect(invoice).toMatchObject({ amountPence: 500_00, paidPence: 500_00, status: 'paid', reference: 'INV-JO-1' });
    expect(net).toBe(invoice.paidPence);
    expect(invoice.payments.map((p) => p.receivedAt)).toEqual([now, now]);
    // The fact of each contact stays, without contact details; the queued one is cancelled.
    const attempts = await t.db.contactAttempt.findMany({ where: { clientId: jo.client.id }, orderBy: { channel: 'asc' } });
    expect(attempts.map((a) => [a.channel, a.status])).toEqual([
      ['email', 'sent'],
      ['sms', 'cancelled'],
      ['ai_call', 'completed'],
      ['letter', 'sent'],
    ]);
    expect(attempts.every((a) => a.sentAt?.getTime() === now.getTime())).toBe(true);
    expect(await t.db.sandboxMessage.findFirst({ where: { idempotencyKey: jo.letter.jobId! } })).toMatchObject({ document: null });
    expect(await t.db.call.findUniqueOrThrow({ where: { id: jo.call.id } })).toMatchObject({
      transcript: null,
      transcriptDeletedAt: now,
      recordingUrl: null,
      recordingSid: jo.call.recordingSid,
    });
    expect(await t.db.client.findUniqueOrThrow({ where: { id: jo.client.id } })).toMatchObject({
      name: 'Erased debtor',
      email: null,
      phone: null,
      address: null,
      debtAdviser: null,
      vulnerabilityNote: null,
      erasedAt: now,
      erasureReason: 'Art. 17 request, ticket 42',
    });
    expect(await t.db.dataRightsRequest.findFirst({ where: { clientId: jo.client.id, kind: 'erasure' } })).toMatchObject({
      status: 'completed',
      actor: 'admin',
      reason: 'Art. 17 request, ticket 42',
      detail: expect.objectContaining({ cancelled_contacts: 1, provider_recordings: 1 }),
    });

    // The export of an erased debtor: only the retained facts.
    const { document } = await exportDebtorData(deps, { tenantId: jo.tenant.id, clientId: jo.client.id, actor: 'admin' });
    expect(document).toMatchObject({
      retained_only: true,
      client: { name: 'Erased debtor', email: null, phone: null, address: null, erasure_reason: 'Art. 17 request, ticket 42' },
    });
    expect(document.invoices[0]).toMatchObject({ amount_pence: 500_00, paid_pence: 500_00 });
    expect(document.invoices[0]!.payments).toHaveLength(2);
    expect(document.contact_attempts).toHaveLength(4);
    expect(document.calls[0]).toMatchObject({
      transcript: null,
      turns: [],
      recording: expect.objectContaining({ stored_encrypted: false }),
    });
    const text = JSON.stringify(document);
    for (const needle of NEEDLES) expect(text.toLowerCase()).not.toContain(needle.toLowerCase());
    expect(text.replace(/\D/g, '')).not.toContain(PHONE_DIGITS);

    // Asking again changes nothing.
    expect(await eraseDebtor(deps, { tenantId: jo.tenant.id, clientId: jo.client.id, actor: 'admin', reason: 'again' })).toMatchObject({
      alreadyErased: true,
      erasedAt: now,
      removed: {},
    });
  });

  it('exports everything held about the debtor, sensitive call included, and audits it with counts only', async () => {
    const jo = await joWithHistory();
    const { document, storedRecordingIds, letterMessageIds } = await exportDebtorData(deps, {
      tenantId: jo.tenant.id,
      clientId: jo.client.id,
      actor: 'api_key:k1',
      reason: 'subject access request SAR-1',
    });
    expect(document).toMatchObject({
      format: 'recoup.subject-access.v1',
      retained_only: false,
      creditor: { name: 'Acme Ltd' },
      client: {
        name: JO.name,
        email: JO.email,
        phone: JO.phone,
        address: JO.address,
        flags: { vulnerable: true, vulnerability_note: JO.note },
      },
    });
    const [invoice] = document.invoices;
    expect(invoice).toMatchObject({ reference: 'INV-JO-1', amount_pence: 500_00, paid_pence: 500_00, status: 'paid' });
    expect(invoice!.payments.map((p) => [p.external_id, p.amount_pence, p.refunded_pence])).toEqual([
      [`pi_1_${jo.client.id}`, 300_00, 0],
      [`pi_2_${jo.client.id}`, 250_00, 50_00],
    ]);
    expect(invoice!.disputes).toEqual([expect.objectContaining({ reason: `${JO.name} says the boiler still leaks` })]);
    expect(invoice!.payment_plans[0]!.installments).toHaveLength(2);
    expect(invoice!.events.map((e) => e.type)).toEqual(expect.arrayContaining(['invoice_created', 'dispute_opened', 'payment_refunded']));
    const email = document.contact_attempts.find((a) => a.channel === 'email')!;
    expect(email.message).toMatchObject({ to_address: JO.email, body: `Dear ${JO.name}, ...`, has_letter_pdf: false });
    expect(email.compliance_decisions).toEqual([expect.objectContaining({ allowed: true, rule_set_version: 'uk-1' })]);
    expect(email.events).toEqual([expect.objectContaining({ type: 'delivered' })]);
    expect(document.contact_attempts.find((a) => a.channel === 'letter')!.message).toMatchObject({ has_letter_pdf: true });
    expect(JSON.stringify(document)).not.toContain('%PDF');
    expect(document.calls).toEqual([
      expect.objectContaining({
        sensitive: true,
        transcript: [expect.objectContaining({ text: expect.stringContaining(JO.name) })],
        turns: [expect.objectContaining({ text: `My husband died, this is ${JO.name}` })],
        recording: expect.objectContaining({ recording_sid: jo.call.recordingSid, stored_encrypted: true, deleted_at: null }),
      }),
    ]);
    expect(document.ivr_calls).toEqual([expect.objectContaining({ caller_phone: JO.phone, customer_name: JO.name, agreed_months: 10 })]);
    expect(document.inbound_messages).toEqual([expect.objectContaining({ body: expect.stringContaining('paying Friday') })]);
    expect(document.promises).toHaveLength(1);
    expect(storedRecordingIds).toHaveLength(1);
    expect(letterMessageIds).toHaveLength(1);
    const audit = await t.db.dataRightsRequest.findMany({ where: { clientId: jo.client.id } });
    expect(audit).toEqual([
      expect.objectContaining({
        kind: 'export',
        status: 'completed',
        actor: 'api_key:k1',
        detail: expect.objectContaining({
          invoices: 1,
          payments: 2,
          contact_attempts: 4,
          calls: 1,
          sensitive_calls: 1,
          stored_recordings: 1,
        }),
      }),
    ]);
    expect(JSON.stringify(audit[0]!.detail)).not.toContain('Bloggs');
  });

  it('refuses while legal holds apply, naming each with the date it ends, and audits the refusal', async () => {
    const tenant = await t.db.tenant.create({ data: { name: 'Holdco Ltd' } });
    const client = await t.db.client.create({
      data: { tenantId: tenant.id, name: 'Pat Holder', phone: '+447700900999', kind: 'consumer' },
    });
    const owed = await createInvoice(deps, {
      tenantId: tenant.id,
      clientId: client.id,
      reference: 'INV-OWED',
      amountPence: 300_00,
      currency: 'GBP',
      issueDate: new Date('2026-09-01'),
      dueDate: new Date('2026-10-01'),
      actor: 'api',
    });
    await applyPayment(deps, {
      tenantId: tenant.id,
      invoiceId: owed.id,
      amountPence: 100_00,
      currency: 'GBP',
      method: 'card',
      externalId: 'pi_pat_1',
      receivedAt: new Date('2026-11-02T10:00:00Z'),
      actor: 'stripe',
    });
    await t.db.paymentPlan.create({
      data: {
        tenantId: tenant.id,
        invoiceId: owed.id,
        status: 'active',
        totalPence: 200_00,
        installmentCount: 2,
        frequency: 'monthly',
        firstPaymentDate: new Date('2026-12-01'),
        installments: {
          create: [
            { sequence: 1, dueDate: new Date('2026-12-01'), amountPence: 100_00 },
            { sequence: 2, dueDate: new Date('2027-01-01'), amountPence: 100_00 },
          ],
        },
      },
    });
    const disputed = await createInvoice(deps, {
      tenantId: tenant.id,
      clientId: client.id,
      reference: 'INV-DISPUTED',
      amountPence: 80_00,
      currency: 'GBP',
      issueDate: new Date('2026-09-01'),
      dueDate: new Date('2026-10-01'),
      actor: 'api',
    });
    await openDispute(deps, { tenantId: tenant.id, invoiceId: disputed.id, source: 'creditor', actor: 'api' });

    let holds: LegalHold[] = [];
    await expect(
      eraseDebtor(deps, { tenantId: tenant.id, clientId: client.id, actor: 'admin', reason: 'asked' }).catch((err) => {
        if (isLegalHoldsError(err)) holds = err.holds;
        throw err;
      }),
    ).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('legal holds apply') });
    expect(holds.map((h) => [h.kind, h.invoiceReference, h.endsOn])).toEqual([
      ['open_dispute', 'INV-DISPUTED', null],
      ['payment_plan', 'INV-OWED', '2027-01-01'],
      // Limitation Act 1980 s.5 from the last (part) payment, s.29(5).
      ['outstanding_balance', 'INV-OWED', '2032-11-02'],
    ]);
    expect(await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).toMatchObject({ name: 'Pat Holder', erasedAt: null });
    expect(await t.db.dataRightsRequest.findMany({ where: { clientId: client.id } })).toEqual([
      expect.objectContaining({
        kind: 'erasure',
        status: 'refused',
        detail: {
          legal_holds: [
            { kind: 'open_dispute', invoice_reference: 'INV-DISPUTED', ends_on: null },
            { kind: 'payment_plan', invoice_reference: 'INV-OWED', ends_on: '2027-01-01' },
            { kind: 'outstanding_balance', invoice_reference: 'INV-OWED', ends_on: '2032-11-02' },
          ],
        },
      }),
    ]);
  });

  it("another tenant's debtor is not found, for export and erasure alike", async () => {
    const jo = await joWithHistory();
    const other = await t.db.tenant.create({ data: { name: 'Other Ltd' } });
    const input = { tenantId: other.id, clientId: jo.client.id, actor: 'api', reason: 'x-tenant' };
    await expect(exportDebtorData(deps, input)).rejects.toMatchObject({ code: 'not_found' });
    await expect(eraseDebtor(deps, input)).rejects.toMatchObject({ code: 'not_found' });
    expect(await t.db.dataRightsRequest.count({ where: { clientId: jo.client.id } })).toBe(0);
    expect(await t.db.client.findUniqueOrThrow({ where: { id: jo.client.id } })).toMatchObject({ name: JO.name });
  });
});

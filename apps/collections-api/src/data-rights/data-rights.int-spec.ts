import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ADMIN_KEY, createHarness, type Harness } from '../testing/harness';

const KEY = randomBytes(32);
const AUDIO = Buffer.from('RIFF-fake-audio-of-the-call');

/** The names of a stored ZIP's entries, read from its central directory. */
function zipNames(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const len = zip.readUInt16LE(at + 28);
    names.push(zip.subarray(at + 46, at + 46 + len).toString('utf8'));
    at += 46 + len + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

describe('data rights routes (PostgreSQL, Redis)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ RECORDING_ENCRYPTION_KEY: KEY.toString('base64') });
  });
  afterAll(async () => h?.close());

  it('exports (JSON and ZIP with the decrypted recording), refuses erasure while the balance is owed, erases once paid', async () => {
    const t = await h.tenant();
    const client = await h.client(t, { name: 'Robin Debtor', email: 'robin@debtor.example', phone: '+447700900456', kind: 'consumer' });
    const invoice = await h.invoice(t, { client_id: client.id, amount: 120, due_date: '2026-02-01' });
    const db = h.deps.db;
    const recordingSid = `RE${randomBytes(16).toString('hex')}`;
    const call = await db.call.create({
      data: { tenantId: t.id, clientId: client.id, invoiceId: invoice.id, kind: 'ai', status: 'completed', recordingSid, sensitive: true },
    });
    await h.deps.recordingVault!.store({ callId: call.id, recordingSid, bytes: AUDIO, contentType: 'audio/wav' });

    const json = await request(h.app).get(`/api/clients/${client.id}/data-export`).set(t.auth);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      format: 'recoup.subject-access.v1',
      retained_only: false,
      client: { name: 'Robin Debtor', email: 'robin@debtor.example' },
      invoices: [expect.objectContaining({ amount_pence: 120_00, paid_pence: 0 })],
      calls: [
        expect.objectContaining({
          sensitive: true,
          recording: expect.objectContaining({ recording_sid: recordingSid, stored_encrypted: true }),
        }),
      ],
    });

    const zip = await request(h.app)
      .get(`/api/clients/${client.id}/data-export?format=zip`)
      .set(t.auth)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const body = zip.body as Buffer;
    expect(zipNames(body)).toEqual(['debtor-data.json', `recordings/${recordingSid}.wav`]);
    expect(body.includes(AUDIO)).toBe(true);

    const refused = await request(h.app).post(`/api/clients/${client.id}/erasure`).set(t.auth).send({ reason: 'Art. 17 request' });
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.legal_holds).toEqual([
      expect.objectContaining({ kind: 'outstanding_balance', invoice_reference: invoice.invoice_reference, ends_on: '2032-02-01' }),
    ]);

    const paid = await request(h.app)
      .post(`/api/invoices/${invoice.id}/payments`)
      .set(t.auth)
      .send({ amount: 120, received_at: '2026-01-20T10:00:00Z' });
    expect(paid.status).toBe(201);
    const erased = await request(h.app).post(`/api/clients/${client.id}/erasure`).set(t.auth).send({ reason: 'Art. 17 request' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      client_id: client.id,
      already_erased: false,
      removed: expect.objectContaining({ stored_recordings: 1 }),
    });
    expect(erased.body.kept.length).toBeGreaterThan(0);
    // The provider's copy goes at once too (the sandbox adapter stands in for Twilio's DELETE).
    expect(erased.body.recordings_deleted_at_provider).toBe(1);
    expect((await db.call.findUniqueOrThrow({ where: { id: call.id } })).recordingDeletedAt).not.toBeNull();

    const after = await request(h.app).get(`/api/clients/${client.id}/data-export`).set(t.auth);
    expect(after.body).toMatchObject({
      retained_only: true,
      client: { name: 'Erased debtor', email: null, phone: null, erasure_reason: 'Art. 17 request' },
      invoices: [expect.objectContaining({ amount_pence: 120_00, paid_pence: 120_00, status: 'paid' })],
      calls: [expect.objectContaining({ recording: expect.objectContaining({ stored_encrypted: false }) })],
    });
    expect(JSON.stringify(after.body)).not.toMatch(/Robin|robin@|7700900456/);
    const audit = await db.dataRightsRequest.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((r) => [r.kind, r.status, r.actor.startsWith('api_key:')])).toEqual([
      ['export', 'completed', true],
      ['export', 'completed', true],
      ['erasure', 'refused', true],
      ['erasure', 'completed', true],
      ['export', 'completed', true],
    ]);
  });

  it("another tenant gets 404 for export and erasure; the operator's key may do both", async () => {
    const owner = await h.tenant();
    const other = await h.tenant();
    const client = await h.client(owner, { name: 'Kim Private', kind: 'consumer' });
    expect((await request(h.app).get(`/api/clients/${client.id}/data-export`).set(other.auth)).status).toBe(404);
    const x = await request(h.app).post(`/api/clients/${client.id}/erasure`).set(other.auth).send({ reason: 'not yours' });
    expect(x.status).toBe(404);
    expect((await request(h.app).get(`/api/clients/${client.id}/data-export`)).status).toBe(401);

    const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
    const exported = await request(h.app).get(`/api/clients/${client.id}/data-export`).set(admin);
    expect(exported.status).toBe(200);
    expect(exported.body.client.name).toBe('Kim Private');
    expect((await request(h.app).post(`/api/clients/${client.id}/erasure`).set(admin).send({})).status).toBe(400);
    const erased = await request(h.app).post(`/api/clients/${client.id}/erasure`).set(admin).send({ reason: 'operator: verified request' });
    expect(erased.status).toBe(200);
    expect(await h.deps.db.dataRightsRequest.findFirst({ where: { clientId: client.id, kind: 'erasure' } })).toMatchObject({
      actor: 'admin',
    });
  });
});

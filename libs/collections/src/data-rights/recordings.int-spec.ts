import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { RecordingKeyError, RecordingVault, parseRecordingKey, recordingKeyId } from './recordings';

describe('RecordingVault (PostgreSQL)', () => {
  let t: TestDatabase;
  let callId: string;
  const key = randomBytes(32);
  // Something recognisable, as a recording's bytes would be: a WAV header and a spoken phone number.
  const plaintext = Buffer.concat([Buffer.from('RIFF....WAVEfmt '), Buffer.from('my number is 07700 900123, I cannot pay'.repeat(20))]);
  const sid = 'RE' + 'd'.repeat(32);

  beforeAll(async () => {
    t = await createTestDatabase();
    const tenant = await t.db.tenant.create({ data: { name: 'Acme Ltd' } });
    const client = await t.db.client.create({ data: { tenantId: tenant.id, name: 'Jo Bloggs', kind: 'consumer' } });
    callId = (await t.db.call.create({ data: { tenantId: tenant.id, clientId: client.id, kind: 'ai' } })).id;
  });
  afterAll(() => t?.drop());

  it('stores AES-256-GCM ciphertext that does not contain the recording, and reads it back', async () => {
    const vault = new RecordingVault(t.db, key);
    const stored = await vault.store({ callId, recordingSid: sid, bytes: plaintext, contentType: 'audio/wav' });
    expect(stored.keyId).toBe(recordingKeyId(key));
    expect(stored.keyId).toMatch(/^[0-9a-f]{8}$/);
    // Straight from PostgreSQL, past Prisma: neither the bytes nor any recognisable slice of them is there.
    const [row] = await t.db.$queryRaw<Array<{ ciphertext: Buffer; key_id: string }>>`
      SELECT ciphertext, key_id FROM stored_recordings WHERE recording_sid = ${sid}`;
    expect(row?.key_id).toBe(stored.keyId);
    const raw = Buffer.from(row!.ciphertext);
    expect(raw.length).toBe(plaintext.length);
    expect(raw.includes(plaintext)).toBe(false);
    expect(raw.includes(Buffer.from('07700 900123'))).toBe(false);
    expect(raw.includes(Buffer.from('RIFF'))).toBe(false);
    await expect(vault.read(sid)).resolves.toEqual({ callId, contentType: 'audio/wav', bytes: plaintext });
  });

  it('refuses to read with another key, and a tampered ciphertext does not authenticate', async () => {
    await new RecordingVault(t.db, key).store({ callId, recordingSid: sid, bytes: plaintext, contentType: 'audio/wav' });
    await expect(new RecordingVault(t.db, randomBytes(32)).read(sid)).rejects.toBeInstanceOf(RecordingKeyError);
    const row = await t.db.storedRecording.findUniqueOrThrow({ where: { recordingSid: sid } });
    const altered = Buffer.from(row.ciphertext);
    altered[0] = altered[0]! ^ 0xff;
    await t.db.storedRecording.update({ where: { recordingSid: sid }, data: { ciphertext: altered } });
    await expect(new RecordingVault(t.db, key).read(sid)).rejects.toThrow(/does not authenticate/);
  });

  it('parses a base64 key of exactly 32 bytes', () => {
    expect(parseRecordingKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseRecordingKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});

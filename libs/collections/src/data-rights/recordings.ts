import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Database } from '@recoup/db';
import { CollectionsError } from '../errors';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12; // NIST SP 800-38D: 96-bit IVs for GCM

/** RECORDING_ENCRYPTION_KEY: 32 random bytes, base64 (`openssl rand -base64 32`). */
export function parseRecordingKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error(`RECORDING_ENCRYPTION_KEY must be 32 bytes in base64 (got ${key.length} bytes)`);
  return key;
}

/** Names a key without revealing it: the first 8 hex of its SHA-256 (stored with each recording, so a rotation can find the old ones). */
export const recordingKeyId = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

export interface StoredRecordingInput {
  callId: string;
  recordingSid: string;
  bytes: Buffer;
  contentType: string;
}

/**
 * Call recordings we hold, encrypted at rest with AES-256-GCM (stored_recordings). The GCM tag also covers the call
 * and recording ids (additional authenticated data), so a ciphertext moved onto another row does not decrypt. The
 * key comes from config, never the database: a copy of the database alone does not reveal a recording.
 */
export class RecordingVault {
  readonly keyId: string;

  constructor(
    private readonly db: Database,
    private readonly key: Buffer,
  ) {
    if (key.length !== 32) throw new Error('RecordingVault needs a 32-byte key');
    this.keyId = recordingKeyId(key);
  }

  /** Encrypts and stores one recording of a call (the same recording sid again replaces it). */
  async store(input: StoredRecordingInput): Promise<{ id: string; keyId: string }> {
    const call = await this.db.call.findUnique({ where: { id: input.callId }, select: { tenantId: true } });
    if (!call) throw CollectionsError.notFound('call', 'call_id');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    cipher.setAAD(aad(input.callId, input.recordingSid));
    const ciphertext = Buffer.concat([cipher.update(input.bytes), cipher.final()]);
    const data = {
      tenantId: call.tenantId,
      callId: input.callId,
      contentType: input.contentType,
      keyId: this.keyId,
      iv,
      authTag: cipher.getAuthTag(),
      ciphertext,
    };
    const row = await this.db.storedRecording.upsert({
      where: { recordingSid: input.recordingSid },
      create: { ...data, recordingSid: input.recordingSid },
      update: data,
      select: { id: true },
    });
    return { id: row.id, keyId: this.keyId };
  }

  /** Decrypts one recording; throws when it was stored under another key or has been tampered with. */
  async read(recordingSid: string): Promise<{ callId: string; contentType: string; bytes: Buffer }> {
    const row = await this.db.storedRecording.findUnique({ where: { recordingSid } });
    if (!row) throw CollectionsError.notFound('recording', 'recording_sid');
    if (row.keyId !== this.keyId)
      throw new RecordingKeyError(`recording ${recordingSid} was encrypted with key ${row.keyId}, not the configured key ${this.keyId}`);
    const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(row.iv));
    decipher.setAAD(aad(row.callId, row.recordingSid));
    decipher.setAuthTag(Buffer.from(row.authTag));
    try {
      const bytes = Buffer.concat([decipher.update(Buffer.from(row.ciphertext)), decipher.final()]);
      return { callId: row.callId, contentType: row.contentType, bytes };
    } catch {
      throw new RecordingKeyError(`recording ${recordingSid} does not authenticate: wrong key or altered ciphertext`);
    }
  }
}

export class RecordingKeyError extends Error {
  override readonly name = 'RecordingKeyError';
}

const aad = (callId: string, recordingSid: string) => Buffer.from(`${callId}:${recordingSid}`);

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { AccountingTokens } from './accounting.port';

const VERSION = 'v1';

/**
 * AES-256-GCM for what a connection must keep secret (OAuth tokens, the PKCE verifier until the callback). The stored
 * form is `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url); the key id (first bytes of the key's SHA-256) names the key
 * a value was sealed with, so a rotated key is refused clearly instead of failing as "corrupt". The connection id is
 * bound as associated data: a token copied onto another connection's row does not decrypt.
 */
export class TokenVault {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('ACCOUNTING_ENCRYPTION_KEY must be 32 bytes (base64)');
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  static fromBase64(value: string): TokenVault {
    return new TokenVault(Buffer.from(value, 'base64'));
  }

  seal(plain: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string, boundTo: string): string {
    const [version, keyId, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('not a sealed value');
    if (keyId !== this.keyId) throw new Error(`sealed with another key (${keyId}); reconnect or restore that key`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  sealTokens(tokens: AccountingTokens, boundTo: string): string {
    return this.seal(JSON.stringify({ ...tokens, expiresAt: tokens.expiresAt.toISOString() }), boundTo);
  }

  openTokens(sealed: string, boundTo: string): AccountingTokens {
    const raw = JSON.parse(this.open(sealed, boundTo)) as { accessToken: string; refreshToken: string; expiresAt: string };
    return { accessToken: raw.accessToken, refreshToken: raw.refreshToken, expiresAt: new Date(raw.expiresAt) };
  }
}

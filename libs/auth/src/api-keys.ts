import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '@recoup/db';

/** Tenant API keys look like `rcp_live_<32 base62>`; the first 12 characters are kept readable to identify a key. */
export const API_KEY_PREFIX = 'rcp_live_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = /^rcp_live_[0-9A-Za-z]{32}$/;

/** A new random key (190 bits), shown to its owner once and stored only as a hash. */
export function generateApiKey(): string {
  const bytes = randomBytes(32);
  let out = '';
  // Rejection sampling keeps every character uniformly likely (256 is not a multiple of 62).
  for (const b of bytes) if (b < 248 && out.length < 32) out += ALPHABET[b % 62];
  while (out.length < 32) {
    const b = randomBytes(1)[0] ?? 0;
    if (b < 248) out += ALPHABET[b % 62];
  }
  return API_KEY_PREFIX + out;
}

export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

/** SHA-256 hex: keys are long random strings, so a fast hash is enough (no password stretching needed). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function keyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 4);
}

/** Constant-time comparison of two secrets of any length (hashing first equalises the lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export interface IssuedApiKey {
  id: string;
  tenantId: string;
  /** The full key: returned once, never stored. */
  key: string;
  prefix: string;
  role: string;
  createdAt: Date;
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  role: string;
  revokedAt: Date | null;
}

export interface ApiKeyServiceOptions {
  /** How long a successful lookup is trusted before asking PostgreSQL again (revocation takes at most this long elsewhere). */
  cacheTtlMs?: number;
  /** How long an unknown key is remembered as unknown. */
  negativeTtlMs?: number;
  /** lastUsedAt is written at most this often per key. */
  touchIntervalMs?: number;
  clock?: () => number;
}

interface CacheEntry {
  record: ApiKeyRecord | null;
  expiresAt: number;
}

const MAX_CACHE = 10_000;

/** Issues, rotates, revokes and looks up hashed tenant API keys (the `api_keys` table). */
export class ApiKeyService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly touched = new Map<string, number>();
  private readonly ttl: number;
  private readonly negativeTtl: number;
  private readonly touchInterval: number;
  private readonly clock: () => number;

  constructor(
    private readonly db: Database,
    options: ApiKeyServiceOptions = {},
  ) {
    this.ttl = options.cacheTtlMs ?? 30_000;
    this.negativeTtl = options.negativeTtlMs ?? 5_000;
    this.touchInterval = options.touchIntervalMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
  }

  async issue(tenantId: string, role = 'member'): Promise<IssuedApiKey> {
    const key = generateApiKey();
    const row = await this.db.apiKey.create({ data: { tenantId, role, prefix: keyPrefix(key), keyHash: hashApiKey(key) } });
    return { id: row.id, tenantId, key, prefix: row.prefix, role: row.role, createdAt: row.createdAt };
  }

  /** Revokes every active key of the tenant (or just `keyId`) and issues a new one, in one transaction. */
  async rotate(tenantId: string, keyId?: string): Promise<IssuedApiKey> {
    const key = generateApiKey();
    const now = new Date(this.clock());
    const row = await this.db.$transaction(async (tx) => {
      const old = await tx.apiKey.findMany({
        where: { tenantId, revokedAt: null, ...(keyId ? { id: keyId } : {}) },
        select: { keyHash: true, role: true },
      });
      await tx.apiKey.updateMany({ where: { tenantId, revokedAt: null, ...(keyId ? { id: keyId } : {}) }, data: { revokedAt: now } });
      for (const o of old) this.cache.delete(o.keyHash);
      return tx.apiKey.create({ data: { tenantId, role: old[0]?.role ?? 'member', prefix: keyPrefix(key), keyHash: hashApiKey(key) } });
    });
    return { id: row.id, tenantId, key, prefix: row.prefix, role: row.role, createdAt: row.createdAt };
  }

  /** Revokes one key of a tenant, or all of them; returns how many were revoked. */
  async revoke(tenantId: string, keyId?: string): Promise<number> {
    const where = { tenantId, revokedAt: null, ...(keyId ? { id: keyId } : {}) };
    const rows = await this.db.apiKey.findMany({ where, select: { keyHash: true } });
    const { count } = await this.db.apiKey.updateMany({ where, data: { revokedAt: new Date(this.clock()) } });
    for (const r of rows) this.cache.delete(r.keyHash);
    return count;
  }

  async list(tenantId: string) {
    return this.db.apiKey.findMany({
      where: { tenantId },
      select: { id: true, prefix: true, role: true, createdAt: true, revokedAt: true, lastUsedAt: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  /** The active key matching `key`, or null; answers from a short cache, and marks the key used at most once a minute. */
  async verify(key: string): Promise<ApiKeyRecord | null> {
    if (!looksLikeApiKey(key)) return null;
    return this.verifyHash(hashApiKey(key));
  }

  /** As verify, for a caller that already has the key's SHA-256 hex. */
  async verifyHash(hash: string): Promise<ApiKeyRecord | null> {
    const now = this.clock();
    const cached = this.cache.get(hash);
    let record: ApiKeyRecord | null;
    if (cached && cached.expiresAt > now) {
      record = cached.record;
    } else {
      const row = await this.db.apiKey.findUnique({
        where: { keyHash: hash },
        select: { id: true, tenantId: true, role: true, revokedAt: true },
      });
      record = row && !row.revokedAt ? row : null;
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      this.cache.set(hash, { record, expiresAt: now + (record ? this.ttl : this.negativeTtl) });
    }
    if (record) this.touch(record.id, now);
    return record;
  }

  /** Forgets cached lookups (tests, or after an out-of-band revocation). */
  clearCache(): void {
    this.cache.clear();
  }

  private touch(id: string, now: number): void {
    const last = this.touched.get(id) ?? 0;
    if (now - last < this.touchInterval) return;
    this.touched.set(id, now);
    if (this.touched.size > MAX_CACHE) this.touched.clear();
    // Fire and forget: a lost lastUsedAt update is not worth failing (or slowing) a request for.
    this.db.apiKey.update({ where: { id }, data: { lastUsedAt: new Date(now) } }).catch(() => this.touched.delete(id));
  }
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Database } from '@recoup/db';
import type { KeyRevocation, KeyRevocations } from './key-revocations';

/**
 * Tenant API keys look like `rcp_live_<32 base62>` — `rcp_test_<32 base62>` when the gateway takes no real money
 * (Stripe in sandbox), so a key says which world it belongs to (Stripe's sk_live_/sk_test_). The first 13 characters
 * are kept readable to identify a key.
 */
export const API_KEY_PREFIX = 'rcp_live_';
export const TEST_API_KEY_PREFIX = 'rcp_test_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = /^rcp_(live|test)_[0-9A-Za-z]{32}$/;

/** A new random key (190 bits), shown to its owner once and stored only as a hash. */
export function generateApiKey(prefix: typeof API_KEY_PREFIX | typeof TEST_API_KEY_PREFIX = API_KEY_PREFIX): string {
  const bytes = randomBytes(32);
  let out = '';
  // Rejection sampling keeps every character uniformly likely (256 is not a multiple of 62).
  for (const b of bytes) if (b < 248 && out.length < 32) out += ALPHABET[b % 62];
  while (out.length < 32) {
    const b = randomBytes(1)[0] ?? 0;
    if (b < 248) out += ALPHABET[b % 62];
  }
  return prefix + out;
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
  /**
   * Revocations announced across the stack: this service publishes its own revocations there and drops announced keys
   * from its cache. Without it (or while its subscriber is disconnected) lookups are trusted for `unheardTtlMs` only.
   */
  revocations?: KeyRevocations;
  /** How long a successful lookup is trusted while revocations are heard (a revocation is announced, so it applies at once). */
  cacheTtlMs?: number;
  /** How long a successful lookup is trusted while revocations cannot be heard: the longest a revoked key still works. */
  unheardTtlMs?: number;
  /** How long an unknown key is remembered as unknown. */
  negativeTtlMs?: number;
  /** lastUsedAt is written at most this often per key. */
  touchIntervalMs?: number;
  clock?: () => number;
  /** Issue `rcp_test_` keys (a sandbox stack); both kinds are always accepted. */
  sandbox?: boolean;
}

interface CacheEntry {
  record: ApiKeyRecord | null;
  expiresAt: number;
}

const REVOKED = 'revoked';

const MAX_CACHE = 10_000;

/** Issues, rotates, revokes and looks up hashed tenant API keys (the `api_keys` table). */
export class ApiKeyService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly touched = new Map<string, number>();
  private readonly emitter = new EventEmitter();
  private readonly ttl: number;
  private readonly unheardTtl: number;
  private readonly negativeTtl: number;
  private readonly touchInterval: number;
  private readonly clock: () => number;
  private readonly revocations?: KeyRevocations;
  private readonly newKey: () => string;

  constructor(
    private readonly db: Database,
    options: ApiKeyServiceOptions = {},
  ) {
    this.ttl = options.cacheTtlMs ?? 30_000;
    this.unheardTtl = Math.min(options.unheardTtlMs ?? 1_000, this.ttl);
    this.negativeTtl = options.negativeTtlMs ?? 5_000;
    this.touchInterval = options.touchIntervalMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
    this.emitter.setMaxListeners(0);
    this.revocations = options.revocations;
    this.newKey = () => generateApiKey(options.sandbox ? TEST_API_KEY_PREFIX : API_KEY_PREFIX);
    this.revocations?.on((event) => {
      if (event.type === 'revoked') this.forget(event.revocation);
      // Revocations sent while we could not hear them are lost: stop trusting what was cached before.
      else if (event.type === 'unheard') this.cache.clear();
    });
  }

  /** Calls `listener` when keys are revoked or rotated here or (with `revocations`) in any process of the stack. */
  onRevoked(listener: (revocation: KeyRevocation) => void): () => void {
    this.emitter.on(REVOKED, listener);
    return () => this.emitter.off(REVOKED, listener);
  }

  async issue(tenantId: string, role = 'member'): Promise<IssuedApiKey> {
    const key = this.newKey();
    const row = await this.db.apiKey.create({ data: { tenantId, role, prefix: keyPrefix(key), keyHash: hashApiKey(key) } });
    return { id: row.id, tenantId, key, prefix: row.prefix, role: row.role, createdAt: row.createdAt };
  }

  /** Revokes every active key of the tenant (or just `keyId`) and issues a new one, in one transaction. */
  async rotate(tenantId: string, keyId?: string): Promise<IssuedApiKey> {
    const key = this.newKey();
    const now = new Date(this.clock());
    const { row, revoked } = await this.db.$transaction(async (tx) => {
      const old = await tx.apiKey.findMany({
        where: { tenantId, revokedAt: null, ...(keyId ? { id: keyId } : {}) },
        select: { id: true, role: true },
      });
      const ids = old.map((o) => o.id);
      await tx.apiKey.updateMany({ where: { id: { in: ids }, revokedAt: null }, data: { revokedAt: now } });
      const created = await tx.apiKey.create({
        data: { tenantId, role: old[0]?.role ?? 'member', prefix: keyPrefix(key), keyHash: hashApiKey(key) },
      });
      return { row: created, revoked: ids };
    });
    await this.announce({ tenantId, keyIds: revoked });
    return { id: row.id, tenantId, key, prefix: row.prefix, role: row.role, createdAt: row.createdAt };
  }

  /** Revokes one key of a tenant, or all of them; returns how many were revoked. */
  async revoke(tenantId: string, keyId?: string): Promise<number> {
    const keyIds = await this.db.$transaction(async (tx) => {
      const rows = await tx.apiKey.findMany({
        where: { tenantId, revokedAt: null, ...(keyId ? { id: keyId } : {}) },
        select: { id: true },
      });
      const ids = rows.map((r) => r.id);
      await tx.apiKey.updateMany({ where: { id: { in: ids }, revokedAt: null }, data: { revokedAt: new Date(this.clock()) } });
      return ids;
    });
    await this.announce({ tenantId, keyIds });
    return keyIds.length;
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
      // A revocation that arrives while PostgreSQL answers may describe a row read before it committed: then (and
      // whenever revocations cannot be heard) the answer is trusted only briefly.
      const heardFrom = this.revocations?.listening ? this.revocations.version : undefined;
      const row = await this.db.apiKey.findUnique({
        where: { keyHash: hash },
        select: { id: true, tenantId: true, role: true, revokedAt: true },
      });
      record = row && !row.revokedAt ? row : null;
      const heard = heardFrom !== undefined && this.revocations?.listening === true && this.revocations.version === heardFrom;
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      this.cache.set(hash, { record, expiresAt: now + (record ? (heard ? this.ttl : this.unheardTtl) : this.negativeTtl) });
    }
    if (record) this.touch(record.id, now);
    return record;
  }

  /** Forgets cached lookups (tests, or after an out-of-band revocation). */
  clearCache(): void {
    this.cache.clear();
  }

  /** Drops the keys here, tells local listeners, and announces them to the other processes. */
  private async announce(revocation: KeyRevocation): Promise<void> {
    if (revocation.keyIds.length === 0) return;
    this.forget(revocation);
    await this.revocations?.publish(revocation);
  }

  private forget(revocation: KeyRevocation): void {
    const ids = new Set(revocation.keyIds);
    // Revocations are rare and the cache is bounded (MAX_CACHE): a scan is cheaper than keeping an index by id.
    for (const [hash, entry] of this.cache) if (entry.record && ids.has(entry.record.id)) this.cache.delete(hash);
    this.emitter.emit(REVOKED, revocation);
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

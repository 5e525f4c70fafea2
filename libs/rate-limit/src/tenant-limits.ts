import type { Database } from '@recoup/db';
import type { TenantLimits } from './limiter';
import { resolveLimits } from './limits';

/**
 * A tenant's limits (its tier with its `limit_overrides`) by id, cached briefly: every limited request needs them and a
 * tier changes rarely (a change applies within `ttlMs`). Null for a tenant that does not exist.
 */
export class TenantLimitsDirectory {
  private readonly cache = new Map<string, { value: TenantLimits | null; expiresAt: number }>();

  constructor(
    private readonly db: Database,
    private readonly ttlMs = 30_000,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(tenantId: string): Promise<TenantLimits | null> {
    const now = this.clock();
    const hit = this.cache.get(tenantId);
    if (hit && hit.expiresAt > now) return hit.value;
    const row = /^[0-9a-f-]{36}$/i.test(tenantId)
      ? await this.db.tenant.findUnique({ where: { id: tenantId }, select: { id: true, tier: true, limitOverrides: true } })
      : null;
    const value = row ? { tenantId: row.id, limits: resolveLimits(row.tier, row.limitOverrides) } : null;
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(tenantId, { value, expiresAt: now + this.ttlMs });
    return value;
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  /** Forgets every tenant (changes may have been missed: see @recoup/auth TenantChanges). */
  clear(): void {
    this.cache.clear();
  }
}

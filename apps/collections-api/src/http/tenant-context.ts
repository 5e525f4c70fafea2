import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requireAuth, type Authenticator, type TenantChanges } from '@recoup/auth';
import type { Database } from '@recoup/db';
import { HttpProblem, sendProblem } from '@recoup/http';
import { apiRateLimit, resolveLimits, type RateLimiter, type Tier, type TierLimits } from '@recoup/rate-limit';

export interface TenantRecord {
  id: string;
  name: string;
  tier: Tier;
  limits: TierLimits;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated tenant, loaded by tenantGuards. */
    tenant?: TenantRecord;
  }
}

/**
 * Tenants by id with a short cache: every tenant request needs the tier for its rate limit. A change made through any
 * replica (`changed`) is announced over Redis (TenantChanges) and drops the tenant from every replica's cache at once;
 * while changes cannot be heard (subscriber disconnected, or none configured) an entry is trusted for 1 s only.
 */
export class TenantDirectory {
  private readonly cache = new Map<string, { value: TenantRecord | null; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly unheardTtlMs: number;

  constructor(
    private readonly db: Database,
    private readonly options: { changes?: TenantChanges; ttlMs?: number; unheardTtlMs?: number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.unheardTtlMs = Math.min(options.unheardTtlMs ?? 1_000, this.ttlMs);
    options.changes?.on((tenantId) => (tenantId ? this.invalidate(tenantId) : this.cache.clear()));
  }

  async get(id: string): Promise<TenantRecord | null> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.expiresAt > now) return hit.value;
    // A change heard while PostgreSQL answers may describe a row read before it committed: trust the answer briefly.
    const changes = this.options.changes;
    const heardFrom = changes?.listening ? changes.version : undefined;
    const row = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.db.tenant.findUnique({ where: { id }, select: { id: true, name: true, tier: true, limitOverrides: true } })
      : null;
    const value = row ? { id: row.id, name: row.name, tier: row.tier, limits: resolveLimits(row.tier, row.limitOverrides) } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    const trusted = heardFrom !== undefined && changes?.listening && changes.version === heardFrom ? this.ttlMs : this.unheardTtlMs;
    this.cache.set(id, { value, expiresAt: now + trusted });
    return value;
  }

  invalidate(id: string): void {
    this.cache.delete(id);
  }

  /** The tenant changed (committed): forget it here and tell every other replica and service to. */
  async changed(id: string): Promise<void> {
    this.invalidate(id);
    await this.options.changes?.publish(id);
  }
}

/** The header naming the tenant the operator acts for (read-only; see tenantGuards). */
export const TENANT_HEADER = 'X-Tenant-Id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const READS = new Set(['GET', 'HEAD']);

/**
 * Authentication (tenant API key or JWT), the tenant's record, then its api_calls rate limit.
 * The operator's key may read one tenant's data, named by `X-Tenant-Id` (the console's tenant picker): GET only,
 * every such request logged with the tenant; writes stay with the tenant's own credentials, so the tenant's audit
 * trail only ever shows its own keys and users. Operator reads do not spend the tenant's api_calls.
 * `beforeLimit` runs between the tenant and the limit: a read-only route can start its read there
 * so the PostgreSQL query and the Redis check overlap (see invoices.routes.ts).
 */
export function tenantGuards(
  options: { authenticator: Authenticator; tenants: TenantDirectory; limiter: RateLimiter },
  beforeLimit: RequestHandler[] = [],
): RequestHandler[] {
  const refuse = (req: Request, res: Response, status: 400 | 403 | 404, detail: string) =>
    sendProblem(res, {
      type: 'about:blank',
      title: status === 400 ? 'Bad Request' : status === 403 ? 'Forbidden' : 'Not Found',
      status,
      detail,
      request_id: req.id,
    });
  const loadTenant = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const auth = req.auth;
      if (auth?.kind === 'admin') {
        if (!READS.has(req.method)) {
          return refuse(
            req,
            res,
            403,
            `The operator key may only read a tenant's data (GET with ${TENANT_HEADER}); use the tenant's key to change it`,
          );
        }
        const id = req.get(TENANT_HEADER);
        if (!id || !UUID.test(id)) {
          return refuse(req, res, 400, `${TENANT_HEADER}: the operator key needs the id (a uuid) of the tenant to act for`);
        }
        const tenant = await options.tenants.get(id.toLowerCase());
        if (!tenant) return refuse(req, res, 404, `${TENANT_HEADER}: no such tenant`);
        req.log?.info({ actor: 'admin', tenantId: tenant.id, method: req.method, path: req.path }, 'operator read a tenant’s data');
        req.tenant = tenant;
        return next();
      }
      if (auth?.kind !== 'tenant') throw HttpProblem.forbidden('A tenant credential is required');
      const tenant = await options.tenants.get(auth.tenantId);
      if (!tenant) return refuse(req, res, 403, 'The credential names a tenant that does not exist');
      req.tenant = tenant;
      return next();
    } catch (err) {
      return next(err);
    }
  };
  return [
    requireAuth({ authenticator: options.authenticator, roles: ['tenant', 'admin'] }),
    loadTenant,
    ...beforeLimit,
    apiRateLimit({
      limiter: options.limiter,
      tenant: (req) => (req.tenant && req.auth?.kind === 'tenant' ? { tenantId: req.tenant.id, limits: req.tenant.limits } : undefined),
    }),
  ];
}

export function currentTenant(req: Request): TenantRecord {
  if (!req.tenant) throw HttpProblem.forbidden('A tenant credential is required');
  return req.tenant;
}

import { z } from 'zod';

export const CheckStatus = z.enum(['up', 'down', 'sandbox', 'live']);

/** The seed's per-dependency verdict (`services.database: "healthy"`). */
export const ServiceHealth = z.enum(['healthy', 'unhealthy']);

/**
 * The seed's documented shape, `{"status": "healthy", "services": {"database": "healthy", ...}}`: healthy when every
 * dependency answers, degraded when only an optional one does not (still 200), unhealthy (503) when a required one
 * is down. `checks` keeps the detailed probe results (up/down/sandbox/live) for the existing probes.
 */
export const HealthResponse = z
  .object({
    status: z.enum(['healthy', 'degraded', 'unhealthy']),
    service: z.string(),
    version: z.string(),
    uptime_seconds: z.number(),
    /** By the seed's names: database (PostgreSQL), redis, stripe, ... */
    services: z.record(z.string(), ServiceHealth),
    checks: z.record(z.string(), CheckStatus),
    errors: z.record(z.string(), z.string()).optional(),
  })
  .meta({
    id: 'HealthResponse',
    example: {
      status: 'healthy',
      service: 'collections-api',
      version: '0.1.0',
      uptime_seconds: 3600,
      services: { database: 'healthy', redis: 'healthy', stripe: 'healthy' },
      checks: { postgres: 'up', redis: 'up', stripe: 'sandbox' },
    },
  });
export type HealthResponse = z.infer<typeof HealthResponse>;

/** `/health/live`: the process answers; no dependency is checked (liveness probes). */
export const LivenessResponse = z
  .object({ status: z.literal('ok'), service: z.string(), version: z.string(), uptime_seconds: z.number() })
  .meta({ id: 'LivenessResponse' });
export type LivenessResponse = z.infer<typeof LivenessResponse>;

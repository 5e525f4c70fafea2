import { z } from 'zod';

export const CheckStatus = z.enum(['up', 'down', 'sandbox', 'live']);

export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    service: z.string(),
    version: z.string(),
    uptime_seconds: z.number(),
    checks: z.record(z.string(), CheckStatus),
    errors: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'HealthResponse' });
export type HealthResponse = z.infer<typeof HealthResponse>;

/** `/health/live`: the process answers; no dependency is checked (liveness probes). */
export const LivenessResponse = z
  .object({ status: z.literal('ok'), service: z.string(), version: z.string(), uptime_seconds: z.number() })
  .meta({ id: 'LivenessResponse' });
export type LivenessResponse = z.infer<typeof LivenessResponse>;

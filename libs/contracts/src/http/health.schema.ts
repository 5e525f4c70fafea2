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

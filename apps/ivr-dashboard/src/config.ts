import { z } from 'zod';

/** The dashboard's dev/preview server settings (read by vite.config.ts in Node, never shipped to the browser). */
export const ConfigSchema = z.object({
  DASHBOARD_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  IVR_NEGOTIATION_URL: z.url().default('http://127.0.0.1:8004'),
});
export type DashboardConfig = z.infer<typeof ConfigSchema>;

export function loadDashboardConfig(env: Record<string, string | undefined>): DashboardConfig {
  const parsed = ConfigSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new Error(`ivr-dashboard: invalid ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return parsed.data;
}

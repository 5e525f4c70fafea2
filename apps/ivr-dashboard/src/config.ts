import { z } from 'zod';

/**
 * The console's server settings: read by vite.config.ts (npm run dashboard) and by the console
 * server (npm start, docker compose) in Node, never shipped to the browser.
 */
export const ConfigSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  DASHBOARD_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** ivr-negotiation: the browser's /api/... (IVR calls) goes here. */
  IVR_NEGOTIATION_URL: z.url().default('http://127.0.0.1:8004'),
  /** collections-api, the gateway: the browser's /gw/api/... goes here as /api/... (outbox, invoices, timelines). */
  COLLECTIONS_API_URL: z.url().default('http://127.0.0.1:8000'),
});
export type DashboardConfig = z.infer<typeof ConfigSchema>;

export function loadDashboardConfig(env: Record<string, string | undefined>): DashboardConfig {
  const parsed = ConfigSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new Error(`ivr-dashboard: invalid ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return Object.freeze(parsed.data);
}

import type { HealthResponse } from '@recoup/contracts';
import { withTimeout } from './timeout';

export type CheckStatus = HealthResponse['checks'][string];
/** A dependency probe: resolves when the dependency answers (optionally with a status), rejects when it does not. */
export type HealthCheck = (() => Promise<CheckStatus | void>) & {
  /** false: the service works without it (degraded, still 200). Required by default. */
  required?: boolean;
};

/** Marks a probe as optional: its failure makes the service degraded, not unhealthy. */
export function optionalCheck(probe: () => Promise<CheckStatus | void>): HealthCheck {
  return Object.assign(() => probe(), { required: false });
}

/** Our check names as the seed names its services. */
const SEED_NAMES: Record<string, string> = { postgres: 'database' };

/** Runs every probe concurrently, each bounded by `timeoutMs`; any "down" makes the service unavailable. */
export async function runHealthChecks(
  service: string,
  version: string,
  checks: Record<string, HealthCheck>,
  timeoutMs: number,
): Promise<HealthResponse> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, probe]) => {
      try {
        const status = (await withTimeout(Promise.resolve().then(probe), timeoutMs, `no answer within ${timeoutMs} ms`)) ?? 'up';
        return { name, status, error: undefined, required: probe.required !== false };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { name, status: 'down' as const, error: message.slice(0, 200), required: probe.required !== false };
      }
    }),
  );
  const down = entries.filter((e) => e.status === 'down');
  const result: HealthResponse = {
    status: down.some((e) => e.required) ? 'unhealthy' : down.length > 0 ? 'degraded' : 'healthy',
    service,
    version,
    uptime_seconds: Math.round(process.uptime()),
    services: Object.fromEntries(entries.map((e) => [SEED_NAMES[e.name] ?? e.name, e.status === 'down' ? 'unhealthy' : 'healthy'])),
    checks: Object.fromEntries(entries.map((e) => [e.name, e.status])),
  };
  const errors = entries.flatMap((e) => (e.error ? [[e.name, e.error] as const] : []));
  if (errors.length > 0) result.errors = Object.fromEntries(errors);
  return result;
}

import type { HealthResponse } from '@recoup/contracts';
import { withTimeout } from './timeout';

export type CheckStatus = HealthResponse['checks'][string];
/** A dependency probe: resolves when the dependency answers (optionally with a status), rejects when it does not. */
export type HealthCheck = () => Promise<CheckStatus | void>;

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
        return { name, status, error: undefined };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { name, status: 'down' as const, error: message.slice(0, 200) };
      }
    }),
  );
  const result: HealthResponse = {
    status: entries.some((e) => e.status === 'down') ? 'unavailable' : 'ok',
    service,
    version,
    uptime_seconds: Math.round(process.uptime()),
    checks: Object.fromEntries(entries.map((e) => [e.name, e.status])),
  };
  const errors = entries.flatMap((e) => (e.error ? [[e.name, e.error] as const] : []));
  if (errors.length > 0) result.errors = Object.fromEntries(errors);
  return result;
}

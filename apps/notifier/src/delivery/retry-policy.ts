/** A provider failure as the worker sees it (the provider libraries' DeliveryError, read by shape). */
export interface ClassifiedFailure {
  kind: 'transient' | 'permanent';
  message: string;
  retryAfterMs?: number;
  code?: string;
  /** The provider answered (an HTTP status): it refused this send, so it holds no message for it. */
  answered: boolean;
}

export function classifyFailure(err: unknown): ClassifiedFailure | undefined {
  const e = err as {
    name?: unknown;
    kind?: unknown;
    message?: unknown;
    details?: { retryAfterMs?: unknown; code?: unknown; status?: unknown };
  };
  if (e?.name !== 'DeliveryError' || (e.kind !== 'transient' && e.kind !== 'permanent')) return undefined;
  return {
    kind: e.kind,
    message: String(e.message),
    retryAfterMs: typeof e.details?.retryAfterMs === 'number' ? e.details.retryAfterMs : undefined,
    code: typeof e.details?.code === 'string' ? e.details.code : undefined,
    answered: typeof e.details?.status === 'number',
  };
}

const MAX_DELAY_MS = 3_600_000;

/**
 * Exponential backoff with "equal jitter" (half fixed, half random: AWS Architecture Blog,
 * "Exponential Backoff And Jitter"), never sooner than the provider's Retry-After.
 * `retry` counts from 1 for the first retry.
 */
export function retryDelayMs(retry: number, baseMs: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(baseMs * 2 ** Math.max(retry - 1, 0), MAX_DELAY_MS);
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

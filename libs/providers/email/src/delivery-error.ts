/**
 * Why a send failed, in our terms: `transient` (5xx, 429, network) is retried with backoff,
 * `permanent` (invalid address, bounced, other 4xx) is not. The notifier reads these fields by
 * shape, so every provider library can throw its own copy without depending on another.
 */
export type DeliveryFailureKind = 'transient' | 'permanent';

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly kind: DeliveryFailureKind,
    readonly details: { status?: number; code?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}

/** HTTP status to retry decision shared by the email and SMS APIs. */
export function kindOfStatus(status: number | undefined): DeliveryFailureKind {
  if (status === undefined) return 'transient'; // no response: network error or timeout
  if (status === 429 || status === 408 || status >= 500) return 'transient';
  return 'permanent';
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(at - now, 0);
}

import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

export interface TwilioCredentials {
  accountSid: string;
  /** Either the account auth token, or an API key pair (preferred for production). */
  authToken?: string;
  apiKeySid?: string;
  apiKeySecret?: string;
  /** Sends every REST call to this origin instead of https://*.twilio.com (loopback fakes in tests). */
  baseUrl?: string;
  timeoutMs?: number;
}

export type TwilioClient = ReturnType<typeof twilio>;

/**
 * Rewrites the SDK's absolute https://<domain>.twilio.com URLs onto another origin, keeping the
 * path, so the official SDK (auth header, form encoding, retries) is exercised against a fake.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly origin: string,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    const rebased = new URL(uri.pathname + uri.search, this.origin);
    return super.request<TData>({ ...opts, uri: rebased.toString() });
  }
}

export function createTwilioClient(credentials: TwilioCredentials): TwilioClient {
  const { accountSid, authToken, apiKeySid, apiKeySecret, baseUrl, timeoutMs = 10_000 } = credentials;
  const httpClient = baseUrl ? new RebasedRequestClient(baseUrl, timeoutMs) : new twilio.RequestClient({ timeout: timeoutMs });
  if (apiKeySid && apiKeySecret) return twilio(apiKeySid, apiKeySecret, { accountSid, httpClient });
  if (!authToken) throw new Error('Twilio needs TWILIO_AUTH_TOKEN or TWILIO_API_KEY_SID/TWILIO_API_KEY_SECRET');
  return twilio(accountSid, authToken, { httpClient });
}

/** Twilio REST errors carry an HTTP status and a numeric code; map them to retry decisions. */
export function describeTwilioError(error: unknown): { status?: number; code?: number; message: string; retryAfterMs?: number } {
  const e = error as { status?: number; code?: number; message?: string; moreInfo?: string; headers?: Record<string, string> };
  const retryAfter = e.headers?.['retry-after'];
  return {
    status: typeof e.status === 'number' ? e.status : undefined,
    code: typeof e.code === 'number' ? e.code : undefined,
    message: e.message ?? String(error),
    retryAfterMs: retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined,
  };
}

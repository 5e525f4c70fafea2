import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from './accounting.port';

/** base64(HMAC-SHA256(key, raw body)): the signature both Xero (`x-xero-signature`) and Intuit (`intuit-signature`) send. */
export function hmacSha256Base64(key: string, rawBody: Buffer): string {
  return createHmac('sha256', key).update(rawBody).digest('base64');
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Compares in constant time over the exact bytes received; throws WebhookSignatureError naming the header. */
export function assertHmacSignature(key: string, rawBody: Buffer, received: string | undefined, header: string): void {
  if (!received) throw new WebhookSignatureError(`missing ${header}`);
  const expected = Buffer.from(hmacSha256Base64(key, rawBody));
  const got = Buffer.from(received);
  if (expected.length !== got.length || !timingSafeEqual(expected, got))
    throw new WebhookSignatureError(`${header} does not match the body`);
}

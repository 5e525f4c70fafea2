import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';

export const SENDGRID_SIGNATURE_HEADER = EventWebhookHeader.SIGNATURE().toLowerCase();
export const SENDGRID_TIMESTAMP_HEADER = EventWebhookHeader.TIMESTAMP().toLowerCase();

/**
 * Verifies SendGrid's signed event webhook: an ECDSA (P-256, SHA-256) signature over the
 * timestamp header followed by the exact request body. `publicKey` is the verification key from
 * Mail Settings (base64 DER) or a PEM.
 */
export class SendGridEventVerifier {
  private readonly webhook = new EventWebhook();
  private readonly key: ReturnType<EventWebhook['convertPublicKeyToECDSA']>;

  constructor(publicKey: string) {
    const pem = publicKey.includes('BEGIN PUBLIC KEY')
      ? publicKey
      : `-----BEGIN PUBLIC KEY-----\n${publicKey.replace(/\s+/g, '')}\n-----END PUBLIC KEY-----`;
    this.key = this.webhook.convertPublicKeyToECDSA(pem);
  }

  verify(rawBody: Buffer | string, signature: string | undefined, timestamp: string | undefined): boolean {
    if (!signature || !timestamp) return false;
    try {
      return this.webhook.verifySignature(this.key, rawBody, signature, timestamp);
    } catch {
      return false; // a malformed signature is a bad signature, not a server error
    }
  }
}

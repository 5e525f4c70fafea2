/**
 * Why a post failed, in our terms: `transient` (5xx, 429, network) is retried with backoff, `permanent` (an address
 * the printer refuses, another 4xx) is not. The notifier reads these fields by shape, like the email and SMS errors.
 */
export class LetterDeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly kind: 'transient' | 'permanent',
    readonly details: { status?: number; code?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}

/** A letter's progress reported by the print-and-post provider, in our delivery-event terms. */
export interface LetterStatusEvent {
  providerMessageId: string;
  /** Our event: printed/handed to Royal Mail → sent; delivered; returned to sender → bounced; cancelled → failed. */
  type: 'processed' | 'sent' | 'delivered' | 'bounced' | 'failed' | undefined;
  /** The provider's own status word, kept on the event. */
  providerStatus: string;
  occurredAt: Date;
  trackingReference?: string;
}

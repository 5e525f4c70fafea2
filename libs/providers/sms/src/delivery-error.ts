/**
 * One failure vocabulary for every channel: the SMS sender throws the same DeliveryError the email
 * sender does (transient: retried with backoff; permanent: dead-lettered), so the notifier's retry
 * policy reads one type.
 */
export { DeliveryError, kindOfStatus, retryAfterMs } from '@recoup/providers/email';
export type { DeliveryFailureKind } from '@recoup/providers/email';

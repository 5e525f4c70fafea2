import type { ProcessorsFor } from '@recoup/queue';

/**
 * Processors for the notifications queue. Delivery (email, SMS, letters) arrives with the
 * notifier issue; until then a job on this queue fails once as unrecoverable ("no processor")
 * rather than being retried or silently dropped.
 */
export function notificationProcessors(): ProcessorsFor<'notifications'> {
  return {};
}

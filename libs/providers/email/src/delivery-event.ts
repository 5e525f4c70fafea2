/**
 * What happened to a message we sent, in our terms, as every channel's webhook reports it: the
 * SendGrid event webhook and Twilio's SMS status callbacks both map their vendor statuses onto it,
 * and the notifier records it on the contact attempt.
 */
export type DeliveryEventType =
  'processed' | 'sent' | 'delivered' | 'deferred' | 'opened' | 'clicked' | 'bounced' | 'failed' | 'spam_report' | 'unsubscribed';

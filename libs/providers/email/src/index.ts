export { DeliveryError, kindOfStatus, retryAfterMs } from './delivery-error';
export type { DeliveryFailureKind } from './delivery-error';
export type { EmailSender, OutboundEmail, SentEmail } from './email-sender.port';
export { SendGridEmailSender, toDeliveryError } from './sendgrid-email-sender';
export type { SendGridOptions } from './sendgrid-email-sender';
export { SandboxEmailSender } from './sandbox-email-sender';
export { SendGridEventVerifier, SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from './sendgrid-event-signature';
export { createEmailSender } from './create-email-sender';
export type { EmailSenderConfig } from './create-email-sender';

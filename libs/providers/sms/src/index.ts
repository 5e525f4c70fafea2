export { DeliveryError, kindOfStatus, retryAfterMs } from './delivery-error';
export type { DeliveryFailureKind } from './delivery-error';
export { SMS_SEGMENT_COST_PENCE, estimateSegments } from './sms-sender.port';
export type { OutboundSms, SentSms, SmsSender } from './sms-sender.port';
export { PERMANENT_TWILIO_CODES, TwilioSmsSender, toDeliveryError } from './twilio-sms-sender';
export type { TwilioSmsOptions } from './twilio-sms-sender';
export { SANDBOX_INVALID_NUMBER, SandboxSmsSender } from './sandbox-sms-sender';
export { createSmsSender } from './create-sms-sender';
export type { SmsSenderConfig } from './create-sms-sender';

export { idempotencyKey, webhookIdempotency } from './middleware';
export type { IdempotencyKeyOptions, WebhookIdempotencyOptions } from './middleware';
export { IdempotencyStore } from './store';
export type { BeginResult, IdempotencyOptions, Outcome } from './store';

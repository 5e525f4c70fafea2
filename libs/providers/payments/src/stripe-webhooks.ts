import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/** The invoice a Stripe object belongs to, from the metadata we set when creating it. */
export interface PaymentMetadata {
  invoiceId?: string;
  tenantId?: string;
  installmentId?: string;
}

/** A verified Stripe event, reduced to what the platform acts on (no vendor type leaves this lib). */
export type PaymentEvent =
  | {
      kind: 'payment_succeeded';
      eventId: string;
      eventType: string;
      /** The PaymentIntent id (unique per payment; both checkout.session.completed and payment_intent.succeeded carry it). */
      paymentRef: string;
      checkoutSessionId?: string;
      amountPence: number;
      currency: string;
      metadata: PaymentMetadata;
      occurredAt: Date;
    }
  | {
      kind: 'refunded';
      eventId: string;
      eventType: string;
      paymentRef: string;
      refundedPence: number;
      metadata: PaymentMetadata;
      occurredAt: Date;
    }
  | {
      kind: 'disputed';
      eventId: string;
      eventType: string;
      paymentRef: string;
      amountPence: number;
      metadata: PaymentMetadata;
      occurredAt: Date;
    }
  | { kind: 'ignored'; eventId: string; eventType: string; reason: string };

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

const webhooks = Stripe.webhooks;

function metadataOf(value: unknown): PaymentMetadata {
  const m = (value ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof m[k] === 'string' && m[k] ? (m[k] as string) : undefined);
  return { invoiceId: str('invoice_id'), tenantId: str('tenant_id'), installmentId: str('installment_id') };
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  return undefined;
}

/**
 * Verifies `Stripe-Signature` over the exact raw body with the SDK (constructEvent: HMAC-SHA256,
 * timestamp tolerance) and maps the event to a PaymentEvent.
 */
export function verifyStripeWebhook(
  rawBody: Buffer | string,
  signature: string | undefined,
  secret: string,
  toleranceSeconds = 300,
): PaymentEvent {
  if (!signature) throw new WebhookSignatureError('missing Stripe-Signature header');
  let event: Stripe.Event;
  try {
    event = webhooks.constructEvent(rawBody, signature, secret, toleranceSeconds);
  } catch (err) {
    throw new WebhookSignatureError(err instanceof Error ? err.message : 'signature verification failed');
  }
  return toPaymentEvent(event);
}

function toPaymentEvent(event: Stripe.Event): PaymentEvent {
  const base = { eventId: event.id, eventType: event.type };
  const occurredAt = new Date(event.created * 1000);
  const obj = event.data.object as unknown as Record<string, unknown>;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      if (obj.payment_status !== 'paid') return { kind: 'ignored', ...base, reason: `payment_status ${String(obj.payment_status)}` };
      const sessionId = String(obj.id);
      return {
        kind: 'payment_succeeded',
        ...base,
        paymentRef: idOf(obj.payment_intent) ?? sessionId,
        checkoutSessionId: sessionId,
        amountPence: Number(obj.amount_total ?? 0),
        currency: String(obj.currency ?? 'gbp').toUpperCase(),
        metadata: metadataOf(obj.metadata),
        occurredAt,
      };
    }
    case 'payment_intent.succeeded':
      return {
        kind: 'payment_succeeded',
        ...base,
        paymentRef: String(obj.id),
        amountPence: Number(obj.amount_received ?? obj.amount ?? 0),
        currency: String(obj.currency ?? 'gbp').toUpperCase(),
        metadata: metadataOf(obj.metadata),
        occurredAt,
      };
    case 'charge.refunded':
      return {
        kind: 'refunded',
        ...base,
        paymentRef: idOf(obj.payment_intent) ?? String(obj.id),
        refundedPence: Number(obj.amount_refunded ?? 0),
        metadata: metadataOf(obj.metadata),
        occurredAt,
      };
    case 'charge.dispute.created':
      return {
        kind: 'disputed',
        ...base,
        paymentRef: idOf(obj.payment_intent) ?? idOf(obj.charge) ?? String(obj.id),
        amountPence: Number(obj.amount ?? 0),
        metadata: metadataOf(obj.metadata),
        occurredAt,
      };
    default:
      return { kind: 'ignored', ...base, reason: 'event type not handled' };
  }
}

/** A `Stripe-Signature` header for a payload, made by the SDK's own helper (sandbox pay page, tests). */
export function signStripePayload(payload: string, secret: string, timestampSeconds?: number): string {
  return webhooks.generateTestHeaderString({ payload, secret, ...(timestampSeconds ? { timestamp: timestampSeconds } : {}) });
}

export interface SandboxCheckoutInput {
  checkoutSessionId: string;
  amountPence: number;
  currency: string;
  metadata: PaymentMetadata;
  nowSeconds?: number;
}

/** The checkout.session.completed event Stripe would send for a paid sandbox link (Stripe's JSON shape). */
export function sandboxCheckoutCompletedEvent(input: SandboxCheckoutInput): { id: string; payload: string } {
  const created = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const id = `evt_sandbox_${randomBytes(12).toString('hex')}`;
  const metadata: Record<string, string> = {};
  if (input.metadata.invoiceId) metadata.invoice_id = input.metadata.invoiceId;
  if (input.metadata.tenantId) metadata.tenant_id = input.metadata.tenantId;
  if (input.metadata.installmentId) metadata.installment_id = input.metadata.installmentId;
  const event = {
    id,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
    data: {
      object: {
        id: input.checkoutSessionId,
        object: 'checkout.session',
        mode: 'payment',
        amount_total: input.amountPence,
        currency: input.currency.toLowerCase(),
        payment_status: 'paid',
        status: 'complete',
        payment_intent: `pi_sandbox_${input.checkoutSessionId.replace(/^cs_sandbox_/, '')}`,
        metadata,
      },
    },
  };
  return { id, payload: JSON.stringify(event) };
}

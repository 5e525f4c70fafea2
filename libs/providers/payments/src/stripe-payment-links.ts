import Stripe from 'stripe';
import { PaymentProviderError, type CreatedPaymentLink, type PaymentLinkRequest, type PaymentLinks } from './payment-links.port';

export interface StripeOptions {
  secretKey: string;
  /** Overrides https://api.stripe.com (a loopback fake in tests), e.g. http://127.0.0.1:12111. */
  apiBaseUrl?: string;
  /** Where Checkout sends the payer back: `${returnBaseUrl}/pay/done?session_id=...`. */
  returnBaseUrl: string;
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

/** The official SDK, optionally pointed at another origin through its host/port/protocol options. */
export function createStripeClient(options: Pick<StripeOptions, 'secretKey' | 'apiBaseUrl' | 'timeoutMs' | 'maxNetworkRetries'>): Stripe {
  const base = options.apiBaseUrl ? new URL(options.apiBaseUrl) : undefined;
  return new Stripe(options.secretKey, {
    timeout: options.timeoutMs ?? 10_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'http:' ? 80 : 443),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
}

/**
 * Stripe Checkout Sessions in payment mode. The session and its PaymentIntent carry
 * metadata.invoice_id and metadata.tenant_id (and installment_id), which is how a payment
 * event finds its invoice; the idempotency key makes a retried create return the same session.
 */
export class StripePaymentLinks implements PaymentLinks {
  readonly provider = 'stripe';
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeOptions) {
    this.stripe = createStripeClient(options);
  }

  async create(request: PaymentLinkRequest): Promise<CreatedPaymentLink> {
    // A pay-all session names no single invoice: the payment event finds its link (and each invoice's share) by session id.
    const metadata: Record<string, string> = request.lineItems?.length
      ? { tenant_id: request.tenantId, payment_kind: 'pay_all', invoice_count: String(request.lineItems.length) }
      : { invoice_id: request.invoiceId, tenant_id: request.tenantId };
    if (request.installmentId) metadata.installment_id = request.installmentId;
    const lines = request.lineItems?.length
      ? request.lineItems.map((l) => ({ amountPence: l.amountPence, description: l.description }))
      : [{ amountPence: request.amountPence, description: request.description }];
    const back = this.options.returnBaseUrl.replace(/\/$/, '');
    try {
      const session = await this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: lines.map((l) => ({
            quantity: 1,
            price_data: {
              currency: request.currency.toLowerCase(),
              unit_amount: l.amountPence,
              product_data: { name: l.description.slice(0, 250) },
            },
          })),
          ...(request.customerEmail ? { customer_email: request.customerEmail } : {}),
          client_reference_id: request.invoiceId,
          metadata,
          payment_intent_data: { metadata, description: request.description.slice(0, 1000) },
          success_url: `${back}/pay/done?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${back}/pay/cancelled`,
        },
        { idempotencyKey: request.idempotencyKey },
      );
      if (!session.url) throw new PaymentProviderError(`Stripe returned session ${session.id} without a URL`);
      return { provider: this.provider, externalId: session.id, url: session.url };
    } catch (err) {
      throw asProviderError(err);
    }
  }

  async ping(): Promise<'up'> {
    try {
      await this.stripe.balance.retrieve();
      return 'up';
    } catch (err) {
      throw asProviderError(err);
    }
  }
}

function asProviderError(err: unknown): Error {
  if (err instanceof PaymentProviderError) return err;
  const e = err as { statusCode?: number; message?: string; type?: string };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const retryable = status === undefined || status === 429 || status >= 500;
  return new PaymentProviderError(`Stripe: ${e.message ?? String(err)}`, status, retryable);
}

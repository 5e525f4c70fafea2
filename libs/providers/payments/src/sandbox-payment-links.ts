import { createHash } from 'node:crypto';
import type { CreatedPaymentLink, PaymentLinkRequest, PaymentLinks } from './payment-links.port';

export interface SandboxPaymentLinksOptions {
  /** Origin of collections-api, which serves the pay page at /pay/:id. */
  payPageBaseUrl: string;
}

/**
 * Links to the local pay page collections-api serves (GET /pay/:id). Its Pay button sends a
 * Stripe-format, properly signed checkout.session.completed event to POST /api/payments/stripe,
 * so the platform behaves as with Stripe, without credentials. The id is derived from the
 * idempotency key: the same request gives the same link.
 */
export class SandboxPaymentLinks implements PaymentLinks {
  readonly provider = 'sandbox';

  constructor(private readonly options: SandboxPaymentLinksOptions) {}

  async create(request: PaymentLinkRequest): Promise<CreatedPaymentLink> {
    const digest = createHash('sha256').update(`${request.tenantId}\n${request.idempotencyKey}`).digest('hex').slice(0, 24);
    const externalId = `cs_sandbox_${digest}`;
    return { provider: this.provider, externalId, url: `${this.options.payPageBaseUrl.replace(/\/$/, '')}/pay/${externalId}` };
  }

  async ping(): Promise<'sandbox'> {
    return 'sandbox';
  }
}

import { createHmac, randomBytes } from 'node:crypto';
import type { CreatedPaymentLink, PaymentLinkRequest, PaymentLinks } from './payment-links.port';

export interface SandboxPaymentLinksOptions {
  /** Origin of collections-api, which serves the pay page at /pay/:id. */
  payPageBaseUrl: string;
  /**
   * Key of the link ids. The id is the only secret of a sandbox pay page (whoever has it can "pay"), so it is an HMAC
   * of the request, never a plain digest of ids a caller might know. Default: a random key per instance (the same
   * request then gives the same link until a restart).
   */
  idKey?: string | Buffer;
}

/**
 * Links to the local pay page collections-api serves (GET /pay/:id). Its Pay button sends a
 * Stripe-format, properly signed checkout.session.completed event to POST /api/payments/stripe,
 * so the platform behaves as with Stripe, without credentials. The id is an HMAC (128 bits) of the
 * idempotency key: the same request gives the same link, and nobody can work it out from ids.
 */
export class SandboxPaymentLinks implements PaymentLinks {
  readonly provider = 'sandbox';

  private readonly idKey: string | Buffer;

  constructor(private readonly options: SandboxPaymentLinksOptions) {
    this.idKey = options.idKey ?? randomBytes(32);
  }

  async create(request: PaymentLinkRequest): Promise<CreatedPaymentLink> {
    const digest = createHmac('sha256', this.idKey).update(`${request.tenantId}\n${request.idempotencyKey}`).digest('hex').slice(0, 32);
    const externalId = `cs_sandbox_${digest}`;
    return { provider: this.provider, externalId, url: `${this.options.payPageBaseUrl.replace(/\/$/, '')}/pay/${externalId}` };
  }

  async ping(): Promise<'sandbox'> {
    return 'sandbox';
  }
}

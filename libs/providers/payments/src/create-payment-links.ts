import type { PaymentLinks } from './payment-links.port';
import { SandboxPaymentLinks } from './sandbox-payment-links';
import { StripePaymentLinks } from './stripe-payment-links';

export interface PaymentLinksConfig {
  /** The provider decision (resolveProviders): live uses Stripe, sandbox the local pay page. */
  mode: 'live' | 'sandbox';
  STRIPE_SECRET_KEY?: string;
  STRIPE_API_BASE_URL?: string;
  /** Public origin of collections-api: the sandbox pay page and Stripe's return URLs. */
  publicBaseUrl: string;
}

export function createPaymentLinks(config: PaymentLinksConfig): PaymentLinks {
  if (config.mode === 'live') {
    if (!config.STRIPE_SECRET_KEY) throw new Error('Stripe live mode needs STRIPE_SECRET_KEY');
    return new StripePaymentLinks({
      secretKey: config.STRIPE_SECRET_KEY,
      apiBaseUrl: config.STRIPE_API_BASE_URL,
      returnBaseUrl: config.publicBaseUrl,
    });
  }
  return new SandboxPaymentLinks({ payPageBaseUrl: config.publicBaseUrl });
}

import { FakeStripeApi } from '@recoup/testing';
import { describePaymentLinksContract } from './payment-links.contract';
import { SandboxPaymentLinks } from './sandbox-payment-links';
import { StripePaymentLinks } from './stripe-payment-links';

describePaymentLinksContract('sandbox', () => new SandboxPaymentLinks({ payPageBaseUrl: 'http://127.0.0.1:8000' }));

const fake = new FakeStripeApi();
beforeAll(() => fake.start());
afterAll(() => fake.close());
describePaymentLinksContract(
  'stripe (SDK on a loopback fake)',
  () =>
    new StripePaymentLinks({
      secretKey: 'sk_test_contract',
      apiBaseUrl: fake.url,
      returnBaseUrl: 'http://127.0.0.1:8000',
      maxNetworkRetries: 0,
    }),
);

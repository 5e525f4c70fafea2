import { stripeShapeErrors } from '@recoup/testing';
import { sandboxCheckoutCompletedEvent } from './stripe-webhooks';

// The sandbox pay page sends this event through the real webhook path: it must look like Stripe's own.
describe('Stripe-format objects we build, held to Stripe’s example objects (stripe/openapi fixtures3.json)', () => {
  it('the sandbox checkout.session.completed event is an event carrying a checkout.session', () => {
    const { payload } = sandboxCheckoutCompletedEvent({
      checkoutSessionId: 'cs_sandbox_0123456789abcdef0123456789abcdef',
      amountPence: 12_000,
      currency: 'GBP',
      metadata: { invoiceId: 'inv_1', tenantId: 'ten_1' },
    });
    const event = JSON.parse(payload) as { data: { object: unknown } };
    expect(stripeShapeErrors('event', { ...event, data: {} })).toEqual([]);
    expect(stripeShapeErrors('checkout.session', event.data.object)).toEqual([]);
  });

  it('would name a field Stripe does not send, and a value of the wrong type', () => {
    expect(stripeShapeErrors('checkout.session', { object: 'checkout.session', amount_totl: 1, created: '2026-11-30' })).toEqual([
      "checkout.session.amount_totl is not a field of Stripe's object",
      "checkout.session.created is string, Stripe's is number",
    ]);
  });
});

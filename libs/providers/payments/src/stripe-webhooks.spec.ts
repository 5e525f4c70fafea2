import { WebhookSignatureError, sandboxCheckoutCompletedEvent, signStripePayload, verifyStripeWebhook } from './stripe-webhooks';

const SECRET = 'whsec_test_secret_123456';
const meta = { invoice_id: 'inv-1', tenant_id: 'ten-1' };
const event = (type: string, object: Record<string, unknown>) =>
  JSON.stringify({ id: `evt_${type}`, object: 'event', created: 1_760_000_000, type, data: { object } });

describe('verifyStripeWebhook', () => {
  it('accepts a payload signed with the secret and maps checkout.session.completed', () => {
    const payload = event('checkout.session.completed', {
      id: 'cs_1',
      object: 'checkout.session',
      payment_status: 'paid',
      payment_intent: 'pi_1',
      amount_total: 2500,
      currency: 'gbp',
      metadata: meta,
    });
    const parsed = verifyStripeWebhook(Buffer.from(payload), signStripePayload(payload, SECRET), SECRET);
    expect(parsed).toMatchObject({
      kind: 'payment_succeeded',
      eventId: 'evt_checkout.session.completed',
      paymentRef: 'pi_1',
      checkoutSessionId: 'cs_1',
      amountPence: 2500,
      currency: 'GBP',
      metadata: { invoiceId: 'inv-1', tenantId: 'ten-1' },
    });
  });

  it('maps payment_intent.succeeded, charge.refunded and charge.dispute.created; ignores the rest', () => {
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      [
        'payment_intent.succeeded',
        { id: 'pi_2', amount_received: 700, currency: 'gbp', metadata: meta },
        { kind: 'payment_succeeded', paymentRef: 'pi_2', amountPence: 700 },
      ],
      [
        'charge.refunded',
        { id: 'ch_1', payment_intent: 'pi_2', amount_refunded: 300 },
        { kind: 'refunded', paymentRef: 'pi_2', refundedPence: 300 },
      ],
      [
        'charge.dispute.created',
        { id: 'dp_1', charge: 'ch_1', payment_intent: 'pi_2', amount: 700 },
        { kind: 'disputed', paymentRef: 'pi_2', amountPence: 700 },
      ],
      ['customer.created', { id: 'cus_1' }, { kind: 'ignored' }],
      ['checkout.session.completed', { id: 'cs_2', payment_status: 'unpaid' }, { kind: 'ignored' }],
    ];
    for (const [type, object, expected] of cases) {
      const payload = event(type, object);
      expect(verifyStripeWebhook(payload, signStripePayload(payload, SECRET), SECRET)).toMatchObject(expected);
    }
  });

  it('refuses a missing, wrong, tampered or stale signature', () => {
    const payload = event('payment_intent.succeeded', { id: 'pi_3', amount_received: 1, metadata: meta });
    expect(() => verifyStripeWebhook(payload, undefined, SECRET)).toThrow(WebhookSignatureError);
    expect(() => verifyStripeWebhook(payload, signStripePayload(payload, 'whsec_other_secret'), SECRET)).toThrow(WebhookSignatureError);
    expect(() =>
      verifyStripeWebhook(payload.replace('"amount_received":1', '"amount_received":100'), signStripePayload(payload, SECRET), SECRET),
    ).toThrow(WebhookSignatureError);
    const old = Math.floor(Date.now() / 1000) - 3600;
    expect(() => verifyStripeWebhook(payload, signStripePayload(payload, SECRET, old), SECRET)).toThrow(WebhookSignatureError);
  });

  it('the sandbox checkout event is a Stripe-shaped, verifiable checkout.session.completed', () => {
    const { id, payload } = sandboxCheckoutCompletedEvent({
      checkoutSessionId: 'cs_sandbox_abc',
      amountPence: 4200,
      currency: 'GBP',
      metadata: { invoiceId: 'inv-9', tenantId: 'ten-9' },
    });
    const parsed = verifyStripeWebhook(payload, signStripePayload(payload, SECRET), SECRET);
    expect(parsed).toMatchObject({
      kind: 'payment_succeeded',
      eventId: id,
      paymentRef: 'pi_sandbox_abc',
      checkoutSessionId: 'cs_sandbox_abc',
      amountPence: 4200,
      metadata: { invoiceId: 'inv-9', tenantId: 'ten-9' },
    });
  });
});

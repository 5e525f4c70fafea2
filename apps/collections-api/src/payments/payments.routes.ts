import type { NextFunction, Request, Response } from 'express';
import type { Database } from '@recoup/db';
import { ApiRouter, HttpProblem, sendProblem } from '@recoup/http';
import { webhookIdempotency, type IdempotencyStore } from '@recoup/idempotency';
import { WebhookSignatureError, verifyStripeWebhook, type PaymentEvent } from '@recoup/providers/payments';
import type { PaymentEventsService } from './payment-events.service';

declare module 'express-serve-static-core' {
  interface Request {
    paymentEvent?: PaymentEvent;
  }
}

export interface PaymentsRouterDeps {
  db: Database;
  events: PaymentEventsService;
  idempotency: IdempotencyStore;
  webhookSecret?: string;
  stripeMode: 'live' | 'sandbox';
}

/**
 * POST /api/payments/stripe (Stripe webhooks; the sandbox pay page is public/sandbox-pay.routes.ts). The signature is checked
 * over the raw body before anything else; then the event id is deduplicated (Redis lease, and
 * the webhook_events row) and the event applied.
 */
export function paymentsRouter(deps: PaymentsRouterDeps): ApiRouter {
  const verify = (req: Request, res: Response, next: NextFunction) => {
    if (!deps.webhookSecret) {
      return sendProblem(res, {
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'STRIPE_WEBHOOK_SECRET is not configured',
        request_id: req.id,
      });
    }
    try {
      req.paymentEvent = verifyStripeWebhook(req.rawBody ?? Buffer.alloc(0), req.get('stripe-signature'), deps.webhookSecret);
      return next();
    } catch (err) {
      if (err instanceof WebhookSignatureError) {
        return sendProblem(res, {
          type: 'https://recoup.dev/problems/invalid-signature',
          title: 'Bad Request',
          status: 400,
          detail: `Stripe signature verification failed: ${err.message.slice(0, 200)}`,
          request_id: req.id,
          errors: [{ field: 'headers.stripe-signature', pointer: '/stripe-signature', detail: 'invalid or missing signature' }],
        });
      }
      return next(err);
    }
  };

  return new ApiRouter().route({
    method: 'post',
    path: '/api/payments/stripe',
    summary:
      'Stripe webhook: payments mark invoices (or instalments) paid and stop their collection jobs; refunds and chargebacks reopen them',
    tags: ['payments'],
    security: [{ stripeSignature: [] }],
    before: [verify, webhookIdempotency({ store: deps.idempotency, provider: 'stripe', eventId: (req) => req.paymentEvent?.eventId })],
    responses: {
      200: { description: 'Event applied, ignored, or a duplicate (answered as before)' },
      400: { description: 'Missing or invalid Stripe-Signature' },
      503: { description: 'The same event is being processed; Stripe retries' },
    },
    handler: async (_input, req, res) => {
      const event = req.paymentEvent;
      if (!event) throw HttpProblem.badRequest('No verified event');
      const result = await deps.events.handle(event, req.body);
      res.json({ received: true, ...result });
    },
  });
}

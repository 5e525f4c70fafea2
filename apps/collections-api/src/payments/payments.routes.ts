import type { NextFunction, Request, Response } from 'express';
import { toMajor } from '@recoup/contracts';
import type { Database } from '@recoup/db';
import { ApiRouter, HttpProblem, sendProblem } from '@recoup/http';
import { webhookIdempotency, type IdempotencyStore } from '@recoup/idempotency';
import {
  WebhookSignatureError,
  sandboxCheckoutCompletedEvent,
  signStripePayload,
  verifyStripeWebhook,
  type PaymentEvent,
} from '@recoup/providers/payments';
import { z } from 'zod';
import { escapeHtml, page } from '../public/html-page';
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
 * POST /api/payments/stripe (Stripe webhooks) and the sandbox pay page. The signature is checked
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

  const router = new ApiRouter().route({
    method: 'post',
    path: '/api/payments/stripe',
    summary:
      'Stripe webhook: payments mark invoices (or instalments) paid and stop their collection jobs; refunds and chargebacks reopen them',
    tags: ['payments'],
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

  router.router.get('/pay/done', (_req, res) => {
    res.type('html').send(page('Thank you', '<h1>Thank you</h1><p>Your payment is being confirmed.</p>'));
  });
  router.router.get('/pay/cancelled', (_req, res) => {
    res.type('html').send(page('Payment cancelled', '<h1>Payment cancelled</h1><p>No payment was taken.</p>'));
  });
  const IdParams = z.object({ link_id: z.string().regex(/^cs_[A-Za-z0-9_]{4,100}$/, 'expected a checkout session id') });
  router.route({
    method: 'get',
    path: '/pay/:link_id',
    summary: 'Sandbox pay page of a payment link (live links go to Stripe Checkout)',
    tags: ['payments'],
    request: { params: IdParams },
    responses: { 200: { description: 'HTML pay page', contentType: 'text/html' }, 404: { description: 'No such link' } },
    handler: async ({ params }, _req, res) => {
      const link = await deps.db.paymentLink.findUnique({
        where: { externalId: params.link_id },
        include: { invoice: { select: { reference: true } } },
      });
      if (!link || link.provider !== 'sandbox') throw HttpProblem.notFound('No such payment link');
      const amount = `${link.currency === 'GBP' ? '£' : `${link.currency} `}${toMajor(link.amountPence).toFixed(2)}`;
      const body =
        link.status === 'paid'
          ? `<h1>Paid</h1><p>Invoice ${escapeHtml(link.invoice.reference)}: ${amount} has been paid. Thank you.</p>`
          : `<h1>Pay ${amount}</h1><p>Invoice ${escapeHtml(link.invoice.reference)}</p><form method="post" action="/pay/${escapeHtml(link.externalId)}"><button type="submit">Pay ${amount}</button></form><p class="note">Sandbox: no card is charged. Paying sends a signed Stripe-format checkout.session.completed event to the platform.</p>`;
      res.type('html').send(page('Pay invoice', body));
    },
  });
  router.route({
    method: 'post',
    path: '/pay/:link_id',
    summary: 'Sandbox "Pay": emits a signed checkout.session.completed exactly as Stripe would',
    tags: ['payments'],
    request: { params: IdParams },
    responses: { 200: { description: 'HTML receipt', contentType: 'text/html' }, 404: { description: 'No such link' } },
    handler: async ({ params }, req, res) => {
      const link = await deps.db.paymentLink.findUnique({
        where: { externalId: params.link_id },
        include: { invoice: { select: { reference: true } } },
      });
      if (!link || link.provider !== 'sandbox' || deps.stripeMode !== 'sandbox') throw HttpProblem.notFound('No such payment link');
      if (!deps.webhookSecret) throw new HttpProblem(503, 'Service Unavailable', 'STRIPE_WEBHOOK_SECRET is not configured');
      if (link.status !== 'paid') {
        const { payload } = sandboxCheckoutCompletedEvent({
          checkoutSessionId: link.externalId,
          amountPence: link.amountPence,
          currency: link.currency,
          metadata: {
            invoiceId: link.invoiceId,
            tenantId: link.tenantId,
            ...(link.installmentId ? { installmentId: link.installmentId } : {}),
          },
        });
        // Delivered through the same verification as a real webhook: signed, parsed, applied once.
        const event = verifyStripeWebhook(payload, signStripePayload(payload, deps.webhookSecret), deps.webhookSecret);
        await deps.events.handle(event, JSON.parse(payload));
        req.log?.info({ linkId: link.id }, 'sandbox payment completed');
      }
      res.type('html').send(page('Paid', `<h1>Paid</h1><p>Invoice ${escapeHtml(link.invoice.reference)} — thank you.</p>`));
    },
  });
  return router;
}

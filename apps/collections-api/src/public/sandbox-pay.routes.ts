import { checkoutAllocations } from '@recoup/collections';
import { ApiRouter, HttpProblem } from '@recoup/http';
import { formatPence } from '@recoup/templates';
import type { Database } from '@recoup/db';
import { sandboxCheckoutCompletedEvent, signStripePayload, verifyStripeWebhook, type PaymentEvent } from '@recoup/providers/payments';
import { z } from 'zod';
import { escapeHtml, sendLinkNotWorking, sendPage } from './html-page';
import { csrfField, forbidden, type LinkGuards } from './link-guards';

export interface SandboxPayDeps {
  db: Database;
  guards: LinkGuards;
  stripeMode: 'live' | 'sandbox';
  webhookSecret?: string;
  /** Applies a verified payment event, as the Stripe webhook route does. */
  applyPaymentEvent(event: PaymentEvent, body: unknown): Promise<unknown>;
}

const IdParams = z.object({ link_id: z.string().max(200) });
const SANDBOX_LINK = /^cs_sandbox_[A-Za-z0-9_]{4,100}$/;
const PayForm = z.object({ csrf: z.string().max(64).optional() });

/**
 * The sandbox pay page (live links go to Stripe Checkout): its Pay button sends a signed Stripe-format
 * checkout.session.completed for the link's own amount. The link id is the link's secret (an HMAC, see
 * SandboxPaymentLinks), and Pay is a POST like the other debtor pages: rate limited, same origin, CSRF token.
 */
export function sandboxPayRouter(deps: SandboxPayDeps): ApiRouter {
  const { db, guards } = deps;
  const router = new ApiRouter();
  router.router.get('/pay/done', (_req, res) =>
    sendPage(res, 200, 'Thank you', '<h1>Thank you</h1><p>Your payment is being confirmed.</p>'),
  );
  router.router.get('/pay/cancelled', (_req, res) =>
    sendPage(res, 200, 'Payment cancelled', '<h1>Payment cancelled</h1><p>No payment was taken.</p>'),
  );
  for (const [path, summary, page] of [
    ['/pay/done', 'Where the sandbox pay page (or Stripe Checkout) returns after paying', 'Thank you'],
    ['/pay/cancelled', 'Where the sandbox pay page (or Stripe Checkout) returns when the debtor cancels', 'Payment cancelled'],
  ] as const) {
    router.document({
      method: 'get',
      path,
      operationId: path === '/pay/done' ? 'payDone' : 'payCancelled',
      summary,
      tags: ['debtor-pages'],
      responses: { 200: { description: 'HTML page', schema: z.string(), contentType: 'text/html' } },
      example: { responses: { 200: `<!DOCTYPE html><html><body><h1>${page}</h1></body></html>` } },
    });
  }
  const findLink = async (id: string) => {
    if (!SANDBOX_LINK.test(id) || deps.stripeMode !== 'sandbox') return null;
    const link = await db.paymentLink.findUnique({ where: { externalId: id }, include: { invoice: { select: { reference: true } } } });
    if (!link || link.provider !== 'sandbox') return null;
    // A pay-all link of the debtor portal names every invoice it pays.
    const shares = checkoutAllocations(link.allocations);
    const refs = shares
      ? (
          await db.invoice.findMany({
            where: { id: { in: shares.map((a) => a.invoice_id) }, tenantId: link.tenantId },
            select: { reference: true },
          })
        ).map((i) => i.reference)
      : [link.invoice.reference];
    return { ...link, what: `${refs.length === 1 ? 'Invoice' : 'Invoices'} ${refs.map(escapeHtml).join(', ')}` };
  };

  router.route({
    method: 'get',
    path: '/pay/:link_id',
    summary: 'Sandbox pay page of a payment link (live links go to Stripe Checkout)',
    tags: ['payments'],
    before: [guards.limit('link_id')],
    request: { params: IdParams },
    responses: { 200: { description: 'HTML pay page', contentType: 'text/html' }, 404: { description: 'No such link' } },
    handler: async ({ params }, req, res) => {
      const link = await findLink(params.link_id);
      if (!link) {
        await guards.failed(req);
        return sendLinkNotWorking(res, 404);
      }
      const amount = formatPence(link.amountPence, link.currency);
      if (link.status === 'paid')
        return sendPage(res, 200, 'Paid', `<h1>Paid</h1><p>${link.what}: ${amount} has been paid. Thank you.</p>`);
      const csrf = await guards.issueCsrf(`pay:${link.id}`);
      return sendPage(
        res,
        200,
        'Pay invoice',
        `<h1>Pay ${amount}</h1><p>${link.what}</p><form method="post">${csrfField(csrf)}<button type="submit">Pay ${amount}</button></form><p class="note">Sandbox: no card is charged. Paying sends a signed Stripe-format checkout.session.completed event to the platform.</p>`,
      );
    },
  });
  router.route({
    method: 'post',
    path: '/pay/:link_id',
    summary: 'Sandbox "Pay": emits a signed checkout.session.completed exactly as Stripe would',
    tags: ['payments'],
    before: [guards.limit('link_id'), guards.sameOrigin()],
    request: { params: IdParams, body: PayForm },
    responses: {
      200: { description: 'HTML receipt', contentType: 'text/html' },
      403: { description: 'From another origin, or without the page’s CSRF token' },
      404: { description: 'No such link' },
    },
    handler: async ({ params, body }, req, res) => {
      const link = await findLink(params.link_id);
      if (!link) {
        await guards.failed(req);
        return sendLinkNotWorking(res, 404);
      }
      if (!deps.webhookSecret) throw new HttpProblem(503, 'Service Unavailable', 'STRIPE_WEBHOOK_SECRET is not configured');
      if (link.status !== 'paid') {
        if (!(await guards.checkCsrf(body.csrf, `pay:${link.id}`)))
          return forbidden(res, 'This page has expired or was not sent from our site.');
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
        await deps.applyPaymentEvent(event, JSON.parse(payload));
        req.log?.info({ linkId: link.id }, 'sandbox payment completed');
      }
      return sendPage(res, 200, 'Paid', `<h1>Paid</h1><p>${link.what} — thank you.</p>`);
    },
  });
  return router;
}

import { toMajor } from '@recoup/contracts';
import type { Channel, Database, InvoiceModel } from '@recoup/db';
import { ApiRouter } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import { createRecordedPaymentLink, type PaymentLinks } from '@recoup/providers/payments';
import type { JobProducer } from '@recoup/queue';
import { z } from 'zod';
import { cancelPendingJobs, openInvoiceDispute } from '../collections/collection-jobs';
import { COLLECTABLE } from '../invoices/invoice.mapper';
import { escapeHtml, page } from './html-page';

export interface DebtorLinksDeps {
  db: Database;
  paymentLinks: PaymentLinks;
  producer: JobProducer;
  logger: Logger;
}

/** The notifier's short code: the first 12 hex digits of the invoice id (`xxxxxxxx-xxxx`). */
const CodeParams = z.object({ code: z.string().regex(/^[0-9a-f]{12}$/, 'expected a 12-character link code') });
const PreferencesForm = z.object({
  stop: z.union([z.array(z.enum(['email', 'sms', 'calls', 'letter'])), z.enum(['email', 'sms', 'calls', 'letter'])]).optional(),
  preferred: z.enum(['', 'email', 'sms', 'letter']).optional(),
});
const DisputeForm = z.object({ reason: z.string().max(2000).optional() });

async function invoiceByCode(db: Database, code: string): Promise<InvoiceModel | null> {
  // A primary-key range: every uuid starting with the code's 12 hex digits.
  const prefix = `${code.slice(0, 8)}-${code.slice(8, 12)}`;
  return db.invoice.findFirst({ where: { id: { gte: `${prefix}-0000-0000-000000000000`, lte: `${prefix}-ffff-ffff-ffffffffffff` } } });
}

const money = (inv: InvoiceModel, pence: number) => `${inv.currency === 'GBP' ? '£' : `${inv.currency} `}${toMajor(pence).toFixed(2)}`;
const notFound = () =>
  page('Link not found', '<h1>Link not found</h1><p>This link is not valid. Please contact the company that sent it.</p>');

/**
 * The debtor-facing links every message carries (`NOTIFIER_LINK_BASE_URL` + /p, /d, /c + code,
 * served here): pay (a payment link for the balance, then a redirect to Stripe Checkout or the
 * sandbox pay page), dispute (collection pauses, CONC 7.14), and contact preferences (which
 * channels to stop, which to prefer; CONC 7.9).
 */
export function debtorLinksRouter(deps: DebtorLinksDeps): ApiRouter {
  const { db } = deps;
  const router = new ApiRouter();
  router.route({
    method: 'get',
    path: '/p/:code',
    summary: 'Pay link from a message: creates (or reuses) a payment link for the balance and redirects to it',
    tags: ['debtor links'],
    request: { params: CodeParams },
    responses: {
      302: { description: 'To Stripe Checkout or the sandbox pay page' },
      200: { description: 'Nothing to pay', contentType: 'text/html' },
      404: { description: 'Unknown link' },
    },
    handler: async ({ params }, _req, res) => {
      const invoice = await invoiceByCode(db, params.code);
      if (!invoice) return res.status(404).type('html').send(notFound());
      const balance = invoice.amountPence - invoice.paidPence;
      if (!COLLECTABLE.includes(invoice.status) || balance <= 0) {
        const why =
          invoice.status === 'paid'
            ? 'has been paid in full. Thank you.'
            : invoice.status === 'disputed'
              ? 'is under review after your query; nothing is due while it is.'
              : 'has nothing to pay.';
        return res
          .type('html')
          .send(page('Nothing to pay', `<h1>Nothing to pay</h1><p>Invoice ${escapeHtml(invoice.reference)} ${why}</p>`));
      }
      const [tenant, client] = await Promise.all([
        db.tenant.findUnique({ where: { id: invoice.tenantId }, select: { name: true } }),
        db.client.findUnique({ where: { id: invoice.clientId }, select: { email: true } }),
      ]);
      const link = await createRecordedPaymentLink(db, deps.paymentLinks, {
        tenantId: invoice.tenantId,
        invoiceId: invoice.id,
        amountPence: balance,
        currency: invoice.currency,
        description: `Invoice ${invoice.reference} from ${tenant?.name ?? 'your supplier'}`,
        customerEmail: client?.email,
        idempotencyKey: `link-${invoice.id}-${balance}`,
      });
      return res.redirect(302, link.url);
    },
  });

  router.route({
    method: 'get',
    path: '/d/:code',
    summary: 'Dispute link from a message: a form to query the debt',
    tags: ['debtor links'],
    request: { params: CodeParams },
    responses: { 200: { description: 'Form', contentType: 'text/html' }, 404: { description: 'Unknown link' } },
    handler: async ({ params }, _req, res) => {
      const invoice = await invoiceByCode(db, params.code);
      if (!invoice) return res.status(404).type('html').send(notFound());
      return res.type('html').send(
        page(
          'Query this invoice',
          `<h1>Query invoice ${escapeHtml(invoice.reference)}</h1><p>Amount ${money(invoice, invoice.amountPence)}. If you think this is wrong, tell us why. We will pause collection while we look into it and reply in writing.</p>
<form method="post" action="/d/${params.code}"><p><textarea name="reason" rows="5" cols="50" maxlength="2000"></textarea></p><button type="submit">Send my query</button></form>`,
        ),
      );
    },
  });
  router.route({
    method: 'post',
    path: '/d/:code',
    summary: 'Open a dispute from the debtor: the invoice is disputed and its queued contacts are cancelled',
    tags: ['debtor links'],
    request: { params: CodeParams, body: DisputeForm },
    responses: { 200: { description: 'Acknowledged', contentType: 'text/html' }, 404: { description: 'Unknown link' } },
    handler: async ({ params, body }, req, res) => {
      const invoice = await invoiceByCode(db, params.code);
      if (!invoice) return res.status(404).type('html').send(notFound());
      if (COLLECTABLE.includes(invoice.status)) {
        await openInvoiceDispute(db, deps.producer, invoice, 'disputed by the debtor', deps.logger);
        req.log?.info({ invoiceId: invoice.id, reasonLength: body.reason?.length ?? 0 }, 'debtor opened a dispute');
      }
      return res
        .type('html')
        .send(
          page(
            'Query received',
            `<h1>Query received</h1><p>Thank you. Collection of invoice ${escapeHtml(invoice.reference)} is paused while we look into it; we will reply in writing.</p>`,
          ),
        );
    },
  });

  const CHANNELS: Record<string, Channel[]> = { email: ['email'], sms: ['sms'], calls: ['ai_call', 'ivr_call'], letter: ['letter'] };
  router.route({
    method: 'get',
    path: '/c/:code',
    summary: 'Contact preferences link from a message',
    tags: ['debtor links'],
    request: { params: CodeParams },
    responses: { 200: { description: 'Form', contentType: 'text/html' }, 404: { description: 'Unknown link' } },
    handler: async ({ params }, _req, res) => {
      const invoice = await invoiceByCode(db, params.code);
      if (!invoice) return res.status(404).type('html').send(notFound());
      const client = await db.client.findUnique({ where: { id: invoice.clientId } });
      const stopped = new Set(client?.stoppedChannels ?? []);
      const box = (value: string, label: string) =>
        `<label><input type="checkbox" name="stop" value="${value}"${CHANNELS[value]?.every((c) => stopped.has(c)) ? ' checked' : ''}> ${label}</label><br>`;
      return res.type('html').send(
        page(
          'How we contact you',
          `<h1>How we contact you</h1><form method="post" action="/c/${params.code}"><p>Do not contact me by:</p>${box('email', 'email')}${box('sms', 'text message')}${box('calls', 'phone calls')}${box('letter', 'letter')}
<p><label>I prefer: <select name="preferred"><option value="">no preference</option><option value="email">email</option><option value="sms">text message</option><option value="letter">letter</option></select></label></p><button type="submit">Save</button></form><p class="note">Some letters the law requires may still be sent.</p>`,
        ),
      );
    },
  });
  router.route({
    method: 'post',
    path: '/c/:code',
    summary: 'Save the debtor’s contact preferences (stopped channels, preferred channel)',
    tags: ['debtor links'],
    request: { params: CodeParams, body: PreferencesForm },
    responses: { 200: { description: 'Saved', contentType: 'text/html' }, 404: { description: 'Unknown link' } },
    handler: async ({ params, body }, _req, res) => {
      const invoice = await invoiceByCode(db, params.code);
      if (!invoice) return res.status(404).type('html').send(notFound());
      const stops = body.stop === undefined ? [] : Array.isArray(body.stop) ? body.stop : [body.stop];
      const stoppedChannels = [...new Set(stops.flatMap((s) => CHANNELS[s] ?? []))].sort() as Channel[];
      await db.client.update({
        where: { id: invoice.clientId },
        data: { stoppedChannels, preferredChannel: body.preferred ? body.preferred : null },
      });
      // Queued contacts on a channel the debtor just stopped go too.
      const queued = await db.contactAttempt.findMany({
        where: { clientId: invoice.clientId, status: 'queued', channel: { in: stoppedChannels } },
        select: { invoiceId: true },
      });
      for (const id of new Set(queued.map((q) => q.invoiceId).filter((x): x is string => Boolean(x)))) {
        await cancelPendingJobs(db, deps.producer, id, 'channel stopped by the debtor', deps.logger, stoppedChannels);
      }
      return res
        .type('html')
        .send(page('Preferences saved', '<h1>Preferences saved</h1><p>Thank you. We will contact you only as you asked.</p>'));
    },
  });
  return router;
}

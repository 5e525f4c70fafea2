import type { Request, Response } from 'express';
import {
  CollectionsError,
  isCollectable,
  openDispute,
  quoteInvoiceBalance,
  resolveDebtorLinkToken,
  updateContactPreferences,
  type BalanceQuote,
  type CollectionsDeps,
  type ResolvedDebtorLink,
} from '@recoup/collections';
import type { Channel, Database } from '@recoup/db';
import { ApiRouter } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import { createRecordedPaymentLink, type PaymentLinks } from '@recoup/providers/payments';
import type { JobProducer } from '@recoup/queue';
import { formatPence } from '@recoup/templates';
import { z } from 'zod';
import { debtorPortalRouter } from './debtor-portal.routes';
import { escapeHtml, sendLinkNotWorking, sendPage } from './html-page';
import { csrfField, forbidden, type LinkGuards } from './link-guards';

export interface DebtorLinksDeps {
  db: Database;
  paymentLinks: PaymentLinks;
  producer: JobProducer;
  logger: Logger;
  guards: LinkGuards;
}

const TokenParams = z.object({ token: z.string().max(200) });
/** The links messages carried before tokens: the first 12 hex digits of the invoice id. They no longer open anything. */
const OLD_LINK_CODE = /^[0-9a-f]{12}$/;

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item).max(8));
const GROUPS = ['email', 'sms', 'calls', 'letter'] as const;
type Group = (typeof GROUPS)[number];
const CHANNELS_OF: Record<Group, Channel[]> = { email: ['email'], sms: ['sms'], calls: ['ai_call', 'ivr_call'], letter: ['letter'] };
const LABEL: Record<Group, string> = { email: 'email', sms: 'text message', calls: 'phone calls', letter: 'letter' };

const PreferencesForm = z.object({
  csrf: z.string().max(64).optional(),
  /** Ticked now. */
  stop: oneOrMany(z.enum(GROUPS)),
  /** Ticked when the page was shown: only the difference changes anything. */
  shown: oneOrMany(z.enum(GROUPS)),
  preferred: z.enum(['', 'email', 'sms', 'letter', 'ai_call', 'ivr_call']).optional(),
});
const DisputeForm = z.object({ csrf: z.string().max(64).optional(), reason: z.string().max(2000).optional() });

const quoteOf = (db: Database, link: ResolvedDebtorLink, now = new Date()): Promise<BalanceQuote> =>
  quoteInvoiceBalance(db, link.invoice, now);

const money = (currency: string, pence: number) => formatPence(pence, currency);

/** The balance as every message quotes it: principal, then interest and compensation itemised when claimed. */
function balanceHtml(q: BalanceQuote): string {
  if (q.interestPence === 0 && q.compensationPence === 0) return `<p>Balance: <strong>${money(q.currency, q.totalPence)}</strong>.</p>`;
  return `<p>Balance: <strong>${money(q.currency, q.totalPence)}</strong>: ${money(q.currency, q.principalPence)} unpaid on the invoice, ${money(q.currency, q.interestPence)} statutory interest and ${money(q.currency, q.compensationPence)} fixed compensation (Late Payment of Commercial Debts (Interest) Act 1998), as of ${escapeHtml(q.asOf)}.</p>`;
}

/**
 * The debtor-facing links every message carries (`NOTIFIER_LINK_BASE_URL` + /p, /d, /c + a token minted for that
 * message, served here): pay (a payment link for the quoted balance, then a redirect to Stripe Checkout or the sandbox
 * pay page), query the debt (a dispute: collection pauses, CONC 7.14), and contact preferences (CONC 7.9). A token is
 * a bearer credential, so: rate limits per address and per link, a same-origin check and a CSRF token on each POST,
 * and the token never logged (see redactDebtorLinkUrl).
 */
export function debtorLinksRouter(deps: DebtorLinksDeps): ApiRouter {
  const { db, guards } = deps;
  const core: CollectionsDeps = { db, producer: deps.producer, logger: deps.logger };
  const router = new ApiRouter();

  /** The link, or the not-working page (counted against the address) and null. */
  async function open(req: Request, res: Response, token: string): Promise<ResolvedDebtorLink | null> {
    const link = await resolveDebtorLinkToken(db, token);
    if (link) return link;
    await guards.failed(req);
    sendLinkNotWorking(res, OLD_LINK_CODE.test(token) ? 410 : 404);
    return null;
  }
  /** A form POST's link, once its CSRF token (issued with the form, for this link and page) checks out; else answered. */
  async function openPosted(req: Request, res: Response, token: string, csrf: unknown, page: 'd' | 'c') {
    const link = await open(req, res, token);
    if (!link) return null;
    if (await guards.checkCsrf(csrf, `${page}:${link.linkId}`)) return link;
    forbidden(res, 'This form has expired or was not sent from our page.');
    return null;
  }
  const notWorking = { description: 'Unknown, expired or revoked link, or an old 12-hex link: a page with no invoice data' };
  const limited = { description: 'Too many requests or unknown links from this address (problem+json, Retry-After)' };
  const getGuards = [guards.limit('token')];
  const postGuards = [guards.limit('token'), guards.sameOrigin()];
  const postResponses = (ok: string) => ({
    200: { description: ok, contentType: 'text/html' },
    403: { description: 'From another origin, or without the form’s CSRF token' },
    404: notWorking,
    410: notWorking,
    429: limited,
  });

  router.route({
    method: 'get',
    path: '/p/:token',
    summary: 'Pay link from a message: creates (or reuses) a payment link for the quoted balance and redirects to it',
    tags: ['debtor links'],
    before: getGuards,
    request: { params: TokenParams },
    responses: {
      302: { description: 'To Stripe Checkout or the sandbox pay page' },
      200: { description: 'Nothing to pay', contentType: 'text/html' },
      404: notWorking,
      410: notWorking,
      429: limited,
    },
    handler: async ({ params }, req, res) => {
      const link = await open(req, res, params.token);
      if (!link) return;
      const { invoice } = link;
      const quote = await quoteOf(db, link);
      if (!isCollectable(invoice.status) || quote.totalPence <= 0) {
        const why =
          invoice.status === 'paid'
            ? 'has been paid in full. Thank you.'
            : invoice.status === 'disputed'
              ? 'is under review after your query; nothing is due while it is.'
              : 'has nothing to pay.';
        return sendPage(res, 200, 'Nothing to pay', `<h1>Nothing to pay</h1><p>Invoice ${escapeHtml(invoice.reference)} ${why}</p>`);
      }
      const created = await createRecordedPaymentLink(db, deps.paymentLinks, {
        tenantId: invoice.tenantId,
        invoiceId: invoice.id,
        amountPence: quote.totalPence,
        currency: quote.currency,
        description: `Invoice ${invoice.reference} from ${link.tenant.name}`,
        customerEmail: link.client.email,
        // Per link and amount: the same message's link reuses its payment link; the sandbox derives its id from this.
        idempotencyKey: `debtor-link-${link.tokenHash}-${quote.totalPence}`,
      });
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin' });
      return res.redirect(302, created.url);
    },
  });

  router.route({
    method: 'get',
    path: '/d/:token',
    summary: 'Dispute link from a message: a form to query the debt',
    tags: ['debtor links'],
    before: getGuards,
    request: { params: TokenParams },
    responses: { 200: { description: 'Form', contentType: 'text/html' }, 404: notWorking, 410: notWorking, 429: limited },
    handler: async ({ params }, req, res) => {
      const link = await open(req, res, params.token);
      if (!link) return;
      const csrf = await guards.issueCsrf(`d:${link.linkId}`);
      return sendPage(
        res,
        200,
        'Query this invoice',
        `<h1>Query invoice ${escapeHtml(link.invoice.reference)}</h1>${balanceHtml(await quoteOf(db, link))}<p>If you think this is wrong, tell us why. We will pause collection while we look into it and reply in writing.</p>
<form method="post">${csrfField(csrf)}<p><textarea name="reason" rows="5" cols="50" maxlength="2000"></textarea></p><button type="submit">Send my query</button></form>`,
      );
    },
  });
  router.route({
    method: 'post',
    path: '/d/:token',
    summary: 'Open a dispute from the debtor: the invoice is disputed, its queued contacts are cancelled, and the reference shown',
    tags: ['debtor links'],
    before: postGuards,
    request: { params: TokenParams, body: DisputeForm },
    responses: postResponses('Acknowledged, with the dispute reference'),
    handler: async ({ params, body }, req, res) => {
      const link = await openPosted(req, res, params.token, body.csrf, 'd');
      if (!link) return;
      try {
        const { dispute, created } = await openDispute(core, {
          tenantId: link.invoice.tenantId,
          invoiceId: link.invoice.id,
          source: 'debtor_link',
          reason: body.reason?.trim() || null,
          actor: 'debtor_link',
        });
        if (created) req.log?.info({ invoiceId: link.invoice.id, reasonLength: body.reason?.length ?? 0 }, 'debtor opened a dispute');
        return sendPage(
          res,
          200,
          'Query received',
          `<h1>Query received</h1><p>Thank you. Collection of invoice ${escapeHtml(link.invoice.reference)} is paused while we look into it; we will reply in writing.</p><p>Your reference: <strong>${escapeHtml(dispute.reference)}</strong></p>`,
        );
      } catch (err) {
        if (!(err instanceof CollectionsError) || err.code !== 'conflict') throw err;
        return sendPage(
          res,
          200,
          'Nothing to query',
          `<h1>Nothing to query</h1><p>Invoice ${escapeHtml(link.invoice.reference)} is closed and nothing is being collected. If you still have a question, please contact the company that wrote to you.</p>`,
        );
      }
    },
  });

  router.route({
    method: 'get',
    path: '/c/:token',
    summary: 'Contact preferences link from a message: the current choices, ticked',
    tags: ['debtor links'],
    before: getGuards,
    request: { params: TokenParams },
    responses: { 200: { description: 'Form', contentType: 'text/html' }, 404: notWorking, 410: notWorking, 429: limited },
    handler: async ({ params }, req, res) => {
      const link = await open(req, res, params.token);
      if (!link) return;
      const stopped = new Set(link.client.stoppedChannels);
      const ticked = GROUPS.filter((g) => CHANNELS_OF[g].every((c) => stopped.has(c)));
      const csrf = await guards.issueCsrf(`c:${link.linkId}`);
      const box = (g: Group) =>
        `<label><input type="checkbox" name="stop" value="${g}"${ticked.includes(g) ? ' checked' : ''}> ${LABEL[g]}</label><br>`;
      const current = link.client.preferredChannel;
      const options: Array<[string, string]> = [
        ['', 'no preference'],
        ['email', 'email'],
        ['sms', 'text message'],
        ['letter', 'letter'],
      ];
      if (current === 'ai_call' || current === 'ivr_call') options.push([current, 'phone calls']);
      const select = options.map(([v, l]) => `<option value="${v}"${(current ?? '') === v ? ' selected' : ''}>${l}</option>`).join('');
      return sendPage(
        res,
        200,
        'How we contact you',
        `<h1>How we contact you</h1><form method="post">${csrfField(csrf)}${ticked.map((g) => `<input type="hidden" name="shown" value="${g}">`).join('')}<p>Do not contact me by:</p>${GROUPS.map(box).join('')}
<p><label>I prefer: <select name="preferred">${select}</select></label></p><button type="submit">Save</button></form><p class="note">Some letters the law requires may still be sent.</p>`,
      );
    },
  });
  router.route({
    method: 'post',
    path: '/c/:token',
    summary: 'Save the debtor’s contact preferences: only the channels ticked or unticked change, and the preferred channel',
    tags: ['debtor links'],
    before: postGuards,
    request: { params: TokenParams, body: PreferencesForm },
    responses: postResponses('Saved'),
    handler: async ({ params, body }, req, res) => {
      const link = await openPosted(req, res, params.token, body.csrf, 'c');
      if (!link) return;
      const ticked = new Set(body.stop);
      const shown = new Set(body.shown);
      await updateContactPreferences(core, {
        tenantId: link.invoice.tenantId,
        clientId: link.client.id,
        invoiceId: link.invoice.id,
        stop: GROUPS.filter((g) => ticked.has(g) && !shown.has(g)).flatMap((g) => CHANNELS_OF[g]),
        resume: GROUPS.filter((g) => shown.has(g) && !ticked.has(g)).flatMap((g) => CHANNELS_OF[g]),
        preferredChannel: body.preferred === undefined ? undefined : body.preferred === '' ? null : body.preferred,
        actor: 'debtor_link',
      });
      return sendPage(res, 200, 'Preferences saved', '<h1>Preferences saved</h1><p>Thank you. We will contact you only as you asked.</p>');
    },
  });
  // The debtor portal (/a/{token}): every open invoice of the debtor with this creditor, on the same tokens and guards.
  return debtorPortalRouter(deps, router);
}

import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import {
  COLLECTABLE_STATUSES,
  CollectionsError,
  agreePaymentPlan,
  isoDate,
  londonIsoDate,
  openDispute,
  quoteInvoiceBalance,
  resolveDebtorLinkToken,
  type BalanceQuote,
  type CollectionsDeps,
  type ResolvedDebtorLink,
} from '@recoup/collections';
import type { Database, InvoiceModel } from '@recoup/db';
import { ApiRouter } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import { createRecordedPaymentLink, type PaymentLinks } from '@recoup/providers/payments';
import type { JobProducer } from '@recoup/queue';
import { formatPence, formatUkDate } from '@recoup/templates';
import { z } from 'zod';
import { escapeHtml, sendLinkNotWorking, sendPage } from './html-page';
import { csrfField, forbidden, type LinkGuards } from './link-guards';

export interface DebtorPortalDeps {
  db: Database;
  paymentLinks: PaymentLinks;
  producer: JobProducer;
  logger: Logger;
  guards: LinkGuards;
}

const TokenParams = z.object({ token: z.string().max(200) });
const Csrf = z.string().max(64).optional();
const PayForm = z.object({ csrf: Csrf, invoice_id: z.union([z.literal('all'), z.uuid()]) });
const DisputeForm = z.object({ csrf: Csrf, invoice_id: z.uuid(), reason: z.string().max(2000).optional() });
const PLAN_COUNTS = [2, 3, 4, 6, 9, 12] as const;
const PlanForm = z.object({
  csrf: Csrf,
  invoice_id: z.uuid(),
  instalments: z.coerce
    .number()
    .int()
    .refine((n) => (PLAN_COUNTS as readonly number[]).includes(n), `one of ${PLAN_COUNTS.join(', ')}`),
  first_payment_date: z.iso.date(),
});

const DAY = 86_400_000;
/** How far ahead a proposed plan may start (a plan that starts later is a conversation for the creditor). */
const PLAN_START_MAX_DAYS = 60;

interface OpenInvoice {
  invoice: InvoiceModel;
  quote: BalanceQuote;
}

const money = (q: { currency: string }, pence: number) => formatPence(pence, q.currency);

/**
 * The debtor portal: the debtor link of any message (the same opaque token as /p /d /c, stored hashed) opens a page with
 * every open invoice the debtor owes this creditor, each with the core's one balance (quoteInvoiceBalance), and the
 * actions: pay all (one Stripe Checkout Session whose payment the core applies per invoice at its share), pay one,
 * propose a payment plan (a `proposed` plan for the creditor to accept), or query an invoice (a dispute: its collection
 * stops, CONC 7.14). Server-rendered HTML with plain forms (no script), the same guards as the other debtor pages: rate
 * limits per address and per link, same origin and a CSRF token on every POST, the token never logged.
 */
export function debtorPortalRouter(deps: DebtorPortalDeps, router = new ApiRouter()): ApiRouter {
  const { db, guards } = deps;
  const core: CollectionsDeps = { db, producer: deps.producer, logger: deps.logger };

  async function open(req: Request, res: Response, token: string): Promise<ResolvedDebtorLink | null> {
    const link = await resolveDebtorLinkToken(db, token);
    if (link) return link;
    await guards.failed(req);
    sendLinkNotWorking(res, /^[0-9a-f]{12}$/.test(token) ? 410 : 404);
    return null;
  }
  async function openPosted(req: Request, res: Response, token: string, csrf: unknown): Promise<ResolvedDebtorLink | null> {
    const link = await open(req, res, token);
    if (!link) return null;
    if (await guards.checkCsrf(csrf, `a:${link.linkId}`)) return link;
    forbidden(res, 'This form has expired or was not sent from our page.');
    return null;
  }
  /** The debtor's invoices with this creditor still to settle or under query, oldest due first, each with its quote. */
  async function invoicesOf(link: ResolvedDebtorLink, now = new Date()): Promise<OpenInvoice[]> {
    const rows = await db.invoice.findMany({
      where: { tenantId: link.invoice.tenantId, clientId: link.client.id, status: { in: [...COLLECTABLE_STATUSES, 'disputed'] } },
      orderBy: [{ dueDate: 'asc' }, { reference: 'asc' }],
      take: 200,
    });
    const out: OpenInvoice[] = [];
    for (const invoice of rows) out.push({ invoice, quote: await quoteInvoiceBalance(db, invoice, now) });
    return out.filter((o) => o.invoice.status === 'disputed' || o.quote.totalPence > 0);
  }
  const payable = (all: OpenInvoice[]) => all.filter((o) => o.invoice.status !== 'disputed');

  const notWorking = { description: 'Unknown, expired or revoked link: a page with no invoice data' };
  const limited = { description: 'Too many requests or unknown links from this address (problem+json, Retry-After)' };
  const postGuards = [guards.limit('token'), guards.sameOrigin()];
  const postResponses = (ok: string, extra: Record<number, { description: string }> = {}) => ({
    200: { description: ok, contentType: 'text/html' },
    400: { description: 'A field is missing or malformed (problem+json naming it)' },
    403: { description: 'From another origin, or without the page’s CSRF token' },
    404: notWorking,
    410: notWorking,
    429: limited,
    ...extra,
  });

  router.route({
    method: 'get',
    path: '/a/:token',
    summary: 'Debtor portal: every open invoice the debtor owes this creditor, with its balance, and pay all / pay one / plan / query',
    tags: ['debtor links'],
    before: [guards.limit('token')],
    request: { params: TokenParams },
    responses: { 200: { description: 'The portal page', contentType: 'text/html' }, 404: notWorking, 410: notWorking, 429: limited },
    handler: async ({ params }, req, res) => {
      const link = await open(req, res, params.token);
      if (!link) return;
      const all = await invoicesOf(link);
      const csrf = await guards.issueCsrf(`a:${link.linkId}`);
      return sendPage(res, 200, `Your invoices from ${link.tenant.name}`, portalPage(params.token, link, all, csrf));
    },
  });

  router.route({
    method: 'post',
    path: '/a/:token/pay',
    summary:
      'Pay all open invoices (one Checkout Session, applied per invoice) or one of them: redirects to Stripe Checkout or the sandbox pay page',
    tags: ['debtor links'],
    before: postGuards,
    request: { params: TokenParams, body: PayForm },
    responses: postResponses('Nothing left to pay', { 303: { description: 'To Stripe Checkout or the sandbox pay page' } }),
    handler: async ({ params, body }, req, res) => {
      const link = await openPosted(req, res, params.token, body.csrf);
      if (!link) return;
      const open = payable(await invoicesOf(link));
      const chosen = body.invoice_id === 'all' ? open : open.filter((o) => o.invoice.id === body.invoice_id);
      const first = chosen[0];
      if (!first) return sendPage(res, 200, 'Nothing to pay', `<h1>Nothing to pay</h1><p>${backLink(params.token)}</p>`);
      // One Checkout Session takes one currency: pay all covers the invoices in the first one's (the rest one by one).
      const lines = chosen.filter((o) => o.quote.currency === first.quote.currency);
      const total = lines.reduce((a, o) => a + o.quote.totalPence, 0);
      const fingerprint = createHash('sha256')
        .update(lines.map((o) => `${o.invoice.id}:${o.quote.totalPence}`).join(','))
        .digest('hex')
        .slice(0, 16);
      const created = await createRecordedPaymentLink(db, deps.paymentLinks, {
        tenantId: link.invoice.tenantId,
        invoiceId: first.invoice.id,
        amountPence: total,
        currency: first.quote.currency,
        description:
          lines.length === 1
            ? `Invoice ${first.invoice.reference} from ${link.tenant.name}`
            : `${lines.length} invoices from ${link.tenant.name}`,
        customerEmail: link.client.email,
        // Per link, invoices and amounts: the same choice reuses its payment link (a reload does not make another).
        idempotencyKey: `portal-${link.tokenHash.slice(0, 32)}-${fingerprint}`,
        ...(lines.length > 1
          ? {
              lineItems: lines.map((o) => ({
                invoiceId: o.invoice.id,
                amountPence: o.quote.totalPence,
                description: `Invoice ${o.invoice.reference}`,
              })),
            }
          : {}),
      });
      req.log?.info({ invoices: lines.length, linkId: link.linkId }, 'debtor portal payment started');
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin' });
      return res.redirect(303, created.url);
    },
  });

  router.route({
    method: 'post',
    path: '/a/:token/dispute',
    summary: 'Query one invoice from the portal: it is disputed, its queued contacts are cancelled, and the reference shown',
    tags: ['debtor links'],
    before: postGuards,
    request: { params: TokenParams, body: DisputeForm },
    responses: postResponses('Acknowledged, with the dispute reference'),
    handler: async ({ params, body }, req, res) => {
      const link = await openPosted(req, res, params.token, body.csrf);
      if (!link) return;
      const target = (await invoicesOf(link)).find((o) => o.invoice.id === body.invoice_id);
      if (!target)
        return sendPage(res, 200, 'Nothing to query', `<h1>Nothing to query</h1><p>That invoice is closed. ${backLink(params.token)}</p>`);
      try {
        const { dispute } = await openDispute(core, {
          tenantId: link.invoice.tenantId,
          invoiceId: target.invoice.id,
          source: 'debtor_link',
          reason: body.reason?.trim() || null,
          actor: 'debtor_link',
        });
        return sendPage(
          res,
          200,
          'Query received',
          `<h1>Query received</h1><p>Thank you. Collection of invoice ${escapeHtml(target.invoice.reference)} is paused while we look into it; we will reply in writing.</p><p>Your reference: <strong>${escapeHtml(dispute.reference)}</strong></p><p>${backLink(params.token)}</p>`,
        );
      } catch (err) {
        if (!(err instanceof CollectionsError) || err.code !== 'conflict') throw err;
        return sendPage(res, 200, 'Nothing to query', `<h1>Nothing to query</h1><p>That invoice is closed. ${backLink(params.token)}</p>`);
      }
    },
  });

  router.route({
    method: 'post',
    path: '/a/:token/plan',
    summary: 'Propose a monthly payment plan for one invoice: recorded as a proposed plan for the creditor to accept',
    tags: ['debtor links'],
    before: postGuards,
    request: { params: TokenParams, body: PlanForm },
    responses: postResponses('Proposal received (or the form again with what to change)'),
    handler: async ({ params, body }, req, res) => {
      const link = await openPosted(req, res, params.token, body.csrf);
      if (!link) return;
      const target = payable(await invoicesOf(link)).find((o) => o.invoice.id === body.invoice_id);
      if (!target)
        return sendPage(res, 200, 'Nothing to plan', `<h1>Nothing left to pay on that invoice</h1><p>${backLink(params.token)}</p>`);
      const today = londonIsoDate(new Date());
      const start = Date.parse(`${body.first_payment_date}T00:00:00Z`);
      const days = Math.round((start - Date.parse(`${today}T00:00:00Z`)) / DAY);
      if (days < 1 || days > PLAN_START_MAX_DAYS)
        return sendPage(
          res,
          400,
          'Choose another date',
          `<h1>Choose another first payment date</h1><p role="alert">The first payment must be between tomorrow and ${PLAN_START_MAX_DAYS} days from today.</p><p>${backLink(params.token, '#plan')}</p>`,
        );
      // Over the principal (plans are; claimed charges stay itemised), to the penny: the last instalment takes the rest.
      const balance = target.invoice.amountPence - target.invoice.paidPence;
      const each = Math.floor(balance / body.instalments);
      const installments = Array.from({ length: body.instalments }, (_, n) => ({
        dueDate: addMonths(body.first_payment_date, n),
        amountPence: n === body.instalments - 1 ? balance - each * (body.instalments - 1) : each,
      }));
      if (each <= 0)
        return sendPage(res, 400, 'Too many payments', `<h1>Please choose fewer payments</h1><p>${backLink(params.token, '#plan')}</p>`);
      const { plan, created } = await agreePaymentPlan(core, {
        tenantId: link.invoice.tenantId,
        invoiceId: target.invoice.id,
        installments,
        frequency: 'monthly',
        status: 'proposed',
        source: 'debtor_link',
        actor: 'debtor_link',
      });
      const q = target.quote;
      const lines = plan.installments
        .sort((a, b) => a.sequence - b.sequence)
        .map((i) => `<li>${formatUkDate(isoDate(i.dueDate))}: ${money(q, i.amountPence)}</li>`)
        .join('');
      return sendPage(
        res,
        200,
        created ? 'Proposal received' : 'Plan already in place',
        `<h1>${created ? 'Proposal received' : 'A plan is already in place'}</h1><p>${created ? `Thank you. We have passed your proposal for invoice ${escapeHtml(target.invoice.reference)} to ${escapeHtml(link.tenant.name)}, who will confirm it in writing.` : `Invoice ${escapeHtml(target.invoice.reference)} already has a payment plan.`}</p><ol>${lines}</ol><p>${backLink(params.token)}</p>`,
      );
    },
  });
  return router;
}

function addMonths(iso: string, months: number): Date {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d, last)));
}

const backLink = (token: string, anchor = '') => `<a href="/a/${escapeHtml(token)}${anchor}">Back to your invoices</a>`;

function balanceCell(q: BalanceQuote): string {
  const charges = q.interestPence + q.compensationPence;
  if (charges === 0) return money(q, q.totalPence);
  return `${money(q, q.totalPence)}<br><small>${money(q, q.principalPence)} invoice, ${money(q, q.interestPence)} statutory interest, ${money(q, q.compensationPence)} compensation</small>`;
}

function portalPage(token: string, link: ResolvedDebtorLink, all: OpenInvoice[], csrf: string): string {
  const t = escapeHtml(token);
  const open = all.filter((o) => o.invoice.status !== 'disputed');
  const first = open[0];
  const sameCurrency = first ? open.filter((o) => o.quote.currency === first.quote.currency) : [];
  const total = sameCurrency.reduce((a, o) => a + o.quote.totalPence, 0);
  const asOf = all[0]?.quote.asOf ?? londonIsoDate(new Date());
  const hidden = csrfField(csrf);
  const rows = all
    .map(({ invoice, quote }) => {
      const ref = escapeHtml(invoice.reference);
      const disputed = invoice.status === 'disputed';
      const status = disputed
        ? 'Under query: nothing is due while we look into it'
        : invoice.status === 'partially_paid'
          ? 'Part paid'
          : 'Overdue';
      const action = disputed
        ? ''
        : `<form method="post" action="/a/${t}/pay">${hidden}<input type="hidden" name="invoice_id" value="${invoice.id}"><button type="submit">Pay ${ref} (${money(quote, quote.totalPence)})</button></form>`;
      return `<tr><th scope="row">${ref}</th><td>${formatUkDate(isoDate(invoice.dueDate))}</td><td>${balanceCell(quote)}</td><td>${status}</td><td>${action}</td></tr>`;
    })
    .join('');
  const options = open
    .map((o) => `<option value="${o.invoice.id}">${escapeHtml(o.invoice.reference)} (${money(o.quote, o.quote.totalPence)})</option>`)
    .join('');
  const queryOptions = all
    .filter((o) => o.invoice.status !== 'disputed')
    .map((o) => `<option value="${o.invoice.id}">${escapeHtml(o.invoice.reference)}</option>`)
    .join('');
  const tomorrow = londonIsoDate(new Date(Date.now() + DAY));
  const inAWeek = londonIsoDate(new Date(Date.now() + 7 * DAY));
  const latest = londonIsoDate(new Date(Date.now() + PLAN_START_MAX_DAYS * DAY));
  const name = escapeHtml(link.tenant.name);
  if (all.length === 0)
    return `<main><h1>Nothing to pay to ${name}</h1><p>Thank you: you have no open invoices with ${name}.</p><p><a href="/c/${t}">How we contact you</a></p></main>`;
  return `<main>
<style>table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;font-weight:600;padding-bottom:.4rem}th,td{text-align:left;vertical-align:top;padding:.45rem .4rem;border-bottom:1px solid #ccc}td form{margin:0}button:focus,a:focus,select:focus,input:focus,textarea:focus{outline:3px solid #1a1a1a;outline-offset:2px}label{font-weight:600}</style>
<h1>Your invoices from ${name}</h1>
<p>For ${escapeHtml(link.client.name)}. Balances as of ${formatUkDate(asOf)}.</p>
<table>
<caption>Open invoices</caption>
<thead><tr><th scope="col">Invoice</th><th scope="col">Due date</th><th scope="col">Balance</th><th scope="col">Status</th><th scope="col">Pay</th></tr></thead>
<tbody>${rows}</tbody>
${first ? `<tfoot><tr><th scope="row">Total to pay</th><td></td><td><strong>${money(first.quote, total)}</strong></td><td></td><td></td></tr></tfoot>` : ''}
</table>
${
  sameCurrency.length > 1
    ? `<form method="post" action="/a/${t}/pay">${hidden}<input type="hidden" name="invoice_id" value="all"><p><button type="submit">Pay all ${sameCurrency.length} invoices (${money((first as OpenInvoice).quote, total)})</button></p></form>`
    : ''
}
${
  open.length > 0
    ? `<section aria-labelledby="plan"><h2 id="plan">Propose a payment plan</h2>
<p>If paying in one go is hard, propose monthly payments. ${name} will confirm in writing; free, confidential debt advice is available from MoneyHelper (moneyhelper.org.uk, 0800 138 7777).</p>
<form method="post" action="/a/${t}/plan">${hidden}
<p><label for="plan-invoice">Invoice</label><br><select id="plan-invoice" name="invoice_id">${options}</select></p>
<p><label for="plan-count">Number of monthly payments</label><br><select id="plan-count" name="instalments">${PLAN_COUNTS.map((n) => `<option value="${n}"${n === 3 ? ' selected' : ''}>${n}</option>`).join('')}</select></p>
<p><label for="plan-start">First payment date</label><br><input type="date" id="plan-start" name="first_payment_date" value="${inAWeek}" min="${tomorrow}" max="${latest}" required></p>
<p><button type="submit">Send my proposal</button></p>
</form></section>
<section aria-labelledby="query"><h2 id="query">Query an invoice</h2>
<p>If you think an invoice is wrong, tell us why. We will not ask for payment of it while we look into it, and we will reply in writing.</p>
<form method="post" action="/a/${t}/dispute">${hidden}
<p><label for="query-invoice">Invoice</label><br><select id="query-invoice" name="invoice_id">${queryOptions}</select></p>
<p><label for="query-reason">What is wrong</label><br><textarea id="query-reason" name="reason" rows="4" cols="40" maxlength="2000"></textarea></p>
<p><button type="submit">Send my query</button></p>
</form></section>`
    : ''
}
<p><a href="/c/${t}">How we contact you</a> (choose a channel or ask us to stop).</p>
</main>`;
}

import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
  BalanceResponse,
  CreateInvoiceRequest,
  DisputeRequest,
  InvoiceIdParams,
  InvoiceListResponse,
  InvoiceResponse,
  ListInvoicesQuery,
  ManualPaymentRequest,
  PaymentLinkResponse,
  PaymentResponse,
  ProblemDetails,
  TimelineResponse,
  UpdateInvoiceRequest,
  toMajor,
  toPence,
} from '@recoup/contracts';
import {
  applyPayment,
  cancelInvoice,
  createInvoice,
  isCollectable,
  openDispute,
  resolveDispute,
  updateInvoice,
  writeOffInvoice,
  type CollectionsDeps,
} from '@recoup/collections';
import type { Database, InvoiceModel } from '@recoup/db';
import { ApiRouter, HttpProblem } from '@recoup/http';
import { createRecordedPaymentLink, type PaymentLinks } from '@recoup/providers/payments';
import type { CollectionsScheduler } from '../collections/collections-scheduler';
import { currentTenant } from '../http/tenant-context';
import type { InvoiceReader } from './invoice.repository';
import { balanceOf, invoiceTimeline, listInvoices } from './invoice.queries';
import { dateOnly, invoiceJson, paymentJson } from './invoice.mapper';
import type { Logger } from '@recoup/observability';
import type { Request } from 'express';

export interface InvoicesRouterDeps {
  db: Database;
  guards: RequestHandler[];
  /** Guards of GET /api/invoices/{id}, with prefetchInvoice before the rate limit. */
  readGuards?: RequestHandler[];
  invoices: InvoiceReader;
  /** The collections core's dependencies: every change to an invoice is one of its use cases. */
  collections: CollectionsDeps;
  scheduler: CollectionsScheduler;
  paymentLinks: PaymentLinks;
  logger: Logger;
}

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const TAGS = ['invoices'];
const SECURITY = [{ apiKey: [] }];

/** Who made the change, as the invoice's timeline records it. */
export function actorOf(req: Request): string {
  const auth = req.auth;
  if (!auth) return 'api';
  if (auth.kind === 'admin') return 'admin';
  return auth.via === 'api_key' ? `api_key:${auth.keyId}` : `user:${auth.subject}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Starts reading the tenant's invoice before the rate-limit check so the two round trips overlap
 * on the hottest route. Read-only: a request the limiter then refuses only wasted one SELECT.
 */
export function prefetchInvoice(reader: InvoiceReader): RequestHandler {
  return (req, res, next) => {
    const id = req.params.invoice_id;
    if (req.tenant && typeof id === 'string' && UUID.test(id)) {
      const pending = reader.find(req.tenant.id, id);
      pending.catch(() => undefined); // awaited (and its error surfaced) by the handler, if it runs
      res.locals.invoice = pending;
    }
    next();
  };
}

/** A tenant's invoice or 404: another tenant's invoice is indistinguishable from none. */
export async function invoiceOf(reader: InvoiceReader, tenantId: string, invoiceId: string): Promise<InvoiceModel> {
  const invoice = await reader.find(tenantId, invoiceId);
  if (!invoice) throw HttpProblem.notFound('No such invoice');
  return invoice;
}

export function invoicesRouter(deps: InvoicesRouterDeps): ApiRouter {
  const { db, guards } = deps;
  return new ApiRouter()
    .route({
      method: 'post',
      path: '/api/invoices',
      summary: 'Create an invoice (amount in major units; stored in pence)',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { body: CreateInvoiceRequest },
      responses: {
        201: { description: 'Created', schema: InvoiceResponse },
        400: problem('Invalid fields, each named'),
        404: problem('No such client'),
        409: problem('Reference already used'),
      },
      handler: async ({ body }, req, res) => {
        const invoice = await createInvoice(deps.collections, {
          tenantId: currentTenant(req).id,
          clientId: body.client_id,
          reference: body.invoice_reference,
          amountPence: toPence(body.amount),
          currency: body.currency,
          issueDate: dateOnly(body.issue_date),
          dueDate: dateOnly(body.due_date),
          description: body.description ?? null,
          actor: actorOf(req),
        });
        await deps.scheduler
          .scheduleDueDate(invoice.id, invoice.dueDate)
          .catch((err: Error) => deps.logger.warn({ err: { message: err.message } }, 'could not schedule the due-date scan'));
        res.status(201).location(`/api/invoices/${invoice.id}`).json(invoiceJson(invoice));
      },
    })
    .route({
      method: 'get',
      path: '/api/invoices',
      summary: 'List invoices: filter by status, overdue, client; newest first; cursor pagination',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { query: ListInvoicesQuery },
      responses: { 200: { description: 'A page of invoices', schema: InvoiceListResponse }, 400: problem('Invalid filters') },
      handler: async ({ query }, req, res) => {
        const tenant = currentTenant(req);
        const { page, nextCursor } = await listInvoices(db, tenant.id, query);
        res.json({ data: page.map((i) => invoiceJson(i)), next_cursor: nextCursor });
      },
    })
    .route({
      method: 'get',
      path: '/api/invoices/:invoice_id',
      summary: 'One invoice',
      tags: TAGS,
      security: SECURITY,
      before: deps.readGuards ?? guards,
      request: { params: InvoiceIdParams },
      responses: { 200: { description: 'The invoice', schema: InvoiceResponse }, 404: problem('No such invoice (or another tenant’s)') },
      handler: async ({ params }, req, res) => {
        const prefetched = res.locals.invoice as Promise<InvoiceModel | null> | undefined;
        const invoice = prefetched ? await prefetched : await deps.invoices.find(currentTenant(req).id, params.invoice_id);
        if (!invoice) throw HttpProblem.notFound('No such invoice');
        res.json(invoiceJson(invoice));
      },
    })
    .route({
      method: 'patch',
      path: '/api/invoices/:invoice_id',
      summary: 'Update reference, amount, dates or description; or write the invoice off',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: InvoiceIdParams, body: UpdateInvoiceRequest },
      responses: {
        200: { description: 'Updated', schema: InvoiceResponse },
        400: problem('Invalid fields'),
        404: problem('No such invoice'),
        409: problem('Not changeable in this state'),
      },
      handler: async ({ params, body }, req, res) => {
        const tenantId = currentTenant(req).id;
        const input = { tenantId, invoiceId: params.invoice_id, actor: actorOf(req) };
        let updated = await updateInvoice(deps.collections, {
          ...input,
          reference: body.invoice_reference,
          amountPence: body.amount !== undefined ? toPence(body.amount) : undefined,
          issueDate: body.issue_date ? dateOnly(body.issue_date) : undefined,
          dueDate: body.due_date ? dateOnly(body.due_date) : undefined,
          description: body.description,
        });
        if (body.status === 'written_off') updated = await writeOffInvoice(deps.collections, input);
        if (body.due_date) await deps.scheduler.scheduleDueDate(updated.id, updated.dueDate).catch(() => undefined);
        res.json(invoiceJson(updated));
      },
    })
    .route({
      method: 'post',
      path: '/api/invoices/:invoice_id/cancel',
      summary: 'Cancel an invoice: it leaves collection and its pending jobs are cancelled',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: InvoiceIdParams },
      responses: {
        200: { description: 'Cancelled', schema: InvoiceResponse },
        404: problem('No such invoice'),
        409: problem('Already paid'),
      },
      handler: async ({ params }, req, res) => {
        const invoice = await cancelInvoice(deps.collections, {
          tenantId: currentTenant(req).id,
          invoiceId: params.invoice_id,
          actor: actorOf(req),
        });
        res.json(invoiceJson(invoice));
      },
    })
    .route({
      method: 'post',
      path: '/api/invoices/:invoice_id/payments',
      summary: 'Record a payment received outside Stripe (bank transfer, cash, cheque)',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: InvoiceIdParams, body: ManualPaymentRequest },
      responses: {
        201: { description: 'Recorded', schema: z.object({ payment: PaymentResponse, invoice: InvoiceResponse }) },
        400: problem('Invalid fields'),
        404: problem('No such invoice'),
        409: problem('Nothing owed'),
      },
      handler: async ({ params, body }, req, res) => {
        const tenant = currentTenant(req);
        const invoice = await invoiceOf(deps.invoices, tenant.id, params.invoice_id);
        // Money is real whatever the state, but the creditor's own entry against a closed invoice is a mistake to refuse.
        if (invoice.status === 'cancelled' || invoice.status === 'written_off') throw HttpProblem.conflict(`Invoice is ${invoice.status}`);
        const result = await applyPayment(deps.collections, {
          tenantId: tenant.id,
          invoiceId: invoice.id,
          amountPence: toPence(body.amount),
          currency: body.currency ?? invoice.currency,
          method: body.method,
          externalId: body.reference ? `manual:${tenant.id}:${body.reference}` : null,
          installmentId: body.installment_id ?? null,
          receivedAt: body.received_at ? new Date(body.received_at) : new Date(),
          actor: actorOf(req),
          unknownInstallment: 'reject',
        });
        if (result.outcome === 'duplicate') throw HttpProblem.conflict(`A payment with reference ${body.reference} is already recorded`);
        res.status(201).json({ payment: paymentJson(result.payment), invoice: invoiceJson(result.invoice) });
      },
    })
    .route({
      method: 'post',
      path: '/api/invoices/:invoice_id/dispute',
      summary: 'Open or resolve a dispute: while open, collection stops (CONC 7.14) and pending jobs are cancelled',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: InvoiceIdParams, body: DisputeRequest },
      responses: {
        200: { description: 'Updated', schema: InvoiceResponse },
        404: problem('No such invoice'),
        409: problem('Not disputable'),
      },
      handler: async ({ params, body }, req, res) => {
        const input = { tenantId: currentTenant(req).id, invoiceId: params.invoice_id, actor: actorOf(req) };
        if (body.action === 'open') {
          const { invoice } = await openDispute(deps.collections, { ...input, source: 'creditor', reason: body.reason ?? null });
          return res.json(invoiceJson(invoice));
        }
        return res.json(invoiceJson(await resolveDispute(deps.collections, { ...input, resolution: body.reason ?? null })));
      },
    })
    .route({
      method: 'post',
      path: '/api/invoices/:invoice_id/payment-link',
      summary: 'Create a payment link for the balance (Stripe Checkout, or the sandbox pay page)',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: InvoiceIdParams },
      responses: {
        201: { description: 'Link', schema: PaymentLinkResponse },
        404: problem('No such invoice'),
        409: problem('Nothing owed'),
      },
      handler: async ({ params }, req, res) => {
        const tenant = currentTenant(req);
        const invoice = await invoiceOf(deps.invoices, tenant.id, params.invoice_id);
        if (!isCollectable(invoice.status)) throw HttpProblem.conflict(`Invoice is ${invoice.status}`);
        const { quote, client } = await balanceOf(db, invoice);
        const balance = quote.totalPence;
        const link = await createRecordedPaymentLink(db, deps.paymentLinks, {
          tenantId: tenant.id,
          invoiceId: invoice.id,
          amountPence: balance,
          currency: invoice.currency,
          description: `Invoice ${invoice.reference} from ${tenant.name}`,
          customerEmail: client.email,
          idempotencyKey: `link-${invoice.id}-${balance}`,
        });
        res.status(201).json({
          id: link.id,
          invoice_id: link.invoiceId,
          installment_id: link.installmentId,
          provider: link.provider,
          url: link.url,
          amount: toMajor(link.amountPence),
          currency: link.currency,
          status: link.status,
        });
      },
    })
    .route({
      method: 'get',
      path: '/api/invoices/:invoice_id/balance',
      summary:
        'The balance the debtor is quoted everywhere: principal, plus statutory interest and compensation only where claimed, itemised',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: InvoiceIdParams },
      responses: { 200: { description: 'The itemised balance', schema: BalanceResponse }, 404: problem('No such invoice') },
      handler: async ({ params }, req, res) => {
        const invoice = await invoiceOf(deps.invoices, currentTenant(req).id, params.invoice_id);
        const { quote } = await balanceOf(db, invoice);
        res.json({
          invoice_id: invoice.id,
          currency: quote.currency,
          principal: toMajor(quote.principalPence),
          interest: toMajor(quote.interestPence),
          compensation: toMajor(quote.compensationPence),
          total: toMajor(quote.totalPence),
          credit: toMajor(quote.creditPence),
          as_of: quote.asOf,
        });
      },
    })
    .route({
      method: 'get',
      path: '/api/invoices/:invoice_id/timeline',
      summary: 'Everything that happened to an invoice: contacts (with outcomes), payments, plans, compliance refusals',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: InvoiceIdParams },
      responses: { 200: { description: 'Events, oldest first', schema: TimelineResponse }, 404: problem('No such invoice') },
      handler: async ({ params }, req, res) => {
        const tenant = currentTenant(req);
        const invoice = await invoiceOf(deps.invoices, tenant.id, params.invoice_id);
        const events = await invoiceTimeline(db, tenant.id, invoice);
        res.json({ invoice_id: invoice.id, events: events.map((e) => ({ ...e, at: e.at.toISOString() })) });
      },
    });
}

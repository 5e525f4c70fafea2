import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
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
import type { Database, InvoiceModel, Prisma } from '@recoup/db';
import { ApiRouter, HttpProblem } from '@recoup/http';
import { createRecordedPaymentLink, type PaymentLinks } from '@recoup/providers/payments';
import { cancelPendingJobs, openInvoiceDispute } from '../collections/collection-jobs';
import type { CollectionsScheduler } from '../collections/collections-scheduler';
import { currentTenant } from '../http/tenant-context';
import type { PaymentLedger } from '../payments/payment-ledger';
import type { InvoiceReader } from './invoice.repository';
import { CLOSED, COLLECTABLE, dateOnly, invoiceJson, londonToday, paymentJson, statusForBalance } from './invoice.mapper';
import type { JobProducer } from '@recoup/queue';
import type { Logger } from '@recoup/observability';

export interface InvoicesRouterDeps {
  db: Database;
  guards: RequestHandler[];
  /** Guards of GET /api/invoices/{id}, with prefetchInvoice before the rate limit. */
  readGuards?: RequestHandler[];
  invoices: InvoiceReader;
  ledger: PaymentLedger;
  producer: JobProducer;
  scheduler: CollectionsScheduler;
  paymentLinks: PaymentLinks;
  logger: Logger;
}

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const TAGS = ['invoices'];
const SECURITY = [{ apiKey: [] }];

export function encodeCursor(inv: Pick<InvoiceModel, 'createdAt' | 'id'>): string {
  return Buffer.from(`${inv.createdAt.toISOString()}|${inv.id}`).toString('base64url');
}
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) {
    throw HttpProblem.badRequest('cursor: not a cursor this API issued', [
      { field: 'query.cursor', pointer: '/cursor', detail: 'invalid cursor' },
    ]);
  }
  return { createdAt, id };
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
        const tenant = currentTenant(req);
        const client = await db.client.findFirst({ where: { id: body.client_id, tenantId: tenant.id }, select: { id: true } });
        if (!client)
          throw new HttpProblem(404, 'Not Found', 'No such client', {
            errors: [{ field: 'body.client_id', pointer: '/client_id', detail: 'no such client' }],
          });
        const dueDate = dateOnly(body.due_date);
        try {
          const invoice = await db.invoice.create({
            data: {
              tenantId: tenant.id,
              clientId: client.id,
              reference: body.invoice_reference,
              amountPence: toPence(body.amount),
              currency: body.currency,
              issueDate: dateOnly(body.issue_date),
              dueDate,
              description: body.description ?? null,
              status: dueDate.getTime() < londonToday().getTime() ? 'overdue' : 'open',
            },
          });
          await deps.scheduler
            .scheduleDueDate(invoice.id, dueDate)
            .catch((err: Error) => deps.logger.warn({ err: { message: err.message } }, 'could not schedule the due-date scan'));
          res.status(201).location(`/api/invoices/${invoice.id}`).json(invoiceJson(invoice));
        } catch (err) {
          if ((err as { code?: string }).code === 'P2002') {
            throw new HttpProblem(409, 'Conflict', `Invoice reference ${body.invoice_reference} already exists`, {
              errors: [{ field: 'body.invoice_reference', pointer: '/invoice_reference', detail: 'already used' }],
            });
          }
          throw err;
        }
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
        const today = londonToday();
        const and: Prisma.InvoiceWhereInput[] = [{ tenantId: tenant.id }];
        if (query.client_id) and.push({ clientId: query.client_id });
        if (query.status === 'overdue') and.push({ OR: [{ status: 'overdue' }, { status: 'open', dueDate: { lt: today } }] });
        else if (query.status === 'open') and.push({ status: 'open', dueDate: { gte: today } });
        else if (query.status) and.push({ status: query.status });
        if (query.overdue === true) and.push({ status: { in: [...COLLECTABLE] }, dueDate: { lt: today } });
        if (query.overdue === false) and.push({ NOT: { status: { in: [...COLLECTABLE] }, dueDate: { lt: today } } });
        if (query.cursor) {
          const c = decodeCursor(query.cursor);
          and.push({ OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] });
        }
        const rows = await db.invoice.findMany({
          where: { AND: and },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        const last = page[page.length - 1];
        res.json({ data: page.map((i) => invoiceJson(i)), next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null });
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
        const tenant = currentTenant(req);
        const invoice = await invoiceOf(deps.invoices, tenant.id, params.invoice_id);
        if (CLOSED.includes(invoice.status)) throw HttpProblem.conflict(`Invoice is ${invoice.status} and can no longer change`);
        const amountPence = body.amount !== undefined ? toPence(body.amount) : invoice.amountPence;
        if (amountPence < invoice.paidPence) {
          throw new HttpProblem(400, 'Bad Request', 'amount is below what has been paid', {
            errors: [
              { field: 'body.amount', pointer: '/amount', detail: `at least ${toMajor(invoice.paidPence).toFixed(2)} has been paid` },
            ],
          });
        }
        const issueDate = body.issue_date ? dateOnly(body.issue_date) : invoice.issueDate;
        const dueDate = body.due_date ? dateOnly(body.due_date) : invoice.dueDate;
        if (dueDate < issueDate)
          throw new HttpProblem(400, 'Bad Request', 'due_date must not be before issue_date', {
            errors: [{ field: 'body.due_date', pointer: '/due_date', detail: 'before issue_date' }],
          });
        const next = { ...invoice, amountPence, dueDate };
        const status = body.status === 'written_off' ? 'written_off' : statusForBalance(next, invoice.paidPence);
        try {
          const updated = await db.invoice.update({
            where: { id: invoice.id },
            data: {
              ...(body.invoice_reference ? { reference: body.invoice_reference } : {}),
              ...(body.description !== undefined ? { description: body.description } : {}),
              amountPence,
              issueDate,
              dueDate,
              status,
            },
          });
          if (!COLLECTABLE.includes(updated.status))
            await cancelPendingJobs(db, deps.producer, invoice.id, `invoice ${updated.status}`, deps.logger);
          if (body.due_date) await deps.scheduler.scheduleDueDate(invoice.id, dueDate).catch(() => undefined);
          res.json(invoiceJson(updated));
        } catch (err) {
          if ((err as { code?: string }).code === 'P2002')
            throw new HttpProblem(409, 'Conflict', 'Invoice reference already exists', {
              errors: [{ field: 'body.invoice_reference', pointer: '/invoice_reference', detail: 'already used' }],
            });
          throw err;
        }
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
        const invoice = await invoiceOf(deps.invoices, currentTenant(req).id, params.invoice_id);
        if (invoice.status === 'cancelled') return res.json(invoiceJson(invoice));
        if (invoice.status === 'paid') throw HttpProblem.conflict('A paid invoice cannot be cancelled');
        const updated = await db.invoice.update({
          where: { id: invoice.id },
          data: { status: 'cancelled', cancelledAt: new Date(), nextActionAt: null },
        });
        await db.paymentPlan.updateMany({
          where: { invoiceId: invoice.id, status: { in: ['proposed', 'active'] } },
          data: { status: 'cancelled' },
        });
        await cancelPendingJobs(db, deps.producer, invoice.id, 'invoice cancelled', deps.logger);
        return res.json(invoiceJson(updated));
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
        if (invoice.status === 'cancelled' || invoice.status === 'written_off') throw HttpProblem.conflict(`Invoice is ${invoice.status}`);
        const amountPence = toPence(body.amount);
        const balance = invoice.amountPence - invoice.paidPence;
        if (amountPence > balance) {
          throw new HttpProblem(400, 'Bad Request', `amount exceeds the balance of ${toMajor(balance).toFixed(2)}`, {
            errors: [{ field: 'body.amount', pointer: '/amount', detail: `at most ${toMajor(balance).toFixed(2)}` }],
          });
        }
        const result = await deps.ledger.recordPayment({
          tenantId: tenant.id,
          invoiceId: invoice.id,
          amountPence,
          method: body.method,
          externalId: body.reference ? `manual:${tenant.id}:${body.reference}` : null,
          installmentId: body.installment_id ?? null,
          receivedAt: body.received_at ? new Date(body.received_at) : new Date(),
        });
        if (result.outcome === 'invoice_not_found') throw HttpProblem.notFound('No such invoice');
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
        const invoice = await invoiceOf(deps.invoices, currentTenant(req).id, params.invoice_id);
        const now = new Date();
        if (body.action === 'open') {
          if (CLOSED.includes(invoice.status)) throw HttpProblem.conflict(`Invoice is ${invoice.status}`);
          return res.json(invoiceJson(await openInvoiceDispute(db, deps.producer, invoice, 'invoice disputed', deps.logger)));
        }
        if (invoice.status !== 'disputed') throw HttpProblem.conflict('Invoice is not disputed');
        const status = statusForBalance({ ...invoice, status: 'open' }, invoice.paidPence);
        const updated = await db.invoice.update({ where: { id: invoice.id }, data: { status, nextActionAt: now } });
        const stillDisputed = await db.invoice.count({ where: { clientId: invoice.clientId, status: 'disputed' } });
        if (stillDisputed === 0) await db.client.update({ where: { id: invoice.clientId }, data: { disputeResolvedAt: now } });
        return res.json(invoiceJson(updated));
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
        if (!COLLECTABLE.includes(invoice.status)) throw HttpProblem.conflict(`Invoice is ${invoice.status}`);
        const balance = invoice.amountPence - invoice.paidPence;
        const client = await db.client.findUnique({ where: { id: invoice.clientId }, select: { email: true } });
        const link = await createRecordedPaymentLink(db, deps.paymentLinks, {
          tenantId: tenant.id,
          invoiceId: invoice.id,
          amountPence: balance,
          currency: invoice.currency,
          description: `Invoice ${invoice.reference} from ${tenant.name}`,
          customerEmail: client?.email,
          idempotencyKey: `link-${invoice.id}-${balance}`,
        });
        res
          .status(201)
          .json({
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
        const [attempts, payments, plans, refusals] = await Promise.all([
          db.contactAttempt.findMany({
            where: { invoiceId: invoice.id, tenantId: tenant.id },
            include: { events: { orderBy: { occurredAt: 'asc' } } },
            orderBy: { createdAt: 'asc' },
            take: 500,
          }),
          db.payment.findMany({ where: { invoiceId: invoice.id, tenantId: tenant.id }, orderBy: { receivedAt: 'asc' } }),
          db.paymentPlan.findMany({ where: { invoiceId: invoice.id, tenantId: tenant.id }, orderBy: { createdAt: 'asc' } }),
          db.complianceAudit.findMany({
            where: { invoiceId: invoice.id, tenantId: tenant.id, allowed: false },
            orderBy: { evaluatedAt: 'asc' },
            take: 200,
          }),
        ]);
        const events = [
          {
            at: invoice.createdAt,
            type: 'invoice_created',
            channel: null,
            status: null,
            detail: { amount: toMajor(invoice.amountPence), due_date: invoice.dueDate.toISOString().slice(0, 10) },
          },
          ...attempts.flatMap((a) => [
            {
              at: a.createdAt,
              type: 'contact_queued',
              channel: a.channel,
              status: a.status,
              detail: {
                contact_attempt_id: a.id,
                template_id: a.templateId,
                purpose: a.purpose,
                scheduled_for: a.scheduledFor?.toISOString() ?? null,
                failure_reason: a.failureReason,
              },
            },
            ...a.events.map((e) => ({
              at: e.occurredAt,
              type: `contact_${e.type}`,
              channel: a.channel,
              status: e.type,
              detail: { contact_attempt_id: a.id, provider: e.provider },
            })),
          ]),
          ...payments.map((p) => ({
            at: p.receivedAt,
            type: 'payment',
            channel: null,
            status: p.status,
            detail: { amount: toMajor(p.amountPence), refunded: toMajor(p.refundedPence), method: p.method },
          })),
          ...plans.map((p) => ({
            at: p.createdAt,
            type: 'payment_plan',
            channel: null,
            status: p.status,
            detail: { payment_plan_id: p.id, total: toMajor(p.totalPence), installments: p.installmentCount },
          })),
          ...refusals.map((r) => ({
            at: r.evaluatedAt,
            type: 'contact_refused',
            channel: r.channel,
            status: 'blocked',
            detail: { purpose: r.purpose, reasons: r.reasons, next_allowed_at: r.nextAllowedAt?.toISOString() ?? null },
          })),
          ...(invoice.cancelledAt
            ? [{ at: invoice.cancelledAt, type: 'invoice_cancelled', channel: null, status: 'cancelled', detail: {} }]
            : []),
        ].sort((a, b) => a.at.getTime() - b.at.getTime());
        res.json({ invoice_id: invoice.id, events: events.map((e) => ({ ...e, at: e.at.toISOString() })) });
      },
    });
}

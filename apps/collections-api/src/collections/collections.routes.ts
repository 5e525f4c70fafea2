import type { RequestHandler } from 'express';
import {
  CreatePaymentPlanRequest,
  EscalateRequest,
  EscalateResponse,
  InvoiceIdParams,
  PaymentPlanResponse,
  ProblemDetails,
  StrategyResponse,
} from '@recoup/contracts';
import type { Database } from '@recoup/db';
import { ApiRouter, HttpProblem } from '@recoup/http';
import { idempotencyKey, type IdempotencyStore } from '@recoup/idempotency';
import { z } from 'zod';
import { currentTenant } from '../http/tenant-context';
import type { InvoiceReader } from '../invoices/invoice.repository';
import { invoiceOf } from '../invoices/invoices.routes';
import { planJson, type PaymentPlanService } from '../payments/payment-plan.service';
import { isQueued, stageForLevel, type EscalationResult, type EscalationService, type QueuedEscalation } from './escalation.service';
import type { CollectionsPipeline } from './collections-pipeline';
import type { StrategyService } from './strategy.service';

const ScanCounts = z
  .object({
    escalated: z.number().int(),
    not_due: z.number().int(),
    left: z.number().int(),
    on_plan: z.number().int(),
    blocked: z.number().int(),
    limited: z.number().int(),
    done: z.number().int(),
  })
  .meta({ id: 'CollectionsRunCounts' });
const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const SECURITY = [{ apiKey: [] }];

export interface CollectionsRouterDeps {
  db: Database;
  guards: RequestHandler[];
  invoices: InvoiceReader;
  strategy: StrategyService;
  escalation: EscalationService;
  plans: PaymentPlanService;
  idempotency: IdempotencyStore;
  pipeline: Pick<CollectionsPipeline, 'scanAll'>;
}

/** An escalation that queued nothing, as the public API answers it. */
function problemOf(result: Exclude<EscalationResult, QueuedEscalation>): HttpProblem {
  switch (result.outcome) {
    case 'not_collectable':
      return new HttpProblem(409, 'Conflict', `Invoice is ${result.status}: nothing to collect`, {
        type: 'https://recoup.dev/problems/invoice-not-collectable',
      });
    case 'refused_by_compliance':
      return new HttpProblem(422, 'Unprocessable Content', `Contact not allowed: ${result.reasons.map((d) => d.code).join(', ')}`, {
        type: 'https://recoup.dev/problems/compliance-blocked',
        reasons: result.reasons,
        audit_id: result.auditId,
      });
    case 'rate_limited':
      return new HttpProblem(429, 'Too Many Requests', result.message, {
        type: 'https://recoup.dev/problems/tier-limit',
        ...(result.retryAfterSeconds ? { headers: { 'Retry-After': String(result.retryAfterSeconds) } } : {}),
      });
    case 'queue_unavailable':
      return new HttpProblem(503, 'Service Unavailable', 'The job queue is unavailable; retry later', { headers: { 'Retry-After': '5' } });
  }
}

function actorOf(req: Parameters<RequestHandler>[0]): string {
  const auth = req.auth;
  if (auth?.kind !== 'tenant') return 'admin';
  return auth.via === 'api_key' ? `api_key:${auth.keyId}` : `user:${auth.subject}`;
}

export function collectionsRouter(deps: CollectionsRouterDeps): ApiRouter {
  const { db, guards } = deps;
  const idempotent = idempotencyKey({ store: deps.idempotency, scope: (req) => req.tenant?.id });
  return new ApiRouter()
    .route({
      method: 'get',
      path: '/api/collections/strategy/:invoice_id',
      summary: 'Payment probability, band, recommended next action and channel, and the earliest compliant time',
      description:
        'Asks the prediction service (PREDICTION_URL, PREDICTION_TIMEOUT_MS); when it is down or slow a rules-based estimate answers with `source: "fallback"`.',
      tags: ['collections'],
      security: SECURITY,
      before: guards,
      request: { params: InvoiceIdParams },
      responses: { 200: { description: 'Strategy', schema: StrategyResponse }, 404: problem('No such invoice') },
      handler: async ({ params }, req, res) => {
        const tenant = currentTenant(req);
        const invoice = await invoiceOf(deps.invoices, tenant.id, params.invoice_id);
        const client = await db.client.findUniqueOrThrow({ where: { id: invoice.clientId } });
        const { stage: _stage, ...strategy } = await deps.strategy.strategy(invoice, client, tenant, actorOf(req));
        res.json(strategy);
      },
    })
    .route({
      method: 'post',
      path: '/api/collections/escalate',
      summary: 'Trigger an email, SMS, AI call or letter on an invoice now (compliance and tier limits first); 202 with the job id',
      description:
        'Honours `Idempotency-Key`: a retry with the same key and body gets the same answer and queues nothing new. A contact the rules allow only later is queued for the earliest compliant time.',
      tags: ['collections'],
      security: SECURITY,
      before: [...guards, idempotent],
      request: { body: EscalateRequest },
      responses: {
        202: { description: 'Queued', schema: EscalateResponse },
        404: problem('No such invoice'),
        409: problem('Invoice not collectable (paid, disputed, cancelled)'),
        422: problem('The compliance engine refuses this contact (reasons listed)'),
        429: problem('Tier limit reached'),
        503: problem('The job queue is unavailable; retry with the same Idempotency-Key'),
      },
      handler: async ({ body }, req, res) => {
        const tenant = currentTenant(req);
        const invoice = await invoiceOf(deps.invoices, tenant.id, body.invoice_id);
        const client = await db.client.findUniqueOrThrow({ where: { id: invoice.clientId } });
        const stage = body.stage ?? stageForLevel(invoice.collectionStage);
        const key = req.get('idempotency-key');
        const result = await deps.escalation.escalate({
          tenant,
          invoice,
          client,
          action: body.action,
          stage,
          actor: actorOf(req),
          initiatedBy: 'human',
          key,
        });
        if (!isQueued(result)) throw problemOf(result);
        res.status(202).json({
          job_id: result.jobId,
          queue: result.queue,
          status: 'queued',
          contact_attempt_id: result.contactAttemptId,
          scheduled_for: result.scheduledFor.toISOString(),
        });
      },
    })
    .route({
      method: 'post',
      path: '/api/collections/run',
      summary: 'Run the automatic collections pipeline now for this tenant’s due invoices (as the daily scan does)',
      description:
        'Each due invoice moves one stage within compliance and tier limits; a debtor’s reminders due on one channel go out as one statement unless the tenant’s `reminder_grouping` is `per_invoice`. Answers the counts per outcome.',
      tags: ['collections'],
      security: SECURITY,
      before: [...guards, idempotent],
      responses: { 200: { description: 'Counts per outcome', schema: ScanCounts } },
      handler: async (_input, req, res) => {
        const tenant = currentTenant(req);
        res.json(await deps.pipeline.scanAll(new Date(), { tenantId: tenant.id }));
      },
    })
    .route({
      method: 'post',
      path: '/api/payment-plans',
      summary: 'Agree a payment plan: instalments add up to the balance, follow the frequency, and stay affordable',
      tags: ['payment-plans'],
      security: SECURITY,
      before: [...guards, idempotent],
      request: { body: CreatePaymentPlanRequest },
      responses: {
        201: { description: 'Created; reminders scheduled', schema: PaymentPlanResponse },
        400: problem('Invalid fields, each named'),
        404: problem('No such invoice'),
        409: problem('Nothing owed, or a plan exists'),
        422: problem('Above what the debtor can afford'),
      },
      handler: async ({ body }, req, res) => {
        const plan = await deps.plans.create(currentTenant(req), body);
        res.status(201).location(`/api/payment-plans/${plan.id}`).json(planJson(plan));
      },
    })
    .route({
      method: 'get',
      path: '/api/payment-plans/:plan_id',
      summary: 'A payment plan and its instalments',
      tags: ['payment-plans'],
      security: SECURITY,
      before: guards,
      request: { params: z.object({ plan_id: z.uuid() }) },
      responses: { 200: { description: 'The plan', schema: PaymentPlanResponse }, 404: problem('No such plan') },
      handler: async ({ params }, req, res) => {
        const plan = await db.paymentPlan.findFirst({
          where: { id: params.plan_id, tenantId: currentTenant(req).id },
          include: { installments: true },
        });
        if (!plan) throw HttpProblem.notFound('No such payment plan');
        res.json(planJson(plan));
      },
    });
}

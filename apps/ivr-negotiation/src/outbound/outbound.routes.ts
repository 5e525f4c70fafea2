import { londonIsoDate } from '@recoup/collections';
import express, { type Request, type RequestHandler } from 'express';
import { parse } from 'csv-parse/sync';
import {
  BatchIvrCallsRequest,
  BatchIvrCallsResponse,
  OutboundIvrCallRequest,
  OutboundIvrCallResult,
  ProblemDetails,
} from '@recoup/contracts';
import { ApiRouter, HttpProblem } from '@recoup/http';
import type { OutboundCallService } from './outbound.service';

const problem = { schema: ProblemDetails, contentType: 'application/problem+json' };

function tenantFor(req: Request, given?: string): string {
  const auth = req.auth;
  if (auth?.kind === 'tenant') {
    if (given && given !== auth.tenantId) throw HttpProblem.forbidden('A tenant key may only call its own debtors');
    return auth.tenantId;
  }
  if (auth?.kind === 'admin') {
    if (!given)
      throw HttpProblem.badRequest('tenant_id is required with the admin key', [
        { field: 'body.tenant_id', pointer: '/tenant_id', detail: 'required with the admin key' },
      ]);
    return given;
  }
  throw HttpProblem.unauthorized();
}
const who = (req: Request) =>
  req.auth?.kind === 'tenant' ? `tenant-key:${req.auth.via === 'api_key' ? req.auth.keyId : req.auth.subject}` : 'admin';

/** A text/csv body (header row: client_id,invoice_id[,tenant_id]) becomes `{ calls: [...] }`. */
const csvBody: RequestHandler[] = [
  express.text({ type: ['text/csv', 'application/csv'], limit: '1mb' }),
  (req, _res, next) => {
    if (typeof req.body !== 'string') return next();
    try {
      const records = parse(req.body, {
        columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
        skip_empty_lines: true,
        trim: true,
      }) as Array<Record<string, string>>;
      const q = req.query as Record<string, string | undefined>;
      req.body = {
        calls: records.map((r) => ({
          client_id: r.client_id,
          invoice_id: r.invoice_id,
          ...(r.tenant_id ? { tenant_id: r.tenant_id } : {}),
        })),
        ...(q.tenant_id ? { tenant_id: q.tenant_id } : {}),
        ...(q.campaign_id ? { campaign_id: q.campaign_id } : {}),
      };
      next();
    } catch (err) {
      next(
        HttpProblem.badRequest(`CSV could not be read: ${(err as Error).message}`, [
          { field: 'body', pointer: '/', detail: 'invalid CSV' },
        ]),
      );
    }
  },
];

export function outboundRouter(service: OutboundCallService, auth: RequestHandler[]): ApiRouter {
  return new ApiRouter()
    .route({
      method: 'post',
      path: '/api/calls/outbound',
      summary: 'Queues one IVR payment-plan call (compliance engine and tier limits first)',
      tags: ['outbound'],
      security: [{ bearerAuth: [] }],
      before: auth,
      request: { body: OutboundIvrCallRequest },
      responses: {
        202: { description: 'Queued now, or scheduled for when the rules allow it (scheduled_for)', schema: OutboundIvrCallResult },
        400: { description: 'Invalid fields, named', ...problem },
        404: { description: 'No such invoice for this client and tenant', ...problem },
        422: { description: 'Refused by the compliance engine or the tier limits (reasons)', ...problem },
        429: { description: "A tier limit is used up: the tenant's api_calls (RateLimit headers, Retry-After) or its calls", ...problem },
      },
      handler: async ({ body }, req, res) => {
        const tenantId = tenantFor(req, body.tenant_id);
        const result = await service.request({
          tenantId,
          clientId: body.client_id,
          invoiceId: body.invoice_id,
          campaignId: body.campaign_id ?? `adhoc-${londonIsoDate()}`,
          requestedBy: who(req),
        });
        if (result.outcome === 'refused') {
          if (result.reasons[0]?.code === 'NOT_FOUND') throw HttpProblem.notFound(result.reasons[0].message);
          throw new HttpProblem(
            result.reasons[0]?.code === 'TIER_LIMIT_REACHED' ? 429 : 422,
            result.reasons[0]?.code === 'TIER_LIMIT_REACHED' ? 'Too Many Requests' : 'Unprocessable Content',
            result.reasons.map((r) => r.message).join('; '),
            { reasons: result.reasons },
          );
        }
        res.status(202).json(result);
      },
    })
    .route({
      method: 'post',
      path: '/api/calls/batch',
      summary:
        'Queues a campaign of IVR calls from JSON ({calls: [...]}) or CSV (text/csv, header client_id,invoice_id); each passes compliance and tier limits',
      tags: ['outbound'],
      security: [{ bearerAuth: [] }],
      before: [...auth, ...csvBody],
      request: { body: BatchIvrCallsRequest },
      responses: {
        200: { description: 'One result per row, in order', schema: BatchIvrCallsResponse },
        400: { description: 'Invalid rows, named (body.calls.<index>.<field>)', ...problem },
        429: { description: "The tenant's api_calls limit is used up (RateLimit headers, Retry-After)", ...problem },
      },
      handler: async ({ body }, req, res) => {
        const campaignId = body.campaign_id ?? `batch-${Date.now().toString(36)}`;
        // Every row's tenant is settled before anything is queued: a bad row refuses the whole batch.
        const rows = body.calls.map((call) => ({ call, tenantId: tenantFor(req, call.tenant_id ?? body.tenant_id) }));
        const results: OutboundIvrCallResult[] = [];
        // In order, one at a time: each decision sees the attempts (and limits) the previous rows used.
        for (const { call, tenantId } of rows) {
          results.push(
            await service.request({ tenantId, clientId: call.client_id, invoiceId: call.invoice_id, campaignId, requestedBy: who(req) }),
          );
        }
        const count = (o: string) => results.filter((r) => r.outcome === o).length;
        res.json({
          campaign_id: campaignId,
          queued: count('queued'),
          scheduled: count('scheduled'),
          refused: count('refused'),
          results,
        } satisfies BatchIvrCallsResponse);
      },
    });
}

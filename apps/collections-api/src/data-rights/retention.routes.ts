import type { RequestHandler } from 'express';
import { z } from 'zod';
import { RETENTION_DEFAULTS, readRetentionPolicy, setRetentionPolicy, type ResolvedRetentionPolicy } from '@recoup/collections';
import {
  ProblemDetails,
  RetentionOverrides,
  RetentionPolicyResponse,
  RunRetentionRequest,
  RunRetentionResponse,
  type RetentionPolicyResponse as PolicyJson,
} from '@recoup/contracts';
import type { Database } from '@recoup/db';
import { ApiRouter, HttpProblem } from '@recoup/http';
import { currentTenant } from '../http/tenant-context';
import type { RetentionRunner } from './retention-scheduler';

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const TenantParams = z.object({ tenant_id: z.uuid() });
const DESCRIPTION =
  'Retention periods in days. Omitted fields take the documented defaults (financial and contact records 6 years, recordings 90 days, transcripts 1 year; `defaults` lists each with its source). PUT replaces the overrides.';

const json = (tenantId: string, p: ResolvedRetentionPolicy): PolicyJson => ({
  tenant_id: tenantId,
  periods: p.periods,
  overrides: p.overrides,
  defaults: RETENTION_DEFAULTS.map((d) => ({ kind: d.kind, days: d.days, why: d.why, sources: [...d.sources] })),
});

/**
 * Retention: a tenant reads and sets its own periods; the operator does it for any tenant and can run the job now
 * (it also runs daily on RETENTION_CRON).
 */
export function retentionRouter(deps: {
  db: Database;
  guards: RequestHandler[];
  adminGuard: RequestHandler;
  runner: RetentionRunner;
}): ApiRouter {
  const collections = { db: deps.db };
  const tenantExists = async (id: string) => {
    if (!(await deps.db.tenant.findUnique({ where: { id }, select: { id: true } }))) throw HttpProblem.notFound('No such tenant');
  };
  const tenantResponses = { 400: problem('Invalid period, named'), 401: problem('No credential'), 403: problem('Not a tenant credential') };
  const adminResponses = { 401: problem('No admin key'), 403: problem('Not the admin key'), 404: problem('No such tenant') };
  return new ApiRouter()
    .route({
      method: 'get',
      path: '/api/retention-policy',
      summary: "The tenant's retention periods, its overrides and the defaults with their sources",
      description: DESCRIPTION,
      tags: ['data rights'],
      security: [{ bearerAuth: [] }],
      before: deps.guards,
      responses: { 200: { description: 'The policy in force', schema: RetentionPolicyResponse }, ...tenantResponses },
      handler: async (_input, req, res) => {
        const tenant = currentTenant(req);
        res.json(json(tenant.id, await readRetentionPolicy(collections, tenant.id)));
      },
    })
    .route({
      method: 'put',
      path: '/api/retention-policy',
      summary: "Sets the tenant's retention overrides (an omitted field goes back to its default)",
      description: DESCRIPTION,
      tags: ['data rights'],
      security: [{ bearerAuth: [] }],
      before: deps.guards,
      request: { body: RetentionOverrides },
      responses: { 200: { description: 'The policy now in force', schema: RetentionPolicyResponse }, ...tenantResponses },
      handler: async ({ body }, req, res) => {
        const tenant = currentTenant(req);
        const actor = req.auth?.kind === 'tenant' && req.auth.via === 'api_key' ? `api:${req.auth.keyId}` : 'tenant';
        res.json(json(tenant.id, await setRetentionPolicy(collections, { tenantId: tenant.id, overrides: body, actor })));
      },
    })
    .route({
      method: 'get',
      path: '/api/admin/tenants/:tenant_id/retention-policy',
      summary: "A tenant's retention periods (operator)",
      tags: ['admin', 'data rights'],
      security: [{ apiKey: [] }],
      before: [deps.adminGuard],
      request: { params: TenantParams },
      responses: { 200: { description: 'The policy in force', schema: RetentionPolicyResponse }, ...adminResponses },
      handler: async ({ params }, _req, res) => {
        await tenantExists(params.tenant_id);
        res.json(json(params.tenant_id, await readRetentionPolicy(collections, params.tenant_id)));
      },
    })
    .route({
      method: 'put',
      path: '/api/admin/tenants/:tenant_id/retention-policy',
      summary: "Sets a tenant's retention overrides (operator)",
      description: DESCRIPTION,
      tags: ['admin', 'data rights'],
      security: [{ apiKey: [] }],
      before: [deps.adminGuard],
      request: { params: TenantParams, body: RetentionOverrides },
      responses: {
        200: { description: 'The policy now in force', schema: RetentionPolicyResponse },
        400: problem('Invalid period, named'),
        ...adminResponses,
      },
      handler: async ({ params, body }, _req, res) => {
        await tenantExists(params.tenant_id);
        res.json(
          json(params.tenant_id, await setRetentionPolicy(collections, { tenantId: params.tenant_id, overrides: body, actor: 'admin' })),
        );
      },
    })
    .route({
      method: 'post',
      path: '/api/admin/retention/run',
      summary: 'Runs the retention job now, for one tenant or all; answers with what each run removed',
      tags: ['admin', 'data rights'],
      security: [{ apiKey: [] }],
      before: [deps.adminGuard],
      request: { body: RunRetentionRequest },
      responses: {
        200: { description: 'One report per tenant (counts only)', schema: RunRetentionResponse },
        400: problem('Invalid body'),
        ...adminResponses,
      },
      handler: async ({ body }, _req, res) => {
        if (body.tenant_id) {
          await tenantExists(body.tenant_id);
          return void res.json({ reports: [await deps.runner.runTenant(body.tenant_id, 'admin')] });
        }
        res.json({ reports: await deps.runner.runAll('admin') });
      },
    });
}

import type { RequestHandler } from 'express';
import type { Authenticator } from '@recoup/auth';
import { UK_PROFILE, US_PROFILE, validateRuleSetOverrides } from '@recoup/compliance';
import {
  AdminMetricsResponse,
  CreateTenantRequest,
  CreateTenantResponse,
  IssuedApiKeyResponse,
  ListTenantsQuery,
  ProblemDetails,
  ReminderGrouping,
  TenantComplianceOverrides,
  TenantListResponse,
  toMajor,
} from '@recoup/contracts';
import { Prisma, type Database } from '@recoup/db';
import { LimitOverrides } from '@recoup/rate-limit';
import { ApiRouter, HttpProblem } from '@recoup/http';
import { QUEUES, type JobProducer } from '@recoup/queue';
import { z } from 'zod';
import type { TenantDirectory } from '../http/tenant-context';
import { decodeCursor, encodeCursor } from '../invoices/invoice.queries';

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const TenantParams = z.object({ tenant_id: z.uuid() });
const UpdateTenantRequest = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    tier: z.enum(['starter', 'growth', 'pro']).optional(),
    limit_overrides: LimitOverrides.nullable().optional(),
    compliance_overrides: TenantComplianceOverrides.nullable().optional(),
    reminder_grouping: ReminderGrouping.optional(),
  })
  .strict();

/** Overrides must leave a valid rule set for every profile; a typo must not silently weaken a rule. */
function checkedComplianceOverrides(value: Record<string, unknown>): Prisma.InputJsonObject {
  const problems = validateRuleSetOverrides(value, [UK_PROFILE.rules, US_PROFILE.rules]);
  if (problems.length > 0) {
    throw HttpProblem.badRequest(
      'compliance_overrides would not leave a valid rule set',
      problems.map((p) => {
        const [path = '', detail = p] = p.split(/: (.*)/s);
        const field = ['body', 'compliance_overrides', ...path.split('.').filter((s) => s && s !== '(root)')].join('.');
        return { field, pointer: '/' + field.split('.').slice(1).join('/'), detail };
      }),
    );
  }
  return value as Prisma.InputJsonObject;
}
const KeyParams = z.object({ tenant_id: z.uuid(), key_id: z.uuid() });
const SECURITY = [{ apiKey: [] }];
const keyJson = (k: { id: string; key: string; prefix: string; createdAt: Date }) => ({
  id: k.id,
  key: k.key,
  prefix: k.prefix,
  created_at: k.createdAt.toISOString(),
});

export function adminRouter(deps: {
  db: Database;
  adminGuard: RequestHandler;
  authenticator: Authenticator;
  tenants: TenantDirectory;
  producer: JobProducer;
  scanQueue: { getJobCounts(...types: Array<'waiting' | 'delayed' | 'active' | 'completed' | 'failed'>): Promise<Record<string, number>> };
}): ApiRouter {
  const { db, adminGuard, authenticator } = deps;
  const tenantExists = async (id: string) => {
    if (!(await db.tenant.findUnique({ where: { id }, select: { id: true } }))) throw HttpProblem.notFound('No such tenant');
  };
  return new ApiRouter()
    .route({
      method: 'post',
      path: '/api/admin/tenants',
      summary: 'Create a tenant; its API key is in this answer and never shown again',
      tags: ['admin'],
      security: SECURITY,
      before: [adminGuard],
      request: { body: CreateTenantRequest },
      responses: {
        201: { description: 'Tenant and its first API key', schema: CreateTenantResponse },
        400: problem('Invalid fields'),
        401: problem('No admin key'),
        403: problem('Not the admin key'),
      },
      handler: async ({ body }, _req, res) => {
        const complianceOverrides = body.compliance_overrides ? checkedComplianceOverrides(body.compliance_overrides) : undefined;
        const tenant = await db.tenant.create({
          data: {
            name: body.name,
            tier: body.tier,
            email: body.email ?? null,
            ...(complianceOverrides ? { complianceOverrides } : {}),
            ...(body.reminder_grouping ? { reminderGrouping: body.reminder_grouping } : {}),
          },
        });
        const key = await authenticator.keys.issue(tenant.id, 'owner');
        res.status(201).setHeader('Cache-Control', 'no-store');
        res.json({
          tenant: { id: tenant.id, name: tenant.name, tier: tenant.tier, created_at: tenant.createdAt.toISOString() },
          api_key: keyJson(key),
        });
      },
    })
    .route({
      method: 'get',
      path: '/api/admin/tenants',
      summary: 'List tenants, newest first (cursor pagination); `name` matches a name or its start, ignoring case',
      description: 'The console’s tenant picker: with the operator key, GET tenant routes read the tenant named by `X-Tenant-Id`.',
      tags: ['admin'],
      security: SECURITY,
      before: [adminGuard],
      request: { query: ListTenantsQuery },
      responses: {
        200: { description: 'A page of tenants', schema: TenantListResponse },
        400: problem('Invalid filters or cursor'),
        401: problem('No admin key'),
        403: problem('Not the admin key'),
      },
      handler: async ({ query }, _req, res) => {
        const and: Prisma.TenantWhereInput[] = [];
        if (query.name) and.push({ name: { startsWith: query.name, mode: 'insensitive' } });
        if (query.cursor) {
          const c = decodeCursor(query.cursor);
          and.push({ OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] });
        }
        const rows = await db.tenant.findMany({
          where: { AND: and },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
          select: { id: true, name: true, tier: true, createdAt: true },
        });
        const page = rows.slice(0, query.limit);
        const last = page[page.length - 1];
        res.json({
          data: page.map((t) => ({ id: t.id, name: t.name, tier: t.tier, created_at: t.createdAt.toISOString() })),
          next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null,
        });
      },
    })
    .route({
      method: 'patch',
      path: '/api/admin/tenants/:tenant_id',
      summary: 'Change a tenant’s name, tier or per-tenant limit overrides (applies within 30 s everywhere)',
      tags: ['admin'],
      security: SECURITY,
      before: [adminGuard],
      request: { params: TenantParams, body: UpdateTenantRequest },
      responses: { 200: { description: 'The tenant' }, 400: problem('Invalid fields'), 404: problem('No such tenant') },
      handler: async ({ params, body }, _req, res) => {
        await tenantExists(params.tenant_id);
        const tenant = await db.tenant.update({
          where: { id: params.tenant_id },
          data: {
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.tier !== undefined ? { tier: body.tier } : {}),
            ...(body.limit_overrides !== undefined
              ? { limitOverrides: body.limit_overrides === null ? Prisma.DbNull : body.limit_overrides }
              : {}),
            ...(body.reminder_grouping !== undefined ? { reminderGrouping: body.reminder_grouping } : {}),
            ...(body.compliance_overrides !== undefined
              ? {
                  complianceOverrides:
                    body.compliance_overrides === null ? Prisma.DbNull : checkedComplianceOverrides(body.compliance_overrides),
                }
              : {}),
          },
        });
        await deps.tenants.changed(tenant.id);
        res.json({
          id: tenant.id,
          name: tenant.name,
          tier: tenant.tier,
          limit_overrides: tenant.limitOverrides ?? null,
          compliance_overrides: tenant.complianceOverrides ?? null,
          reminder_grouping: tenant.reminderGrouping,
          created_at: tenant.createdAt.toISOString(),
        });
      },
    })
    .route({
      method: 'get',
      path: '/api/admin/tenants/:tenant_id/api-keys',
      summary: 'A tenant’s keys (prefixes only)',
      tags: ['admin'],
      security: SECURITY,
      before: [adminGuard],
      request: { params: TenantParams },
      responses: { 200: { description: 'Keys' }, 404: problem('No such tenant') },
      handler: async ({ params }, _req, res) => {
        await tenantExists(params.tenant_id);
        const keys = await authenticator.keys.list(params.tenant_id);
        res.json({
          data: keys.map((k) => ({
            id: k.id,
            prefix: k.prefix,
            role: k.role,
            created_at: k.createdAt.toISOString(),
            revoked_at: k.revokedAt?.toISOString() ?? null,
            last_used_at: k.lastUsedAt?.toISOString() ?? null,
          })),
        });
      },
    })
    .route({
      method: 'post',
      path: '/api/admin/tenants/:tenant_id/api-keys/rotate',
      summary: 'Revoke every active key of the tenant and issue a new one (shown once)',
      tags: ['admin'],
      security: SECURITY,
      before: [adminGuard],
      request: { params: TenantParams },
      responses: { 201: { description: 'The new key', schema: IssuedApiKeyResponse }, 404: problem('No such tenant') },
      handler: async ({ params }, _req, res) => {
        await tenantExists(params.tenant_id);
        const key = await authenticator.keys.rotate(params.tenant_id);
        res.status(201).setHeader('Cache-Control', 'no-store');
        res.json(keyJson(key));
      },
    })
    .route({
      method: 'delete',
      path: '/api/admin/tenants/:tenant_id/api-keys/:key_id',
      summary: 'Revoke one key',
      tags: ['admin'],
      security: SECURITY,
      before: [adminGuard],
      request: { params: KeyParams },
      responses: { 204: { description: 'Revoked' }, 404: problem('No such active key') },
      handler: async ({ params }, _req, res) => {
        const count = await authenticator.keys.revoke(params.tenant_id, params.key_id);
        if (count === 0) throw HttpProblem.notFound('No such active key');
        res.status(204).end();
      },
    })
    .route({
      method: 'get',
      path: '/api/admin/metrics',
      summary: 'Platform figures: tenants, invoices by status, outstanding and collected money, contacts, queues, webhooks',
      tags: ['admin'],
      security: SECURITY,
      before: [adminGuard],
      responses: {
        200: { description: 'Metrics', schema: AdminMetricsResponse },
        401: problem('No admin key'),
        403: problem('Not the admin key'),
      },
      handler: async (_input, _req, res) => {
        const since30 = new Date(Date.now() - 30 * 86_400_000);
        const [tenants, byStatus, outstanding, collected, attempts, webhooks] = await Promise.all([
          db.tenant.count(),
          db.invoice.groupBy({ by: ['status'], _count: { _all: true } }),
          db.invoice.aggregate({
            where: { status: { in: ['open', 'overdue', 'partially_paid', 'disputed'] } },
            _sum: { amountPence: true, paidPence: true },
          }),
          db.payment.aggregate({ where: { receivedAt: { gte: since30 } }, _sum: { amountPence: true, refundedPence: true } }),
          db.contactAttempt.groupBy({ by: ['channel', 'status'], where: { createdAt: { gte: since30 } }, _count: { _all: true } }),
          db.webhookEvent.count({ where: { receivedAt: { gte: new Date(Date.now() - 86_400_000) } } }),
        ]);
        const contacts: Record<string, Record<string, number>> = {};
        for (const a of attempts) (contacts[a.channel] ??= {})[a.status] = a._count._all;
        const queues: Record<string, Record<string, number>> = {};
        for (const name of [QUEUES.notifications, QUEUES.aiCalls, QUEUES.ivrCalls]) {
          try {
            queues[name] = await deps.producer.queue(name).getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
          } catch {
            queues[name] = {};
          }
        }
        try {
          queues['collections-scan'] = await deps.scanQueue.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
        } catch {
          queues['collections-scan'] = {};
        }
        res.json({
          tenants,
          invoices: Object.fromEntries(byStatus.map((s) => [s.status, s._count._all])),
          outstanding: toMajor((outstanding._sum.amountPence ?? 0) - (outstanding._sum.paidPence ?? 0)),
          collected_30d: toMajor((collected._sum.amountPence ?? 0) - (collected._sum.refundedPence ?? 0)),
          contact_attempts_30d: contacts,
          queues,
          webhook_events_24h: webhooks,
        });
      },
    });
}

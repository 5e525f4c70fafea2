import type { RequestHandler } from 'express';
import { z } from 'zod';
import { ClientIdParams, ClientResponse, CreateClientRequest, ProblemDetails, UpdateClientRequest } from '@recoup/contracts';
import { Prisma, type Channel, type Database } from '@recoup/db';
import { ApiRouter, HttpProblem } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import type { JobProducer } from '@recoup/queue';
import { pauseDebtorCollection, startBreathingSpace } from '@recoup/collections';
import { CALLING_CODES, checkPhoneNumber } from '@recoup/compliance';
import { currentTenant } from '../http/tenant-context';
import { clientJson } from '../invoices/invoice.mapper';
import { decodeCursor, encodeCursor } from '../invoices/invoice.queries';

const ListClientsQuery = z
  .object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) })
  .strict();

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const TAGS = ['clients'];
const SECURITY = [{ apiKey: [] }];

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const zoneError = () =>
  HttpProblem.badRequest('timezone: not an IANA time zone', [
    { field: 'body.timezone', pointer: '/timezone', detail: 'not an IANA time zone' },
  ]);

/**
 * The platform's one phone rule (libs/compliance phone-number.ts): the number the API stores is one the dialler will
 * call. The contract checks the E.164 shape; the numbering plan of the debtor's jurisdiction is checked here.
 */
function assertPhone(phone: string | null | undefined, jurisdiction: 'uk' | 'us') {
  if (!phone) return;
  const check = checkPhoneNumber(phone, { callingCode: CALLING_CODES[jurisdiction] });
  if (!check.valid)
    throw HttpProblem.badRequest(`phone: ${check.reason}`, [{ field: 'body.phone', pointer: '/phone', detail: check.reason }]);
}

export function clientsRouter(deps: { db: Database; guards: RequestHandler[]; producer: JobProducer; logger: Logger }): ApiRouter {
  const { db, guards } = deps;
  const clientOf = async (tenantId: string, id: string) => {
    const client = await db.client.findFirst({ where: { id, tenantId } });
    if (!client) throw HttpProblem.notFound('No such client');
    return client;
  };
  return new ApiRouter()
    .route({
      method: 'post',
      path: '/api/clients',
      summary: 'Create a debtor (business or consumer)',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { body: CreateClientRequest },
      responses: { 201: { description: 'Created', schema: ClientResponse }, 400: problem('Invalid fields, each named') },
      handler: async ({ body }, req, res) => {
        const tenant = currentTenant(req);
        if (body.timezone && !validZone(body.timezone)) throw zoneError();
        assertPhone(body.phone, body.jurisdiction ?? 'uk');
        const client = await db.client.create({
          data: {
            tenantId: tenant.id,
            name: body.name,
            email: body.email,
            phone: body.phone,
            kind: body.kind,
            ...(body.nation ? { nation: body.nation } : {}),
            ...(body.timezone ? { timezone: body.timezone } : {}),
            ...(body.jurisdiction ? { jurisdiction: body.jurisdiction } : {}),
            industryCode: body.industry_code ?? null,
            paymentMethodOnFile: body.payment_method_on_file ?? false,
            postcode: body.postcode ?? null,
            dateOfBirth: body.date_of_birth ? new Date(body.date_of_birth) : null,
          },
        });
        res.status(201).location(`/api/clients/${client.id}`).json(clientJson(client));
      },
    })
    .route({
      method: 'get',
      path: '/api/clients',
      summary: 'List debtors, newest first, with cursor pagination',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { query: ListClientsQuery },
      responses: {
        200: { description: 'A page of clients', schema: z.object({ data: z.array(ClientResponse), next_cursor: z.string().nullable() }) },
        400: problem('Invalid query'),
      },
      handler: async ({ query }, req, res) => {
        const tenant = currentTenant(req);
        const after = query.cursor ? decodeCursor(query.cursor) : undefined;
        const rows = await db.client.findMany({
          where: {
            tenantId: tenant.id,
            ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        const last = page[page.length - 1];
        res.json({ data: page.map(clientJson), next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null });
      },
    })
    .route({
      method: 'get',
      path: '/api/clients/:client_id',
      summary: 'One debtor, with the flags the compliance engine reads',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: ClientIdParams },
      responses: { 200: { description: 'The client', schema: ClientResponse }, 404: problem('No such client (or another tenant’s)') },
      handler: async ({ params }, req, res) => {
        res.json(clientJson(await clientOf(currentTenant(req).id, params.client_id)));
      },
    })
    .route({
      method: 'patch',
      path: '/api/clients/:client_id',
      summary:
        'Update contact details and compliance flags: dispute, stopped channels, preferred channel/times, breathing space, vulnerability',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: ClientIdParams, body: UpdateClientRequest },
      responses: {
        200: { description: 'Updated', schema: ClientResponse },
        400: problem('Invalid fields'),
        404: problem('No such client'),
      },
      handler: async ({ params, body }, req, res) => {
        const tenant = currentTenant(req);
        const client = await clientOf(tenant.id, params.client_id);
        if (body.timezone && !validZone(body.timezone)) throw zoneError();
        // A jurisdiction change re-checks the stored number against its numbering plan.
        if (body.phone !== undefined || body.jurisdiction !== undefined)
          assertPhone(body.phone === undefined ? client.phone : body.phone, body.jurisdiction ?? client.jurisdiction);
        const now = new Date();
        let stopped = new Set<Channel>(body.stopped_channels ?? client.stoppedChannels);
        if (body.stop_channel) stopped.add(body.stop_channel);
        if (body.resume_channel) stopped.delete(body.resume_channel);
        stopped = new Set([...stopped].sort() as Channel[]);
        const bsStart =
          body.breathing_space_start === undefined
            ? client.breathingSpaceStart
            : body.breathing_space_start
              ? new Date(body.breathing_space_start)
              : null;
        const bsEnd =
          body.breathing_space_end === undefined
            ? client.breathingSpaceEnd
            : body.breathing_space_end
              ? new Date(body.breathing_space_end)
              : null;
        if (bsStart && bsEnd && bsEnd < bsStart)
          throw HttpProblem.badRequest('breathing_space_end is before breathing_space_start', [
            { field: 'body.breathing_space_end', pointer: '/breathing_space_end', detail: 'before breathing_space_start' },
          ]);
        const data: Prisma.ClientUpdateInput = {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.email !== undefined ? { email: body.email } : {}),
          ...(body.phone !== undefined ? { phone: body.phone } : {}),
          ...(body.kind !== undefined ? { kind: body.kind } : {}),
          ...(body.nation !== undefined ? { nation: body.nation } : {}),
          ...(body.timezone !== undefined ? { timezone: body.timezone } : {}),
          ...(body.jurisdiction !== undefined ? { jurisdiction: body.jurisdiction } : {}),
          ...(body.industry_code !== undefined ? { industryCode: body.industry_code } : {}),
          ...(body.payment_method_on_file !== undefined ? { paymentMethodOnFile: body.payment_method_on_file } : {}),
          ...(body.postcode !== undefined ? { postcode: body.postcode } : {}),
          ...(body.date_of_birth !== undefined ? { dateOfBirth: body.date_of_birth ? new Date(body.date_of_birth) : null } : {}),
          ...(body.dispute === 'opened' ? { disputeOpenedAt: now, disputeResolvedAt: null } : {}),
          ...(body.dispute === 'resolved' ? { disputeResolvedAt: now } : {}),
          stoppedChannels: [...stopped],
          ...(body.preferred_channel !== undefined ? { preferredChannel: body.preferred_channel } : {}),
          ...(body.preferred_times !== undefined
            ? { preferredTimes: body.preferred_times === null ? Prisma.DbNull : body.preferred_times }
            : {}),
          breathingSpaceStart: bsStart,
          breathingSpaceEnd: bsEnd,
          ...(body.vulnerable !== undefined ? { vulnerable: body.vulnerable } : {}),
          ...(body.vulnerability_note !== undefined ? { vulnerabilityNote: body.vulnerability_note } : {}),
          ...(body.mental_capacity_concern !== undefined ? { mentalCapacityConcern: body.mental_capacity_concern } : {}),
          ...(body.artificial_voice_consent_at !== undefined
            ? { artificialVoiceConsentAt: body.artificial_voice_consent_at ? new Date(body.artificial_voice_consent_at) : null }
            : {}),
        };
        let updated = await db.client.update({ where: { id: client.id }, data });
        const actor = req.auth?.kind === 'tenant' && req.auth.via === 'api_key' ? `api_key:${req.auth.keyId}` : 'api';
        const collections = { db, producer: deps.producer, logger: deps.logger };
        const startsBreathingSpace =
          bsStart && bsStart <= now && (!bsEnd || bsEnd > now) && bsStart.getTime() !== client.breathingSpaceStart?.getTime();
        if (startsBreathingSpace) {
          // A new moratorium: its own random reference, queued contacts cancelled, audited on every invoice.
          // No end given: a standard breathing space (60 days); an explicit null is a mental-health crisis one (no fixed end).
          const end = body.breathing_space_end === undefined && !client.breathingSpaceEnd ? undefined : bsEnd;
          updated = await startBreathingSpace(collections, { tenantId: tenant.id, clientId: client.id, start: bsStart, end, actor });
        }
        // A dispute of the account, vulnerability or a capacity concern stops collection now: drop what is queued.
        const reason =
          body.dispute === 'opened'
            ? 'debtor disputes the account'
            : body.vulnerable === true && !client.vulnerable
              ? 'debtor flagged vulnerable'
              : body.mental_capacity_concern === true && !client.mentalCapacityConcern
                ? 'mental capacity in question'
                : null;
        if (reason) await pauseDebtorCollection(collections, { tenantId: tenant.id, clientId: client.id, reason, actor });
        res.json(clientJson(updated));
      },
    });
}

import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { IvrCallView, ListIvrCallsQuery, ListIvrCallsResponse, ProblemDetails, IvrCallStatus, IvrIntent } from '@recoup/contracts';
import { ApiRouter, HttpProblem } from '@recoup/http';
import type { CallEvents } from './call-events';
import { IvrCallRepository, SENSITIVE_READER_ROLES, SENSITIVE_SCOPE, toView, viewFor } from './ivr-call.repository';

const problem = { schema: ProblemDetails, contentType: 'application/problem+json' };
const authErrors = {
  401: { description: 'Missing or invalid bearer credential', ...problem },
  403: { description: 'Not allowed', ...problem },
  429: { description: "The tenant's api_calls limit is used up (RateLimit headers, Retry-After)", ...problem },
};

/** The tenant whose calls this request may see: its own for a tenant key; any (or the one named) for the admin key. */
/** The explicit scope for sensitive transcripts: asked for in the request, and held by the operator or a reader role. */
function mayReadSensitive(req: Request): boolean {
  const asked = (req.get('x-recoup-scope') ?? '').split(/[\s,]+/).includes(SENSITIVE_SCOPE);
  if (!asked || !req.auth) return false;
  return req.auth.kind === 'admin' || SENSITIVE_READER_ROLES.includes(req.auth.role);
}

export function scopeOf(req: Request, requested?: string): string | undefined {
  const auth = req.auth;
  if (auth?.kind === 'tenant') {
    if (requested && requested !== auth.tenantId) throw HttpProblem.forbidden('A tenant key sees only its own calls');
    return auth.tenantId;
  }
  if (auth?.kind === 'admin') return requested;
  throw HttpProblem.unauthorized();
}

export interface StreamRegistry {
  /** Open streams, each with the API key it was opened with (none for the admin key). */
  open: Map<Response, string | undefined>;
  closeAll(): void;
  /** Ends the streams opened with any of these keys (revoked or rotated); returns how many. */
  closeKeys(keyIds: readonly string[]): number;
}

export function createStreamRegistry(): StreamRegistry {
  const open = new Map<Response, string | undefined>();
  return {
    open,
    closeAll() {
      for (const res of open.keys()) res.end();
      open.clear();
    },
    closeKeys(keyIds) {
      let closed = 0;
      for (const [res, keyId] of open) {
        if (keyId === undefined || !keyIds.includes(keyId)) continue;
        open.delete(res);
        res.end();
        closed++;
      }
      return closed;
    },
  };
}

const StreamQuery = z.object({ tenant_id: z.uuid().optional(), status: IvrCallStatus.optional(), intent: IvrIntent.optional() }).strict();

export function callsRouter(
  repository: IvrCallRepository,
  events: CallEvents,
  auth: RequestHandler[],
  streams: StreamRegistry,
  heartbeatMs = 15_000,
): ApiRouter {
  return new ApiRouter()
    .route({
      method: 'get',
      path: '/api/calls',
      summary: 'Calls with their transcripts, newest first; filters by status, intent and date (Europe/London); stats over every match',
      tags: ['calls'],
      security: [{ bearerAuth: [] }],
      before: auth,
      request: { query: ListIvrCallsQuery },
      responses: {
        200: { description: 'One page of calls and the stats of all that match', schema: ListIvrCallsResponse },
        400: { description: 'Invalid filter, named', ...problem },
        ...authErrors,
      },
      handler: async ({ query }, req, res) => {
        const tenantId = scopeOf(req, query.tenant_id);
        const { rows, total, stats } = await repository.list(tenantId, query);
        const may = mayReadSensitive(req);
        res.json({
          data: rows.map((r) => viewFor(toView(r), may)),
          page: query.page,
          page_size: query.page_size,
          total,
          stats,
        } satisfies ListIvrCallsResponse);
      },
    })
    .route({
      method: 'get',
      path: '/api/calls/stream',
      summary: 'Live call updates as server-sent events (`event: call`, data {type: created|updated, call})',
      description: 'Send the bearer credential as with /api/calls (the dashboard reads the stream with fetch, so it can send the header).',
      tags: ['calls'],
      security: [{ bearerAuth: [] }],
      before: auth,
      request: { query: StreamQuery },
      responses: { 200: { description: 'text/event-stream', contentType: 'text/event-stream' }, ...authErrors },
      handler: ({ query }, req, res) => {
        const tenantId = scopeOf(req, query.tenant_id);
        res.status(200).set({
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        res.flushHeaders();
        res.write('retry: 2000\n\n');
        const may = mayReadSensitive(req);
        const unsubscribe = events.subscribe(({ tenantId: t, event }) => {
          if (tenantId && t !== tenantId) return;
          if (query.status && event.call.status !== query.status) return;
          if (query.intent && event.call.intent !== query.intent) return;
          const seen = { ...event, call: viewFor(event.call, may) };
          res.write(`event: call\nid: ${event.call.id}:${event.call.updated_at}\ndata: ${JSON.stringify(seen)}\n\n`);
        });
        const ping = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
        streams.open.set(res, req.auth?.kind === 'tenant' && req.auth.via === 'api_key' ? req.auth.keyId : undefined);
        const stop = () => {
          clearInterval(ping);
          unsubscribe();
          streams.open.delete(res);
        };
        req.on('close', stop);
        res.on('close', stop);
        // The client may have gone while authentication ran: its close has already fired, so stop now.
        if (req.destroyed || res.closed) stop();
      },
    })
    .route({
      method: 'get',
      path: '/api/calls/:id',
      summary: 'One call with its full transcript',
      tags: ['calls'],
      security: [{ bearerAuth: [] }],
      before: auth,
      request: { params: z.object({ id: z.uuid() }) },
      responses: {
        200: { description: 'The call', schema: IvrCallView },
        404: { description: 'No such call for this tenant', ...problem },
        ...authErrors,
      },
      handler: async ({ params }, req, res) => {
        const tenantId = scopeOf(req);
        const row = await repository.findById(params.id);
        if (!row || (tenantId && row.tenantId !== tenantId)) throw HttpProblem.notFound(`No call ${params.id}`);
        res.json(viewFor(toView(row), mayReadSensitive(req)));
      },
    });
}

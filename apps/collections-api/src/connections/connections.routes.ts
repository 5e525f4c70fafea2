import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
  AccountingConnection,
  AccountingProviderName,
  ConnectRequest,
  ConnectResponse,
  ConnectionList,
  CsvImportRequest,
  CsvImportResponse,
  OAuthCallbackQuery,
  ProblemDetails,
  SyncNowResponse,
} from '@recoup/contracts';
import type { CollectionsDeps } from '@recoup/collections';
import { ApiRouter, sendProblem } from '@recoup/http';
import { WebhookNotConfigured, WebhookSignatureError } from '@recoup/providers/accounting';
import { currentTenant } from '../http/tenant-context';
import type { AccountingConnections } from './accounting-connections.service';
import { connectionJson } from './connection.mapper';
import { importInvoiceCsv } from './csv-import.service';

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const ConnectionParams = z.object({ connection_id: z.uuid() });
const ProviderParams = z.object({ provider: AccountingProviderName });
const tenantErrors = {
  400: problem('Invalid input, the field named'),
  401: problem('No credential'),
  403: problem('Not a tenant credential'),
};

/**
 * Accounting connections (issue 19): connect Xero, QuickBooks or the sandbox books, see their status, sync now,
 * disconnect, import a CSV; the OAuth callback and the vendors' webhooks (signature verified by the provider adapter).
 */
export function connectionsRouter(deps: {
  connections: AccountingConnections;
  collections: CollectionsDeps;
  guards: RequestHandler[];
  clock?: () => Date;
}): ApiRouter {
  const { connections } = deps;
  return new ApiRouter()
    .route({
      method: 'post',
      path: '/api/connections',
      summary: 'Starts connecting an accounting system: answers the URL of its consent screen',
      description:
        'Creates a `pending` connection and answers `authorize_url` (OAuth 2.0 authorization code; PKCE S256 for Xero; a single-use random state). The user approves there; the provider redirects to `/api/connections/{provider}/callback`, which makes the connection `active` and its first sync follows.',
      tags: ['connections'],
      before: deps.guards,
      request: { body: ConnectRequest },
      responses: {
        201: { description: 'Pending connection and where to send the user', schema: ConnectResponse },
        ...tenantErrors,
        409: problem('Provider not configured'),
      },
      handler: async ({ body }, req, res) => {
        const tenant = currentTenant(req);
        const { connection, authorizeUrl } = await connections.connect(tenant.id, body.provider);
        res.status(201).json({ connection: connectionJson(connection), authorize_url: authorizeUrl });
      },
    })
    .route({
      method: 'get',
      path: '/api/connections',
      summary: "The tenant's accounting connections: status, last sync and its summary, last error",
      tags: ['connections'],
      before: deps.guards,
      responses: { 200: { description: 'Newest first', schema: ConnectionList }, ...tenantErrors },
      handler: async (_input, req, res) => {
        res.json({ data: (await connections.list(currentTenant(req).id)).map(connectionJson) });
      },
    })
    .route({
      method: 'get',
      path: '/api/connections/:connection_id',
      summary: 'One accounting connection',
      tags: ['connections'],
      before: deps.guards,
      request: { params: ConnectionParams },
      responses: {
        200: { description: 'The connection', schema: AccountingConnection },
        ...tenantErrors,
        404: problem('No such connection'),
      },
      handler: async ({ params }, req, res) => {
        res.json(connectionJson(await connections.get(currentTenant(req).id, params.connection_id)));
      },
    })
    .route({
      method: 'post',
      path: '/api/connections/:connection_id/sync',
      summary: 'Syncs the connection now (a queued job; one at a time per connection)',
      tags: ['connections'],
      before: deps.guards,
      request: { params: ConnectionParams },
      responses: {
        202: { description: 'Queued', schema: SyncNowResponse },
        ...tenantErrors,
        404: problem('No such connection'),
        409: problem('The connection is not active (pending, revoked or disconnected)'),
      },
      handler: async ({ params }, req, res) => {
        const c = await connections.get(currentTenant(req).id, params.connection_id);
        if (c.status !== 'active' && c.status !== 'error') {
          return sendProblem(res, {
            type: 'about:blank',
            title: 'Conflict',
            status: 409,
            detail: `The connection is ${c.status}${c.status === 'revoked' ? ': reconnect it' : ''}`,
            request_id: req.id,
          });
        }
        const jobId = await connections.syncNow(c.id);
        res.status(202).json({ job_id: jobId, connection_id: c.id });
      },
    })
    .route({
      method: 'delete',
      path: '/api/connections/:connection_id',
      summary: 'Disconnects: revokes the tokens at the provider and stops syncing (imported invoices stay)',
      tags: ['connections'],
      before: deps.guards,
      request: { params: ConnectionParams },
      responses: {
        200: { description: 'Disconnected', schema: AccountingConnection },
        ...tenantErrors,
        404: problem('No such connection'),
      },
      handler: async ({ params }, req, res) => {
        res.json(connectionJson(await connections.disconnect(currentTenant(req).id, params.connection_id)));
      },
    })
    .route({
      method: 'post',
      path: '/api/connections/csv-import',
      summary: 'Imports invoices from a CSV export with a column mapping; dry_run (default) reports what would change',
      tags: ['connections'],
      before: deps.guards,
      request: { body: CsvImportRequest },
      responses: { 200: { description: 'What changed (or would)', schema: CsvImportResponse }, ...tenantErrors },
      handler: async ({ body }, req, res) => {
        res.json(await importInvoiceCsv(deps.collections, currentTenant(req).id, body, deps.clock?.() ?? new Date()));
      },
    })
    .route({
      method: 'get',
      path: '/api/connections/:provider/callback',
      summary: "The provider's OAuth redirect: exchanges the code and activates the pending connection",
      description: 'Public: the single-use state (stored hashed) finds the pending connection; a spent or unknown state is 404.',
      tags: ['connections'],
      security: [],
      request: { params: ProviderParams, query: OAuthCallbackQuery },
      responses: {
        200: { description: 'The connection (active, or error/revoked naming why)', schema: AccountingConnection },
        400: problem('Invalid query'),
        404: problem('Unknown or spent state'),
      },
      handler: async ({ params, query }, _req, res) => {
        const connection = await connections.completeAuthorization(params.provider, query);
        if (connection.status === 'active') await connections.syncNow(connection.id).catch(() => undefined);
        res.json(connectionJson(connection));
      },
    })
    .route({
      method: 'post',
      path: '/api/webhooks/accounting/:provider',
      summary: 'Xero / QuickBooks webhooks: the organisations named sync now',
      description:
        "Verified by the provider adapter over the raw body: Xero's `x-xero-signature` (HMAC-SHA256 of XERO_WEBHOOK_KEY; the intent-to-receive delivery is answered 200 when signed, 401 when not), Intuit's `intuit-signature` (QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN). A bad signature is 401 and changes nothing.",
      tags: ['connections'],
      security: [],
      request: { params: ProviderParams },
      responses: {
        200: { description: 'Accepted: the named connections are queued to sync' },
        401: problem('Missing or invalid signature'),
        409: problem('Provider not configured'),
      },
      handler: async ({ params }, req, res) => {
        const provider = connections.provider(params.provider);
        let event;
        try {
          event = provider.parseWebhook(req.rawBody ?? Buffer.alloc(0), req.headers);
        } catch (err) {
          const [status, title] =
            err instanceof WebhookSignatureError
              ? [401, 'Unauthorized']
              : err instanceof WebhookNotConfigured
                ? [503, 'Service Unavailable']
                : err instanceof SyntaxError
                  ? [400, 'Bad Request']
                  : [0, ''];
          if (!status) throw err;
          return sendProblem(res, {
            type: status === 401 ? 'https://recoup.dev/problems/invalid-signature' : 'about:blank',
            title,
            status,
            detail: `${params.provider} webhook refused: ${(err as Error).message}`,
            request_id: req.id,
          });
        }
        const queued = await connections.handleWebhook(params.provider, event);
        res.status(200).json({ received: true, queued });
      },
    });
}

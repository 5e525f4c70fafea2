import type { RequestHandler } from 'express';
import { ListOutboxQuery, OutboxItemParams, OutboxResponse, ProblemDetails } from '@recoup/contracts';
import type { Database } from '@recoup/db';
import { ApiRouter, HttpProblem } from '@recoup/http';
import { currentTenant } from '../http/tenant-context';
import { listOutbox, outboxDocument } from './outbox.queries';

export interface OutboxRouterDeps {
  db: Database;
  guards: RequestHandler[];
}

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const TAGS = ['outbox'];
const SECURITY = [{ apiKey: [] }];

/** What the platform "sent" for the tenant in sandbox mode, for the console's outbox page. */
export function outboxRouter(deps: OutboxRouterDeps): ApiRouter {
  const { db, guards } = deps;
  return new ApiRouter()
    .route({
      method: 'get',
      path: '/api/outbox',
      summary: 'The sandbox outbox: emails, SMS and letters the sandbox providers recorded, and AI calls, newest first',
      description:
        'Messages are those the sandbox adapters recorded (no credentials set); with a real provider the outbox holds only AI calls. A sensitive call’s transcript is withheld.',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { query: ListOutboxQuery },
      responses: { 200: { description: 'A page of the outbox', schema: OutboxResponse }, 400: problem('Invalid filters or cursor') },
      handler: async ({ query }, req, res) => {
        res.json(await listOutbox(db, currentTenant(req).id, query));
      },
    })
    .route({
      method: 'get',
      path: '/api/outbox/:id/document',
      summary: 'A sandbox letter’s PDF',
      tags: TAGS,
      security: SECURITY,
      before: guards,
      request: { params: OutboxItemParams },
      responses: {
        200: { description: 'The letter as posted', contentType: 'application/pdf' },
        404: problem('No such letter (or another tenant’s)'),
      },
      handler: async ({ params }, req, res) => {
        const pdf = await outboxDocument(db, currentTenant(req).id, params.id);
        if (!pdf) throw HttpProblem.notFound('No such letter');
        res.setHeader('Content-Type', 'application/pdf');
        res.setHeader('Content-Disposition', `inline; filename="letter-${params.id}.pdf"`);
        res.setHeader('Cache-Control', 'private, no-store');
        res.send(Buffer.from(pdf));
      },
    });
}

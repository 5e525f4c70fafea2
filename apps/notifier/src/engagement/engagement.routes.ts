import { z } from 'zod';
import type { Database } from '@recoup/db';
import { ApiRouter } from '@recoup/http';
import { adminAuth } from '../admin/admin-auth';
import { clientEngagement } from './engagement.query';

const Query = z.object({
  tenant_id: z.uuid(),
  client_id: z.union([z.uuid(), z.array(z.uuid()).max(500)]).transform((v) => (Array.isArray(v) ? v : [v])),
  days: z.coerce.number().int().min(1).max(730).default(180),
});

const Engagement = z.object({
  client_id: z.string(),
  since: z.string(),
  emails_sent: z.number().int(),
  emails_opened: z.number().int(),
  email_open_rate: z.number().nullable(),
  sms_sent: z.number().int(),
  sms_replied: z.number().int(),
  sms_response_rate: z.number().nullable(),
});

/** GET /internal/engagement: email open and SMS response rates per client (operator or service token). */
export function engagementRouter(db: Database, adminKey: string | undefined): ApiRouter {
  return new ApiRouter().route({
    method: 'get',
    path: '/internal/engagement',
    summary: 'Email open rate and SMS response rate per client, for the prediction features',
    tags: ['engagement'],
    before: [adminAuth(adminKey)],
    request: { query: Query },
    responses: {
      200: { description: 'One row per client found', schema: z.object({ data: z.array(Engagement) }) },
      401: { description: 'Admin credentials required' },
    },
    handler: async ({ query }, _req, res) => {
      const since = new Date(Date.now() - query.days * 86_400_000);
      res.json({ data: await clientEngagement(db, query.tenant_id, query.client_id, since) });
    },
  });
}

import type { Request, RequestHandler } from 'express';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { COLLECTABLE_STATUSES } from '@recoup/collections';
import type { Database } from '@recoup/db';
import { ApiRouter, HttpProblem } from '@recoup/http';
import type { SandboxIvrPhone } from '@recoup/providers/telephony';
import { postcodeOf, referenceCharacters } from '../calls/inbound-identity';
import { DEBTOR_SCRIPTS } from './debtor-scripts';

const InboundCallRequest = z
  .object({
    client_id: z.uuid(),
    /** What the caller says after proving who they are (the IVR's seed scenarios). */
    script: z.enum(['accept', 'negotiate', 'repeat_then_accept', 'silence']).default('accept'),
    /** With the admin key: whose debtor calls. */
    tenant_id: z.uuid().optional(),
  })
  .strict();

export interface SandboxRouterDeps {
  db: Database;
  auth: RequestHandler[];
  /** Present only in sandbox (no Twilio credentials): the scripted phone that plays Twilio and the debtor. */
  phone?: SandboxIvrPhone;
  publicBaseUrl: string;
}

function tenantFor(req: Request, given?: string): string {
  const auth = req.auth;
  if (auth?.kind === 'tenant') {
    if (given && given !== auth.tenantId) throw HttpProblem.forbidden('A tenant key may only use its own debtors');
    return auth.tenantId;
  }
  if (auth?.kind === 'admin' && given) return given;
  throw HttpProblem.badRequest('tenant_id is required with the admin key', [
    { field: 'body.tenant_id', pointer: '/tenant_id', detail: 'required with the admin key' },
  ]);
}

/**
 * Sandbox only: one of the tenant's debtors calls the tenant's IVR number, as a debtor who calls back would. The
 * sandbox phone posts Twilio's signed inbound `/voice` (Direction=inbound, the debtor's number as From), answers
 * the identity question with what only the debtor knows (the postcode on file, else the reference's last four
 * characters), then says the chosen script. The call shows on the dashboard like any other.
 */
export function sandboxRouter(deps: SandboxRouterDeps): ApiRouter {
  return new ApiRouter().route({
    method: 'post',
    path: '/api/sandbox/inbound-calls',
    summary: 'Sandbox: a debtor calls the IVR (inbound), answered by the sandbox phone with a seed scenario',
    tags: ['sandbox'],
    security: [{ bearerAuth: [] }],
    before: deps.auth,
    request: { body: InboundCallRequest },
    responses: {
      202: { description: 'The call is under way', schema: z.object({ call_sid: z.string(), from: z.string(), to: z.string() }) },
      404: { description: 'Not in sandbox, or no such debtor with a phone and a collectable invoice' },
      409: { description: 'Several tenants and none has an IVR number registered: the call could not be routed' },
    },
    handler: async ({ body }, req, res) => {
      if (!deps.phone) throw HttpProblem.notFound('Inbound test calls exist only in sandbox (no Twilio credentials)');
      const tenantId = tenantFor(req, body.tenant_id);
      const client = await deps.db.client.findFirst({ where: { id: body.client_id, tenantId, erasedAt: null } });
      const invoice = client
        ? await deps.db.invoice.findFirst({
            where: { clientId: client.id, tenantId, status: { in: [...COLLECTABLE_STATUSES] } },
            orderBy: { dueDate: 'asc' },
            include: { tenant: { select: { collectionPolicy: true } } },
          })
        : null;
      if (!client?.phone || !invoice) throw HttpProblem.notFound('No such debtor with a phone number and an invoice to pay');
      const policy = (invoice.tenant.collectionPolicy ?? {}) as { ivr_numbers?: unknown };
      const registered = Array.isArray(policy.ivr_numbers) ? policy.ivr_numbers.filter((n): n is string => typeof n === 'string') : [];
      if (registered.length === 0 && (await deps.db.tenant.count()) > 1) {
        throw HttpProblem.conflict(
          'Several tenants share this install and this one has no IVR number: register one in its collection policy (ivr_numbers)',
        );
      }
      const to = registered[0] ?? '+441632960000';
      const identity = postcodeOf(client.address) ?? referenceCharacters(invoice.reference).slice(-4);
      const scenario = DEBTOR_SCRIPTS[body.script];
      const callSid = `CA${randomBytes(16).toString('hex')}`;
      void deps.phone
        .callIn(
          {
            from: client.phone,
            to,
            voiceUrl: `${deps.publicBaseUrl.replace(/\/+$/, '')}/voice`,
            statusCallbackUrl: `${deps.publicBaseUrl.replace(/\/+$/, '')}/status`,
            script: { name: `inbound_${scenario.name}`, answers: [identity, ...scenario.answers] },
          },
          callSid,
        )
        .catch(() => undefined); // how the call ended is the IvrCall's record (and the phone's own log)
      res.status(202).json({ call_sid: callSid, from: client.phone, to });
    },
  });
}

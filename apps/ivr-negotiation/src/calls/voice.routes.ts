import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Database } from '@recoup/db';
import { ApiRouter, sendProblem } from '@recoup/http';
import { webhookIdempotency, type IdempotencyStore } from '@recoup/idempotency';
import { verifyTwilioSignature } from '@recoup/providers/twilio';
import { ProblemDetails } from '@recoup/contracts';
import { accountOf } from './ivr-call.repository';
import type { IvrCallService } from './ivr-call.service';

/** The Twilio voice webhook parameters we read (Twilio sends many more). */
const TwilioVoiceParams = z
  .object({
    CallSid: z
      .string()
      .regex(/^CA[0-9a-f]{32}$/i, 'expected a Twilio CallSid')
      .optional(),
    SpeechResult: z.string().max(2000).optional(),
    Confidence: z.string().optional(),
    CallStatus: z.string().max(40).optional(),
  })
  .passthrough();
const CallQuery = z.object({ ivr_call_id: z.uuid().optional(), turn: z.coerce.number().int().min(0).max(1000).optional() }).passthrough();

const CONTACT_STATUS: Record<string, 'answered' | 'completed' | 'no_answer' | 'busy' | 'failed'> = {
  'in-progress': 'answered',
  answered: 'answered',
  completed: 'completed',
  'no-answer': 'no_answer',
  busy: 'busy',
  canceled: 'no_answer',
  failed: 'failed',
};

export interface VoiceRoutesOptions {
  service: IvrCallService;
  db: Database;
  idempotency: IdempotencyStore;
  /** Verifies X-Twilio-Signature; without it every webhook is refused (fail closed). */
  authToken?: string;
  publicBaseUrl: string;
}

function params(req: Request): Record<string, string | undefined> {
  const source = req.method === 'GET' ? req.query : req.body;
  return (source && typeof source === 'object' ? source : {}) as Record<string, string | undefined>;
}

const xmlResponses = {
  200: { description: 'TwiML', contentType: 'text/xml' },
  403: { description: 'X-Twilio-Signature missing or wrong', schema: ProblemDetails, contentType: 'application/problem+json' },
};

/** Twilio's voice webhooks: signed, and a retried delivery gets the first answer (libs/idempotency). */
export function voiceRouter(o: VoiceRoutesOptions): ApiRouter {
  const verify: RequestHandler = o.authToken
    ? verifyTwilioSignature({ authToken: o.authToken, publicBaseUrl: o.publicBaseUrl })
    : (req, res) =>
        sendProblem(res, {
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          detail: 'TWILIO_AUTH_TOKEN is not set: Twilio webhooks cannot be verified',
          request_id: req.id,
        });
  const dedup = (kind: string, extra: (req: Request) => string | undefined = () => '') =>
    webhookIdempotency({
      store: o.idempotency,
      provider: 'twilio',
      eventId: (req) => {
        const sid = params(req).CallSid;
        const more = extra(req);
        return sid && more !== undefined ? `ivr:${kind}:${sid}${more ? `:${more}` : ''}` : undefined;
      },
    });

  const answer = async (req: Request, res: Response) => {
    const twiml = await o.service.answer(req.query.ivr_call_id as string | undefined, params(req).CallSid);
    res.type('text/xml').send(twiml);
  };
  const summary = 'Twilio voice webhook: the greeting and the offer, spoken from the call\'s account data, inside <Gather input="speech">';

  return new ApiRouter()
    .route({
      method: 'get',
      path: '/voice',
      summary,
      tags: ['twilio'],
      request: { query: CallQuery },
      before: [verify, dedup('voice')],
      responses: xmlResponses,
      handler: (_input, req, res) => answer(req, res),
    })
    .route({
      method: 'post',
      path: '/voice',
      summary,
      tags: ['twilio'],
      request: { query: CallQuery, body: TwilioVoiceParams },
      before: [verify, dedup('voice')],
      responses: xmlResponses,
      handler: (_input, req, res) => answer(req, res),
    })
    .route({
      method: 'post',
      path: '/process-response',
      summary: "The customer's spoken answer (SpeechResult): classified, recorded on the call, answered with the next TwiML",
      tags: ['twilio'],
      request: { query: CallQuery, body: TwilioVoiceParams },
      before: [verify, dedup('turn', (req) => String(req.query.turn ?? '0'))],
      responses: xmlResponses,
      handler: async ({ query, body }, _req, res) => {
        const twiml = await o.service.respond(query.ivr_call_id, body.CallSid, (body.SpeechResult ?? '').trim());
        res.type('text/xml').send(twiml);
      },
    })
    .route({
      method: 'post',
      path: '/status',
      summary: 'Twilio call status callback: unanswered calls are recorded, the contact attempt follows the call',
      tags: ['twilio'],
      request: { query: CallQuery, body: TwilioVoiceParams },
      before: [verify, dedup('status', (req) => params(req).CallStatus)],
      responses: { 204: { description: 'Recorded' }, 403: xmlResponses[403] },
      handler: async ({ query, body }, _req, res) => {
        const status = body.CallStatus ?? '';
        const row = await o.service.status(query.ivr_call_id, body.CallSid, status);
        const contact = CONTACT_STATUS[status];
        const attemptId = row ? accountOf(row).contactAttemptId : null;
        if (attemptId && contact) {
          // By the attempt's id (not the provider id): the callback can arrive before the dialler has recorded the sid.
          await o.db.contactAttempt.updateMany({
            where: { id: attemptId, status: { notIn: ['completed', 'cancelled'] } },
            data: {
              status: contact,
              ...(body.CallSid && { providerMessageId: body.CallSid }),
              ...(contact !== 'answered' && { completedAt: new Date() }),
            },
          });
        }
        res.status(204).end();
      },
    });
}

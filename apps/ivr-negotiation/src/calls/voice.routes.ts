import type { Request, Response } from 'express';
import { z } from 'zod';
import { recordContactOutcome } from '@recoup/collections';
import type { Database } from '@recoup/db';
import { ApiRouter } from '@recoup/http';
import { webhookIdempotency, type IdempotencyStore } from '@recoup/idempotency';
import { TwilioVoiceWebhooks } from '@recoup/providers/telephony';
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
    /** Keys pressed in answer to <Gather input="dtmf speech"> (the # that ends them is not included). */
    Digits: z
      .string()
      .regex(/^[0-9*#]{0,64}$/, 'expected keypad digits')
      .optional(),
    Confidence: z.string().optional(),
    /** Twilio AMD verdict: human, machine_end_beep, machine_end_silence, machine_end_other, fax, unknown. */
    AnsweredBy: z.string().max(40).optional(),
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
  const twilio = new TwilioVoiceWebhooks({ authToken: o.authToken, publicBaseUrl: o.publicBaseUrl });
  const verify = twilio.verifySignature;
  // Keyed on signed data only (libs/providers/twilio): a status by CallSid + CallStatus + SequenceNumber,
  // anything else by its signed request (the URL names the turn).
  const dedup = (kind: string) =>
    webhookIdempotency({ store: o.idempotency, provider: 'twilio', eventId: (req) => `ivr:${kind}:${twilio.eventKey(req)}` });

  const answer = async (req: Request, res: Response) => {
    const p = params(req);
    const twiml = await o.service.answer(req.query.ivr_call_id as string | undefined, p.CallSid, {
      direction: p.Direction,
      from: p.From,
      to: p.To,
    });
    res.type('text/xml').send(twiml);
  };
  const summary =
    'Twilio voice webhook: the greeting and the offer, spoken from the call\'s account data, inside <Gather input="speech">; ' +
    'a call placed to us (Direction=inbound) first finds the tenant by the number called and asks the caller to confirm who they are';

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
      before: [verify, dedup('turn')],
      responses: xmlResponses,
      handler: async ({ query, body }, _req, res) => {
        const digits = (body.Digits ?? '').replace(/[*#]/g, '');
        const twiml = await o.service.respond(query.ivr_call_id, body.CallSid, (body.SpeechResult ?? '').trim(), digits);
        res.type('text/xml').send(twiml);
      },
    })
    .route({
      method: 'post',
      path: '/amd',
      summary: "Twilio's answering-machine verdict (DetectMessageEnd): a machine hears a call-back request after its beep, no debt detail",
      tags: ['twilio'],
      request: { query: CallQuery, body: TwilioVoiceParams },
      before: [verify, dedup('amd')],
      responses: { 204: { description: 'Recorded' }, 403: xmlResponses[403] },
      handler: async ({ query, body }, _req, res) => {
        if (body.AnsweredBy) await o.service.machineDetection(query.ivr_call_id, body.CallSid, body.AnsweredBy);
        res.status(204).end();
      },
    })
    .route({
      method: 'post',
      path: '/status',
      summary: 'Twilio call status callback: unanswered calls are recorded, the contact attempt follows the call',
      tags: ['twilio'],
      request: { query: CallQuery, body: TwilioVoiceParams },
      before: [verify, dedup('status')],
      responses: { 204: { description: 'Recorded' }, 403: xmlResponses[403] },
      handler: async ({ query, body }, _req, res) => {
        const status = body.CallStatus ?? '';
        const row = await o.service.status(query.ivr_call_id, body.CallSid, status);
        const contact = CONTACT_STATUS[status];
        const attemptId = row ? accountOf(row).contactAttemptId : null;
        if (attemptId && contact) {
          // By the attempt's id (not the provider id): the callback can arrive before the dialler has recorded the sid.
          // Only a call the dialler claimed and placed moves on; a final status (completed, no_answer, ...) is never undone.
          await recordContactOutcome(
            o.db,
            attemptId,
            {
              status: contact,
              ...(body.CallSid && { providerMessageId: body.CallSid }),
              ...(contact !== 'answered' && { completedAt: new Date() }),
            },
            ['sending', 'sent', 'answered'],
          );
        }
        res.status(204).end();
      },
    });
}

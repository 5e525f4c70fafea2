import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import {
  CallCostEstimate,
  CallRefusal,
  CallStatusResponse,
  EstimateCostRequest,
  InitiateCallRequest,
  InitiateCallResponse,
  ProblemDetails,
} from '@recoup/contracts';
import { ApiRouter, HttpProblem, documentMiddleware } from '@recoup/http';
import { idempotencyKey, type IdempotencyStore } from '@recoup/idempotency';
import type { CallService } from './call-service';

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const digest = (s: string) => createHash('sha256').update(s).digest();

/** The scope a caller sends to read transcripts of calls marked sensitive. */
export const SENSITIVE_TRANSCRIPTS_SCOPE = 'transcripts:sensitive';
const TRANSCRIPT_WITHHELD_HEADER = 'X-Recoup-Transcript';
const hasSensitiveScope = (req: Request) => (req.header('x-recoup-scope') ?? '').split(/[\s,]+/).includes(SENSITIVE_TRANSCRIPTS_SCOPE);

/** `Authorization: Bearer <INTERNAL_API_TOKEN>` in constant time; with no token configured every call is refused. */
export function internalAuth(token: string | undefined): RequestHandler {
  const expected = token ? digest(token) : null;
  const check: RequestHandler = (req, _res, next) => {
    const header = req.header('authorization') ?? '';
    const m = /^Bearer (.+)$/.exec(header);
    if (!expected) return next(HttpProblem.unauthorized('INTERNAL_API_TOKEN is not configured on this service'));
    if (!m?.[1] || !timingSafeEqual(digest(m[1]), expected))
      return next(HttpProblem.unauthorized('Authorization: Bearer <INTERNAL_API_TOKEN> is required'));
    next();
  };
  return documentMiddleware(check, { security: [{ bearerAuth: [] }] });
}

export function callsRouter(calls: CallService, token: string | undefined, idempotency: IdempotencyStore): ApiRouter {
  const auth = internalAuth(token);
  // A retried POST with the same Idempotency-Key gets the first answer instead of a second call.
  const once = idempotencyKey({ store: idempotency, scope: () => 'voice-agent-internal' });
  const security = [{ bearerAuth: [] }];
  return new ApiRouter()
    .route({
      method: 'post',
      path: '/initiate-call',
      summary: 'Place a compliant AI collection call about one overdue invoice',
      tags: ['calls'],
      security,
      description: 'Send `Idempotency-Key` to make retries safe: the same key and body answer with the first result (Stripe semantics).',
      before: [auth, once],
      request: { body: InitiateCallRequest },
      responses: {
        200: { description: 'The call is being placed', schema: InitiateCallResponse },
        400: problem('Invalid fields, each named'),
        401: problem('Missing or wrong INTERNAL_API_TOKEN'),
        422: {
          description: 'Refused by the compliance engine: reason_code and next_allowed_at',
          schema: CallRefusal,
          contentType: 'application/problem+json',
        },
        429: {
          description: 'Tier limit (daily AI calls or spend cap) reached: reason_code TIER_LIMIT_REACHED and next_allowed_at',
          schema: CallRefusal,
          contentType: 'application/problem+json',
        },
      },
      handler: async ({ body }, _req, res) => {
        const placed = await calls.initiate(body, 'internal-api');
        res.json(InitiateCallResponse.parse({ success: true, call_sid: placed.callSid, estimated_cost: placed.estimate }));
      },
    })
    .route({
      method: 'get',
      path: '/call-status/:call_sid',
      summary: 'Status, duration, transcript, outcome and cost of an AI call',
      description:
        "A call marked sensitive (the debtor was flagged vulnerable or with a mental-capacity concern: special-category data, UK GDPR Art. 9) answers with an empty transcript and `X-Recoup-Transcript: withheld` unless the request sends `X-Recoup-Scope: transcripts:sensitive`. This route takes only the services' INTERNAL_API_TOKEN, so the header is the caller's explicit, logged choice.",
      tags: ['calls'],
      security,
      before: [auth],
      request: { params: z.object({ call_sid: z.string().regex(/^CA[0-9a-f]{32}$/i, 'expected a Twilio call sid (CA + 32 hex)') }) },
      responses: {
        200: { description: 'The call as recorded', schema: CallStatusResponse },
        401: problem('Missing or wrong INTERNAL_API_TOKEN'),
        404: problem('No such AI call'),
      },
      handler: async ({ params }, req, res) => {
        const { transcriptWithheld, ...status } = await calls.status(params.call_sid, { sensitiveTranscripts: hasSensitiveScope(req) });
        if (transcriptWithheld) res.set(TRANSCRIPT_WITHHELD_HEADER, 'withheld');
        res.json(CallStatusResponse.parse(status));
      },
    })
    .route({
      method: 'post',
      path: '/estimate-cost',
      summary: 'Estimated GBP cost of a call (per-minute prices are configuration)',
      tags: ['calls'],
      security,
      before: [auth],
      request: { body: EstimateCostRequest },
      responses: {
        200: { description: 'Cost by component and total, GBP', schema: CallCostEstimate },
        400: problem('Invalid fields, each named'),
        401: problem('Missing or wrong INTERNAL_API_TOKEN'),
      },
      handler: ({ body }, _req, res) => {
        res.json(calls.estimate(body.estimated_duration_minutes, body.include_sms, body.include_recording));
      },
    });
}

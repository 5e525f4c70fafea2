import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { formParamsOf } from './signature';

/**
 * The deduplication key of a verified Twilio webhook, made only of what X-Twilio-Signature covers.
 * Unsigned headers (I-Twilio-Idempotency-Token among them) are never part of it: anyone who can
 * replay a signed request can change those, and a replay with a new token would act twice.
 *
 * - a call's status callback: CallSid + CallStatus + SequenceNumber (Twilio numbers each callback
 *   of a call, so a retry repeats the number and a new event has a new one);
 * - a message's status callback: MessageSid + MessageStatus (one callback per status);
 * - anything else: SHA-256 of the signed request, i.e. the path and query plus the sorted form
 *   parameters (or the exact JSON body, which bodySHA256 covers).
 *
 * Call it after `verifyTwilioSignature`, and namespace the key by endpoint.
 */
export function twilioWebhookEventKey(req: Pick<Request, 'originalUrl' | 'body' | 'is' | 'method'> & { rawBody?: Buffer }): string {
  const isJson = req.method !== 'GET' && Boolean(req.is('application/json'));
  const params = req.method === 'GET' || isJson ? {} : formParamsOf(req);
  const { CallSid, CallStatus, SequenceNumber, MessageSid, MessageStatus } = params;
  if (CallSid && CallStatus && SequenceNumber) return `call:${CallSid}:${CallStatus}:${SequenceNumber}`;
  if (MessageSid && MessageStatus) return `message:${MessageSid}:${MessageStatus}`;
  const hash = createHash('sha256');
  if (isJson) hash.update(JSON.stringify([req.originalUrl])).update(req.rawBody ?? Buffer.alloc(0));
  else
    hash.update(
      JSON.stringify([
        req.originalUrl,
        Object.keys(params)
          .sort()
          .map((k) => [k, params[k]]),
      ]),
    );
  return `sha256:${hash.digest('hex')}`;
}

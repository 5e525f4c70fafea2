import type { Request, RequestHandler } from 'express';
import { verifyTwilioSignature, type TwilioSignatureOptions } from './signature';
import { twilioWebhookEventKey } from './webhook-event-key';

/**
 * What every Twilio webhook adapter shares (SMS in providers/sms, voice in providers/telephony): the one signature
 * policy and the deduplication key made of signed data only. Subclasses add the parsing of their own bodies.
 */
export class TwilioWebhooks {
  readonly verifySignature: RequestHandler;

  constructor(signature: TwilioSignatureOptions) {
    this.verifySignature = verifyTwilioSignature(signature);
  }

  eventKey(req: Request): string {
    return twilioWebhookEventKey(req);
  }
}

import type { Request, Response } from 'express';
import { ApiRouter } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import { forwardedTwilioHeaders } from '@recoup/providers/twilio';

export interface TwilioForwardOptions {
  voiceAgentUrl: string;
  /** Public origin Twilio called (and signed): the voice agent verifies X-Twilio-Signature against it. */
  publicBaseUrl: string;
  internalToken?: string;
  timeoutMs?: number;
  logger: Logger;
}

const APOLOGY =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Amy" language="en-GB">Sorry, we cannot continue this call right now. We will be in touch. Goodbye.</Say><Hangup/></Response>';

/**
 * The Gather-based AI call flow's Twilio webhooks arrive here (the public gateway) and go to the
 * voice agent unchanged: same path and query, the exact form bytes, X-Twilio-Signature, and the
 * public URL Twilio signed (X-Original-Url). The voice agent verifies the signature with the one
 * policy of libs/providers/twilio (this origin in its `forwardedFrom`); this service holds no Twilio
 * auth token, so it checks nothing itself: a bad signature gets the voice agent's 403.
 */
export function twilioForwardRouter(options: TwilioForwardOptions): ApiRouter {
  const forward = async (req: Request, res: Response) => {
    const target = `${options.voiceAgentUrl.replace(/\/+$/, '')}${req.originalUrl}`;
    const headers: Record<string, string> = {
      'content-type': req.get('content-type') ?? 'application/x-www-form-urlencoded',
      ...forwardedTwilioHeaders(req, options.publicBaseUrl),
      'x-request-id': req.id,
    };
    if (options.internalToken) headers.authorization = `Bearer ${options.internalToken}`;
    try {
      const upstream = await fetch(target, {
        method: 'POST',
        headers,
        body: req.rawBody ?? Buffer.alloc(0),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      res
        .status(upstream.status)
        .type(upstream.headers.get('content-type') ?? 'text/xml')
        .send(body);
    } catch (err) {
      // Twilio speaks an "application error" on a failed webhook; a short apology is kinder.
      options.logger.error({ err: { message: (err as Error).message }, path: req.path }, 'voice agent unreachable for a Twilio webhook');
      res.status(200).type('text/xml').send(APOLOGY);
    }
  };
  const router = new ApiRouter();
  for (const step of ['ai-collect', 'ai-respond'] as const) {
    router.route({
      method: 'post',
      path: `/api/webhooks/twilio/${step}`,
      summary: `Twilio voice webhook (${step}) of the AI call flow, forwarded to the voice agent with its signature`,
      tags: ['webhooks'],
      responses: {
        200: { description: 'TwiML from the voice agent', contentType: 'text/xml' },
        403: { description: 'The voice agent rejected the signature' },
      },
      handler: (_input, req, res) => forward(req, res),
    });
  }
  return router;
}

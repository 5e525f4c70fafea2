import type { NextFunction, Request, RequestHandler, Response } from 'express';
import twilio from 'twilio';
import { sendProblem } from '@recoup/http';

export interface TwilioSignatureOptions {
  /** The auth token of the account that signs the webhooks (TWILIO_AUTH_TOKEN). */
  authToken: string;
  /**
   * The public origin Twilio was given (https://recoup.example.com). Twilio signs the URL it
   * called, which behind a proxy is not the URL Express sees; the path and query are kept.
   */
  publicBaseUrl: string;
}

/** The URL Twilio signed for this request: the public origin plus the original path and query. */
export function publicUrlOf(req: Request, publicBaseUrl: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return base + req.originalUrl;
}

/** Computes X-Twilio-Signature the way Twilio does (for fakes and tests). */
export function signTwilioRequest(authToken: string, url: string, params: Record<string, string> = {}): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** True when `signature` is Twilio's signature of this URL and form body (or JSON body with bodySHA256). */
export function isValidTwilioSignature(
  authToken: string,
  signature: string,
  url: string,
  req: Pick<Request, 'body' | 'is'> & { rawBody?: Buffer },
): boolean {
  if (req.is('application/json')) {
    const raw = req.rawBody?.toString('utf8') ?? '';
    return twilio.validateRequestWithBody(authToken, signature, url, raw);
  }
  const params: Record<string, string> = {};
  if (req.body && typeof req.body === 'object') {
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) params[k] = String(v);
  }
  return twilio.validateRequest(authToken, signature, url, params);
}

/**
 * Express middleware: answers 403 problem+json unless X-Twilio-Signature matches. Runs after the
 * body parsers (createHttpApp parses urlencoded forms and keeps req.rawBody).
 */
export function verifyTwilioSignature(options: TwilioSignatureOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const signature = req.header('x-twilio-signature');
    const url = publicUrlOf(req, options.publicBaseUrl);
    if (!signature || !isValidTwilioSignature(options.authToken, signature, url, req as Request & { rawBody?: Buffer })) {
      sendProblem(res, {
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
        detail: 'X-Twilio-Signature is missing or does not match this request',
      });
      return;
    }
    next();
  };
}

import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import twilio from 'twilio';
import { sendProblem } from '@recoup/http';

/**
 * The one Twilio-signature policy of every service: what X-Twilio-Signature must match, and that a
 * request without one (or a service without the auth token) is refused, never let through.
 */
export interface TwilioSignatureOptions {
  /**
   * The auth token of the account that signs the webhooks (TWILIO_AUTH_TOKEN). Undefined refuses
   * every request: a signature that cannot be checked is not trusted.
   */
  authToken: string | undefined;
  /**
   * The public origin Twilio was given (https://recoup.example.com). Twilio signs the URL it
   * called, which behind a proxy is not the URL Express sees; the path and query are kept.
   */
  publicBaseUrl: string;
  /**
   * Other public origins of ours that forward Twilio's request here unchanged, naming the URL Twilio
   * called in X-Original-Url (collections-api forwards the Gather webhooks to the voice agent). Only
   * a URL on one of these origins, for this very path and query, may be claimed that way.
   */
  forwardedFrom?: string[];
}

/** Names the public URL Twilio called (and signed) when one of our services forwards its request. */
export const ORIGINAL_URL_HEADER = 'x-original-url';
const SIGNATURE_HEADER = 'x-twilio-signature';

/** The URL Twilio signed for this request: the public origin plus the original path and query. */
export function publicUrlOf(req: Pick<Request, 'originalUrl'>, publicBaseUrl: string): string {
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
  return twilio.validateRequest(authToken, signature, url, formParamsOf(req));
}

/** The form parameters Twilio signed, as strings (GET webhooks carry theirs in the signed URL). */
export function formParamsOf(req: Pick<Request, 'body'>): Record<string, string> {
  const params: Record<string, string> = {};
  if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) {
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) params[k] = String(v);
  }
  return params;
}

/** The URLs this request may have been signed for: ours, or the forwarding origin's it names. */
function signedUrlCandidates(req: Request, options: TwilioSignatureOptions, origins: Set<string>): string[] {
  const candidates = [publicUrlOf(req, options.publicBaseUrl)];
  const original = req.header(ORIGINAL_URL_HEADER);
  if (original && origins.size > 0) {
    const u = URL.canParse(original) ? new URL(original) : null;
    if (u && origins.has(u.origin) && u.pathname + u.search === req.originalUrl) candidates.push(original);
  }
  return candidates;
}

function refuse(req: Request, res: Response, detail: string): void {
  sendProblem(res, { type: 'about:blank', title: 'Forbidden', status: 403, detail, request_id: req.id });
}

/**
 * Express middleware for every Twilio webhook: answers 403 problem+json unless X-Twilio-Signature
 * matches. Runs after the body parsers (createHttpApp parses urlencoded forms and keeps req.rawBody).
 */
export function verifyTwilioSignature(options: TwilioSignatureOptions): RequestHandler {
  const { authToken } = options;
  const origins = new Set((options.forwardedFrom ?? []).map((u) => new URL(u).origin));
  return (req: Request, res: Response, next: NextFunction) => {
    if (!authToken) return refuse(req, res, 'TWILIO_AUTH_TOKEN is not configured: Twilio webhooks cannot be verified');
    const signature = req.header(SIGNATURE_HEADER);
    if (signature && signedUrlCandidates(req, options, origins).some((url) => isValidTwilioSignature(authToken, signature, url, req)))
      return next();
    refuse(req, res, 'X-Twilio-Signature is missing or does not match this request');
  };
}

/**
 * What a service that forwards a Twilio webhook to another of ours must add so that the receiver's
 * `verifyTwilioSignature({ forwardedFrom: [our origin] })` can check it: the signature as Twilio sent
 * it and the public URL Twilio called. The body must be forwarded byte for byte.
 */
export function forwardedTwilioHeaders(req: Request, publicBaseUrl: string): Record<string, string> {
  const publicUrl = publicUrlOf(req, publicBaseUrl);
  const headers: Record<string, string> = {
    [ORIGINAL_URL_HEADER]: publicUrl,
    'x-forwarded-proto': new URL(publicUrl).protocol.replace(':', ''),
    'x-forwarded-host': new URL(publicUrl).host,
  };
  const signature = req.header(SIGNATURE_HEADER);
  if (signature) headers[SIGNATURE_HEADER] = signature;
  return headers;
}

/** The WebSocket URL of a `<Stream>` on our public origin (wss for an https origin); `path` may carry a query. */
export function publicStreamUrl(publicBaseUrl: string, path: string): string {
  const u = new URL(publicBaseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = u.toString().replace(/\/+$/, '');
  return base + (path.startsWith('/') ? path : `/${path}`);
}

/**
 * Media Streams: Twilio signs the WebSocket handshake as it signs a webhook, over the `<Stream>`
 * URL it connects to (wss://, no form parameters). False when the signature is missing or wrong, or
 * when no auth token is configured: an unsigned upgrade is never accepted.
 */
export function isSignedTwilioUpgrade(req: Pick<IncomingMessage, 'headers' | 'url'>, options: TwilioSignatureOptions): boolean {
  const signature = req.headers[SIGNATURE_HEADER];
  if (!options.authToken || typeof signature !== 'string' || !signature) return false;
  return twilio.validateRequest(options.authToken, signature, publicStreamUrl(options.publicBaseUrl, req.url ?? '/'), {});
}

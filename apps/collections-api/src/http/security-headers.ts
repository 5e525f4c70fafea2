import type { RequestHandler, Request, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, worked out once: with static options helmet sets the same headers on every response, but through
 * a dozen nested middlewares per request (about 1% of the gateway's CPU on its hottest route, bench:gateway). Running
 * helmet once against a recording response and replaying what it set gives the same headers for a loop of setHeader.
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
    },
    removeHeader: () => undefined,
  };
  let failed: unknown;
  helmet(options)({} as Request, recorder as unknown as Response, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed;
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

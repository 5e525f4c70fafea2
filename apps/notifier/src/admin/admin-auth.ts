import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { documentMiddleware, sendProblem } from '@recoup/http';

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/**
 * Operator access: `Authorization: Bearer <ADMIN_API_KEY>`, or HTTP Basic with the key as the
 * password (any user name) so a browser can open the queue board. Without a configured key the
 * route is closed, never open.
 */
export function adminAuth(adminKey: string | undefined, realm = 'Recoup admin'): RequestHandler {
  const check: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (!adminKey) {
      sendProblem(res, {
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
        detail: 'ADMIN_API_KEY is not configured; admin routes are closed',
        request_id: req.id,
      });
      return;
    }
    const header = req.header('authorization') ?? '';
    const [scheme, value = ''] = header.split(' ', 2);
    let presented: string | undefined;
    if (/^bearer$/i.test(scheme ?? '')) presented = value;
    else if (/^basic$/i.test(scheme ?? '')) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      presented = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (presented !== undefined && same(presented, adminKey)) return next();
    res.setHeader('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    sendProblem(res, {
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'admin credentials required (Bearer ADMIN_API_KEY, or Basic with it as the password)',
      request_id: req.id,
    });
  };
  return documentMiddleware(check, { security: [{ bearerAuth: [] }, { basicAuth: [] }] });
}

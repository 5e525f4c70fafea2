import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from '@recoup/http';
import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';
import { escapeHtml, page } from './html-page';

/**
 * Guards of the debtor-facing pages (/p /d /c and the sandbox /pay): fixed-window rate limits per address and per
 * link, a same-origin check and a synchronizer CSRF token on every POST, and URLs with their secret redacted for logs.
 * The links are bearer credentials (whoever holds one can pay, query or change contact choices), so guessing them
 * must be slow and a page elsewhere must not be able to submit their forms.
 */

export interface LinkLimits {
  /** Requests one address may make to the debtor pages per minute. */
  perAddressPerMinute: number;
  /** Requests for one link per minute (a debtor reloading is far below it). */
  perLinkPerMinute: number;
  /** Unknown, expired or malformed links one address may try per window before it is refused. */
  failuresPerAddress: number;
  failureWindowSeconds: number;
}

export const DEFAULT_LINK_LIMITS: LinkLimits = {
  perAddressPerMinute: 120,
  perLinkPerMinute: 30,
  failuresPerAddress: 20,
  failureWindowSeconds: 900,
};

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export interface LinkGuardsOptions {
  redis: Redis;
  /** Redis key prefix (the service's queue prefix). */
  prefix: string;
  /** Origins the pages are served from (collections-api's public URL, the message links' base URL). */
  allowedOrigins: string[];
  limits?: Partial<LinkLimits>;
  logger: Logger;
}

export class LinkGuards {
  private readonly limits: LinkLimits;
  private readonly origins: Set<string>;

  constructor(private readonly o: LinkGuardsOptions) {
    this.limits = { ...DEFAULT_LINK_LIMITS, ...o.limits };
    this.origins = new Set(o.allowedOrigins.map((u) => new URL(u).origin));
  }

  private key(...parts: string[]) {
    return `${this.o.prefix}:debtor-links:${parts.join(':')}`;
  }

  /** INCR + EXPIRE on a fixed window; the count after this request and the seconds left in the window. */
  private async hit(key: string, windowSeconds: number, by = 1): Promise<{ count: number; ttl: number }> {
    const [[, count], [, ttl]] = (await this.o.redis.multi().incrby(key, by).ttl(key).exec()) as [[null, number], [null, number]];
    if (ttl < 0) {
      await this.o.redis.expire(key, windowSeconds);
      return { count, ttl: windowSeconds };
    }
    return { count, ttl };
  }

  private tooMany(req: Request, res: Response, retryAfter: number) {
    sendProblem(
      res,
      {
        type: 'https://recoup.dev/problems/rate-limited',
        title: 'Too Many Requests',
        status: 429,
        detail: 'Too many requests for these pages from your address; try again later',
        request_id: req.id,
      },
      { 'Retry-After': String(Math.max(1, retryAfter)), 'Cache-Control': 'no-store' },
    );
  }

  /**
   * Per address (every request, and the failures it has had) and per link. Redis down: the pages stay up (a link is
   * 128 random bits; the limits are a second line), and it is logged.
   */
  limit(param: string): RequestHandler {
    return async (req: Request, res: Response, next: NextFunction) => {
      const ip = req.ip ?? 'unknown';
      try {
        const failures = Number((await this.o.redis.get(this.key('fail', ip))) ?? 0);
        if (failures >= this.limits.failuresPerAddress) {
          const ttl = await this.o.redis.ttl(this.key('fail', ip));
          return this.tooMany(req, res, ttl > 0 ? ttl : this.limits.failureWindowSeconds);
        }
        const perIp = await this.hit(this.key('ip', ip), 60);
        if (perIp.count > this.limits.perAddressPerMinute) return this.tooMany(req, res, perIp.ttl);
        const secret = req.params[param];
        if (typeof secret === 'string' && secret.length > 0) {
          const perLink = await this.hit(this.key('link', sha(secret).slice(0, 32)), 60);
          if (perLink.count > this.limits.perLinkPerMinute) return this.tooMany(req, res, perLink.ttl);
        }
      } catch (err) {
        this.o.logger.warn({ err: { message: (err as Error).message } }, 'debtor link rate limit unavailable; request allowed');
      }
      return next();
    };
  }

  /** Counts an unknown, expired or malformed link against the address. */
  async failed(req: Request): Promise<void> {
    await this.hit(this.key('fail', req.ip ?? 'unknown'), this.limits.failureWindowSeconds).catch(() => undefined);
  }

  /**
   * Same origin: a browser sends Origin on a form POST (the pages set `Referrer-Policy: same-origin`, so it is never
   * `null` for our own forms); without it, Referer. Neither, or another site: 403.
   */
  sameOrigin(): RequestHandler {
    return (req, res, next) => {
      const origin = req.get('origin');
      const referer = req.get('referer');
      let from: string | null = null;
      try {
        from = origin && origin !== 'null' ? new URL(origin).origin : referer ? new URL(referer).origin : null;
      } catch {
        from = null;
      }
      if (from && this.origins.has(from)) return next();
      req.log?.warn({ origin: from ?? origin ?? null }, 'debtor page POST from another origin refused');
      return forbidden(res, 'This form can only be sent from our own page.');
    };
  }

  /** A synchronizer token for one form of one link (kept an hour in Redis, by its hash). */
  async issueCsrf(subject: string): Promise<string> {
    const token = randomBytes(16).toString('base64url');
    await this.o.redis.set(this.key('csrf', sha(token)), sha(subject), 'EX', 3600);
    return token;
  }

  /** The form's token was issued for this link's form and has not expired. */
  async checkCsrf(token: unknown, subject: string): Promise<boolean> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(token)) return false;
    const stored = await this.o.redis.get(this.key('csrf', sha(token)));
    return stored === sha(subject);
  }
}

export function forbidden(res: Response, why: string) {
  res
    .status(403)
    .type('html')
    .send(page('Not allowed', `<h1>Not allowed</h1><p>${escapeHtml(why)} Please open the link from your message again.</p>`));
}

/** The hidden field every form carries. */
export const csrfField = (token: string) => `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;

/**
 * A URL (a request path or an absolute Referer) as it may be logged: the secret segment of /p /d /c /a /pay links and
 * whatever follows it replaced (`/p/[redacted]`).
 */
export function redactDebtorLinkUrl(url: string): string {
  return url.replace(/(^|\/\/[^/]+)\/(p|d|c|a|pay)\/(?!(?:done|cancelled)(?:[?#]|$))[^/?#]+.*$/s, '$1/$2/[redacted]');
}

import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { documentMiddleware, sendProblem } from '@recoup/http';
import type { IdempotencyStore, Outcome } from './store';

function replay(res: Response, outcome: Outcome): void {
  res.setHeader('Idempotent-Replayed', 'true');
  if (outcome.contentType) res.setHeader('Content-Type', outcome.contentType);
  res.status(outcome.status).send(outcome.body);
}

/**
 * Records what the handler sends (status, body, content type) and calls `done` once the
 * response has been written. Works for res.json, res.send, res.sendStatus and res.end.
 */
function captureResponse(res: Response, done: (outcome: Outcome | undefined) => void): void {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  const collect = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'),
    );
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    collect(chunk, rest[0]);
    return write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    collect(chunk, rest[0]);
    return end(chunk, ...rest);
  }) as Response['end'];
  let settled = false;
  res.once('finish', () => {
    settled = true;
    const contentType = res.getHeader('content-type');
    done({
      status: res.statusCode,
      body: Buffer.concat(chunks).toString('utf8'),
      ...(contentType ? { contentType: String(contentType) } : {}),
    });
  });
  // The connection dropped before the response finished: nothing reliable to store.
  res.once('close', () => {
    if (!settled) done(undefined);
  });
}

export interface WebhookIdempotencyOptions {
  store: IdempotencyStore;
  /** `stripe`, `twilio`, `sendgrid`: part of the key. */
  provider: string;
  /** The provider's event id (read after signature verification); undefined skips deduplication. */
  eventId: (req: Request) => string | undefined;
  /** How long a repeat delivery waits for the first one to finish before answering "retry later". */
  waitMs?: number;
}

/**
 * Deduplicates provider webhooks. Mount it after signature verification. The first delivery
 * runs the handler; repeats get its stored status and body. While the first is still being
 * processed, a repeat waits up to `waitMs`, then answers 503 with Retry-After: Stripe retries
 * any non-2xx and Twilio retries 5xx (with its #rc/#rp retry settings), so the event is
 * neither lost nor processed twice. A 5xx outcome is not kept: the record is released, so the provider's next
 * redelivery runs the handler again (a stored 503 from a 10-second database outage would otherwise be replayed to
 * every redelivery for an hour, found by `npm run faults`).
 */
export function webhookIdempotency(options: WebhookIdempotencyOptions): RequestHandler {
  const waitMs = options.waitMs ?? 5_000;
  return async (req: Request, res: Response, next: NextFunction) => {
    const eventId = options.eventId(req);
    if (!eventId) return next();
    const { store, provider } = options;
    try {
      const state = await store.awaitOutcome(provider, eventId, '', waitMs);
      if (state.kind === 'completed' || state.kind === 'failed') return replay(res, state.outcome);
      if (state.kind === 'processing') {
        res.setHeader('Retry-After', String(Math.max(Math.ceil((state.leaseExpiresAt.getTime() - Date.now()) / 1000), 1)));
        return sendProblem(res, {
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: `event ${eventId} is being processed; retry later`,
          request_id: req.id,
        });
      }
      if (state.kind === 'mismatch') return next(new Error('webhook fingerprint mismatch')); // webhooks carry no fingerprint
      captureResponse(res, (outcome) => {
        const finish =
          !outcome || outcome.status >= 500
            ? store.release(provider, eventId, state.token)
            : store.complete(provider, eventId, state.token, outcome);
        finish.catch((err: unknown) => req.log?.warn({ err, provider, eventId }, 'could not store webhook outcome'));
      });
      return next();
    } catch (err) {
      return next(err);
    }
  };
}

export interface IdempotencyKeyOptions {
  store: IdempotencyStore;
  /** Whose key space this is (the authenticated tenant); undefined skips it. */
  scope: (req: Request) => string | undefined;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on client POSTs, with Stripe's contract: a retry with the same key and the
 * same request gets the stored status and body (`Idempotent-Replayed: true`); the same key with
 * a different request is 422; a retry while the first is still running is 409. Requests refused
 * before doing anything (400, 401, 403, 404, 409, 422, 429) are not stored, so a corrected retry
 * can reuse the key; nor are server errors (5xx: the database was down, a dependency timed out):
 * the client's retry with the same key runs the request again, which is why handlers behind this
 * middleware must themselves be safe to re-run (deterministic job ids, unique rows). Replaying a
 * stored 503 would turn a 10-second outage into a permanent failure for that key.
 */
export function idempotencyKey(options: IdempotencyKeyOptions): RequestHandler {
  const once: RequestHandler = async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('idempotency-key');
    const scope = options.scope(req);
    if (key === undefined || !scope) return next();
    if (!KEY_PATTERN.test(key)) {
      return sendProblem(res, {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'Idempotency-Key must be 1-255 visible ASCII characters',
        request_id: req.id,
        errors: [{ field: 'headers.idempotency-key', pointer: '/idempotency-key', detail: 'invalid format' }],
      });
    }
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.originalUrl}\n`)
      .update(req.rawBody ?? Buffer.alloc(0))
      .digest('base64url');
    const provider = `client:${scope}`;
    try {
      const state = await options.store.begin(provider, key, fingerprint);
      if (state.kind === 'completed' || state.kind === 'failed') return replay(res, state.outcome);
      if (state.kind === 'mismatch') {
        return sendProblem(res, {
          type: 'https://recoup.dev/problems/idempotency-key-reused',
          title: 'Unprocessable Content',
          status: 422,
          detail: 'This Idempotency-Key was used with a different request; use a new key for a new request',
          request_id: req.id,
          errors: [{ field: 'headers.idempotency-key', pointer: '/idempotency-key', detail: 'reused with a different request' }],
        });
      }
      if (state.kind === 'processing') {
        res.setHeader('Retry-After', '1');
        return sendProblem(res, {
          type: 'https://recoup.dev/problems/idempotency-key-in-use',
          title: 'Conflict',
          status: 409,
          detail: 'A request with this Idempotency-Key is still being processed',
          request_id: req.id,
        });
      }
      const { token } = state;
      captureResponse(res, (outcome) => {
        const store = options.store;
        const retryable = !outcome || outcome.status >= 500 || [400, 401, 403, 404, 409, 422, 429].includes(outcome.status);
        const finish = retryable ? store.release(provider, key, token) : store.complete(provider, key, token, outcome);
        finish.catch((err: unknown) => req.log?.warn({ err }, 'could not store idempotent outcome'));
      });
      return next();
    } catch (err) {
      return next(err);
    }
  };
  return documentMiddleware(once, { idempotencyKey: true });
}

import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a books fake (Xero, QuickBooks) received, as the SDK sent it. */
export interface BooksFakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface BooksFakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The OAuth 2.0 side both vendors share: codes (with an optional PKCE challenge), rotating refresh tokens, revocation. */
export class FakeOAuthServer {
  private readonly codes = new Map<string, { redirectUri: string; challenge?: string; realmId?: string }>();
  private readonly refreshTokens = new Set<string>();
  readonly accessTokens = new Set<string>();
  /** invalid_grant on every refresh from now on (the user disconnected the app in the books). */
  revoked = false;

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
  ) {}

  /** The consent screen, auto-approved: 302 to the redirect URI with a single-use code and the state. */
  authorize(query: URLSearchParams, extra: Record<string, string> = {}): BooksFakeReply {
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('client_id') !== this.clientId || !redirectUri) return { status: 400, body: { error: 'invalid_request' } };
    const code = randomBytes(12).toString('hex');
    this.codes.set(code, { redirectUri, challenge: query.get('code_challenge') ?? undefined, ...extra });
    const to = new URL(redirectUri);
    to.searchParams.set('code', code);
    to.searchParams.set('state', query.get('state') ?? '');
    for (const [k, v] of Object.entries(extra)) to.searchParams.set(k, v);
    return { status: 302, headers: { location: to.toString() } };
  }

  /** POST token endpoint: authorization_code (PKCE S256 checked when a challenge was sent) and refresh_token. */
  token(headers: IncomingMessage['headers'], body: string): BooksFakeReply {
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    if (headers.authorization !== `Basic ${basic}`) return { status: 401, body: { error: 'invalid_client' } };
    const form = new URLSearchParams(body);
    if (form.get('grant_type') === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!code || code.redirectUri !== form.get('redirect_uri')) return { status: 400, body: { error: 'invalid_grant' } };
      if (code.challenge) {
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge)
          return { status: 400, body: { error: 'invalid_grant' } };
      }
      return { status: 200, body: this.issue() };
    }
    if (form.get('grant_type') === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      if (this.revoked || !this.refreshTokens.has(token)) return { status: 400, body: { error: 'invalid_grant' } };
      this.refreshTokens.delete(token); // both vendors rotate refresh tokens
      return { status: 200, body: this.issue() };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  revokeAll(): void {
    this.revoked = true;
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }

  /** Expires every access token (the next API call answers 401 until the client refreshes). */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  bearerOk(headers: IncomingMessage['headers']): boolean {
    return this.accessTokens.has(String(headers.authorization ?? '').replace(/^Bearer /i, ''));
  }

  private issue() {
    const access = `at_${randomBytes(16).toString('hex')}`;
    const refresh = `rt_${randomBytes(16).toString('hex')}`;
    this.accessTokens.add(access);
    this.refreshTokens.add(refresh);
    return { access_token: access, refresh_token: refresh, expires_in: 1800, token_type: 'Bearer', x_refresh_token_expires_in: 8_726_400 };
  }
}

/** A loopback HTTP server that records every request and hands it to `handle`; scripted replies go first. */
export abstract class BooksFakeServer {
  readonly requests: BooksFakeRequest[] = [];
  protected readonly scripted: Array<BooksFakeReply & { path: RegExp }> = [];
  private server?: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** The next request whose path matches gets this reply (a 429, a 500) instead of the normal answer. */
  replyOnce(path: RegExp, reply: BooksFakeReply): void {
    this.scripted.push({ ...reply, path });
  }

  protected abstract handle(req: BooksFakeRequest): BooksFakeReply;

  async listen(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const recorded: BooksFakeRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(recorded);
        const i = this.scripted.findIndex((s) => s.path.test(recorded.path));
        const reply = (i >= 0 ? this.scripted.splice(i, 1)[0] : undefined) ?? this.safeHandle(recorded);
        send(res, reply);
      });
    });
    const server = this.server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return this;
  }

  private safeHandle(req: BooksFakeRequest): BooksFakeReply {
    try {
      return this.handle(req);
    } catch (err) {
      return { status: 500, body: { error: (err as Error).message } };
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

function send(res: ServerResponse, reply: BooksFakeReply): void {
  const headers = { ...(reply.body !== undefined ? { 'content-type': 'application/json' } : {}), ...reply.headers };
  res.writeHead(reply.status, headers);
  res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
}

/** base64(HMAC-SHA256(key, body)): how Xero and Intuit sign webhooks. */
export const signBooksWebhook = (key: string, body: string): string => createHmac('sha256', key).update(body).digest('base64');

import { createHash } from 'node:crypto';
import { Issuer, type Client, type TokenSet as OidcTokenSet } from 'openid-client';
import { XeroClient, type Contact, type Invoice, type Payment } from 'xero-node';
import {
  AccountingAuthRevoked,
  AccountingRateLimited,
  WebhookNotConfigured,
  toMajorUnits,
  toMinorUnits,
  type AccountingProvider,
  type AccountingTokens,
  type AuthorizeRequest,
  type BooksChanges,
  type BooksContact,
  type BooksInvoice,
  type BooksOrganisation,
  type BooksPayment,
  type BooksWebhook,
  type CallbackRequest,
  type ConnectionAuth,
  type WriteBackPayment,
} from './accounting.port';
import { assertHmacSignature, headerValue } from './webhook-signature';

export interface XeroOptions {
  clientId: string;
  clientSecret: string;
  /** The app's webhook key (developer portal → Webhooks): signs `x-xero-signature`. */
  webhookKey?: string;
  /** https://identity.xero.com (token, revocation); a loopback fake in tests. */
  identityUrl?: string;
  /** https://login.xero.com/identity/connect/authorize */
  authorizeUrl?: string;
  /** https://api.xero.com (connections, api.xro/2.0). */
  apiUrl?: string;
  /** Longest Retry-After the adapter waits for in place; a longer one is thrown to the job (AccountingRateLimited). */
  maxInlineWaitMs?: number;
  /** The bank account (code) Xero records a written-back payment into; 090 is the demo company's business account. */
  paymentAccountCode?: string;
  clock?: () => Date;
}

// offline_access: a refresh token. No openid scope: we need no ID token, so there is nothing to validate but the code.
const SCOPES = ['offline_access', 'accounting.transactions', 'accounting.contacts', 'accounting.settings.read'];
const PAGE_SIZE = 100;

interface XeroFailure {
  response?: { statusCode?: number; headers?: Record<string, string>; body?: unknown };
}

/**
 * Xero on the official SDK (`xero-node`): OAuth 2.0 authorization code with PKCE and refresh through the SDK's OpenID
 * client, the Accounting API through `accountingApi` (its basePath points at a loopback fake in tests), webhooks signed
 * with HMAC-SHA256 in `x-xero-signature` (an unsigned or badly signed delivery, the intent-to-receive check included, is
 * refused). Rate limits: a 429 waits Retry-After when short, else throws AccountingRateLimited; when
 * X-MinLimit-Remaining reaches 0 the next call is refused until the minute has passed, so the job re-queues instead of
 * burning the day's allowance on 429s.
 */
export class XeroAccounting implements AccountingProvider {
  readonly name = 'xero' as const;
  private readonly identityUrl: string;
  private readonly apiUrl: string;
  private readonly authorizeEndpoint: string;
  private minuteLimitResetAt = 0;

  constructor(private readonly options: XeroOptions) {
    this.identityUrl = (options.identityUrl ?? 'https://identity.xero.com').replace(/\/$/, '');
    this.apiUrl = (options.apiUrl ?? 'https://api.xero.com').replace(/\/$/, '');
    this.authorizeEndpoint = options.authorizeUrl ?? 'https://login.xero.com/identity/connect/authorize';
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  /**
   * One SDK client per use: XeroClient keeps its token set in the instance, and connections of many tenants share
   * this adapter. `initialize()` would discover https://identity.xero.com itself; the issuer is built from the
   * configured endpoints instead (the same metadata Xero publishes), so tests point it at the fake.
   */
  private client(redirectUri?: string, tokens?: AccountingTokens): XeroClient {
    const xero = new XeroClient({
      clientId: this.options.clientId,
      clientSecret: this.options.clientSecret,
      redirectUris: redirectUri ? [redirectUri] : [],
      scopes: SCOPES,
    });
    const issuer = new Issuer({
      issuer: this.identityUrl,
      authorization_endpoint: this.authorizeEndpoint,
      token_endpoint: `${this.identityUrl}/connect/token`,
      revocation_endpoint: `${this.identityUrl}/connect/revocation`,
    });
    xero.openIdClient = new issuer.Client({
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      redirect_uris: redirectUri ? [redirectUri] : undefined,
      token_endpoint_auth_method: 'client_secret_basic',
    }) as Client;
    xero.accountingApi.basePath = `${this.apiUrl}/api.xro/2.0`;
    if (tokens) {
      xero.setTokenSet({
        access_token: tokens.accessToken,
        refresh_token: tokens.refreshToken,
        token_type: 'Bearer',
        expires_at: Math.floor(tokens.expiresAt.getTime() / 1000),
      });
    }
    return xero;
  }

  async authorizeUrl(request: AuthorizeRequest): Promise<string> {
    const challenge = createHash('sha256').update(request.codeVerifier).digest('base64url');
    return this.client(request.redirectUri).openIdClient.authorizationUrl({
      redirect_uri: request.redirectUri,
      scope: SCOPES.join(' '),
      state: request.state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
  }

  async completeAuthorization(request: CallbackRequest): Promise<{ tokens: AccountingTokens; organisations: BooksOrganisation[] }> {
    const xero = this.client(request.redirectUri);
    let set: OidcTokenSet;
    try {
      set = await xero.openIdClient.oauthCallback(
        request.redirectUri,
        { code: request.query.code, state: request.query.state },
        { state: request.query.state, code_verifier: request.codeVerifier },
      );
    } catch (err) {
      throw oauthFailure(err);
    }
    const tokens = tokensOf(set, this.now());
    // GET /connections: the organisations this grant may read. xero-node's updateTenants() calls
    // https://api.xero.com/connections with a fixed host, so the documented endpoint is called here on the configured one.
    const res = await fetch(`${this.apiUrl}/connections`, {
      headers: { authorization: `Bearer ${tokens.accessToken}`, accept: 'application/json' },
    });
    if (res.status === 401) throw new AccountingAuthRevoked('Xero refused the new access token on /connections');
    if (!res.ok) throw new Error(`Xero /connections answered ${res.status}`);
    const connections = (await res.json()) as Array<{ tenantId: string; tenantName?: string; tenantType?: string }>;
    return {
      tokens,
      organisations: connections
        .filter((c) => (c.tenantType ?? 'ORGANISATION') === 'ORGANISATION')
        .map((c) => ({ externalTenantId: c.tenantId, name: c.tenantName ?? c.tenantId })),
    };
  }

  async refresh(tokens: AccountingTokens): Promise<AccountingTokens> {
    const xero = this.client(undefined, tokens);
    try {
      return tokensOf(await xero.refreshToken(), this.now());
    } catch (err) {
      throw oauthFailure(err);
    }
  }

  async revoke(tokens: AccountingTokens): Promise<void> {
    await this.client(undefined, tokens).revokeToken();
  }

  async fetchChanges(auth: ConnectionAuth, since: Date | null): Promise<BooksChanges> {
    const asOf = this.now();
    const xero = this.client(undefined, auth.tokens);
    const tenant = auth.externalTenantId;
    const modified = since ?? undefined;
    const contacts = await this.paged((page) =>
      xero.accountingApi.getContacts(tenant, modified, undefined, undefined, undefined, page, true, undefined, undefined, PAGE_SIZE),
    ).then((pages) => pages.flatMap((b) => b.contacts ?? []));
    const invoices = await this.paged((page) =>
      xero.accountingApi.getInvoices(
        tenant,
        modified,
        'Type=="ACCREC"',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        page,
        true,
        undefined,
        undefined,
        undefined,
        PAGE_SIZE,
      ),
    ).then((pages) => pages.flatMap((b) => b.invoices ?? []));
    const payments = await this.paged((page) =>
      xero.accountingApi.getPayments(tenant, modified, undefined, undefined, page, PAGE_SIZE),
    ).then((pages) => pages.flatMap((b) => b.payments ?? []));
    return {
      contacts: contacts.filter((c) => c.contactID).map(contactOf),
      invoices: invoices.filter((i) => i.invoiceID && String(i.type) === 'ACCREC').map(invoiceOf),
      payments: payments.filter((p) => p.paymentID && p.invoice?.invoiceID).map(paymentOf),
      asOf,
    };
  }

  async writeBackPayment(auth: ConnectionAuth, payment: WriteBackPayment): Promise<{ externalPaymentId: string }> {
    const xero = this.client(undefined, auth.tokens);
    const body: Payment = {
      invoice: { invoiceID: payment.invoiceExternalId },
      account: { code: this.options.paymentAccountCode ?? '090' },
      amount: toMajorUnits(payment.amountPence, payment.currency),
      date: payment.receivedAt.toISOString().slice(0, 10),
      reference: `recoup:${payment.paymentId}`,
    };
    // Idempotency-Key: a retried job (a lost response, a crash after the call) creates no second payment in Xero.
    const result = await this.call(() =>
      xero.accountingApi.createPayment(auth.externalTenantId, body, `recoup-payment-${payment.paymentId}`),
    );
    const id = result.payments?.[0]?.paymentID;
    if (!id) throw new Error('Xero answered no PaymentID');
    return { externalPaymentId: id };
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): BooksWebhook {
    if (!this.options.webhookKey) throw new WebhookNotConfigured('XERO_WEBHOOK_KEY');
    assertHmacSignature(this.options.webhookKey, rawBody, headerValue(headers, 'x-xero-signature'), 'x-xero-signature');
    const body = JSON.parse(rawBody.toString('utf8')) as {
      events?: Array<{ tenantId?: string; eventCategory?: string; resourceId?: string }>;
    };
    const events = body.events ?? [];
    if (events.length === 0) return { kind: 'handshake' };
    const type = (c?: string) =>
      c === 'INVOICE' ? 'invoice' : c === 'CONTACT' ? 'contact' : c === 'CREDITNOTE' ? 'credit_note' : 'payment';
    return {
      kind: 'changes',
      externalTenantIds: [...new Set(events.map((e) => e.tenantId).filter((t): t is string => !!t))],
      entities: events.map((e) => ({ type: type(e.eventCategory), id: e.resourceId ?? '' })),
    };
  }

  private async paged<T>(fetchPage: (page: number) => Promise<{ body: T; response: { headers?: unknown } }>): Promise<T[]> {
    const pages: T[] = [];
    for (let page = 1; ; page += 1) {
      const body = await this.call(() => fetchPage(page));
      pages.push(body);
      const items = Object.values(body as object).find(Array.isArray) as unknown[] | undefined;
      if (!items || items.length < PAGE_SIZE) return pages;
    }
  }

  /** One Accounting API call with Xero's limits honoured (429 + Retry-After, X-MinLimit-Remaining) and 401 mapped. */
  private async call<T>(run: () => Promise<{ body: T; response: { headers?: unknown } }>, retried = false): Promise<T> {
    const waitMs = this.minuteLimitResetAt - this.now().getTime();
    if (waitMs > 0) throw new AccountingRateLimited('Xero minute limit used up (X-MinLimit-Remaining: 0)', waitMs);
    try {
      const { body, response } = await run();
      this.noteLimits(response.headers as Record<string, string> | undefined);
      return body;
    } catch (err) {
      const failure = parseFailure(err);
      const status = failure.response?.statusCode;
      if (status === 401) throw new AccountingAuthRevoked('Xero answered 401: the connection is no longer authorised');
      if (status === 429) {
        const retryAfterMs = Math.max(1, Number(failure.response?.headers?.['retry-after'] ?? 60)) * 1000;
        if (!retried && retryAfterMs <= (this.options.maxInlineWaitMs ?? 2_000)) {
          await new Promise((r) => setTimeout(r, retryAfterMs));
          return this.call(run, true);
        }
        throw new AccountingRateLimited(
          `Xero rate limit (${failure.response?.headers?.['x-rate-limit-problem'] ?? 'minute'})`,
          retryAfterMs,
        );
      }
      if (status) throw new Error(`Xero answered ${status}: ${JSON.stringify(failure.response?.body ?? '').slice(0, 300)}`);
      throw err;
    }
  }

  private noteLimits(headers: Record<string, string> | undefined): void {
    const remaining = headers?.['x-minlimit-remaining'];
    if (remaining !== undefined && Number(remaining) <= 0) this.minuteLimitResetAt = this.now().getTime() + 60_000;
  }
}

function parseFailure(err: unknown): XeroFailure {
  // xero-node rejects API calls with a JSON string of { response: { statusCode, headers, body } }.
  if (typeof err === 'string') {
    try {
      return JSON.parse(err) as XeroFailure;
    } catch {
      return {};
    }
  }
  return (err ?? {}) as XeroFailure;
}

function oauthFailure(err: unknown): Error {
  const e = err as { error?: string; message?: string };
  if (e?.error === 'invalid_grant' || e?.error === 'unauthorized_client') {
    return new AccountingAuthRevoked(`Xero refused the grant (${e.error}): reconnect`);
  }
  return err instanceof Error ? err : new Error(String(e?.message ?? err));
}

function tokensOf(
  set: { access_token?: string; refresh_token?: string; expires_at?: number; expires_in?: number },
  now: Date,
): AccountingTokens {
  if (!set.access_token || !set.refresh_token) throw new Error('Xero answered no access or refresh token');
  const expiresAt = set.expires_at ? new Date(set.expires_at * 1000) : new Date(now.getTime() + (set.expires_in ?? 1800) * 1000);
  return { accessToken: set.access_token, refreshToken: set.refresh_token, expiresAt };
}

function dateOf(v: unknown): Date {
  if (v instanceof Date) return v;
  const s = String(v ?? '');
  const ms = /\/Date\((-?\d+)/.exec(s);
  if (ms) return new Date(Number(ms[1]));
  return new Date(s.length === 10 ? `${s}T00:00:00Z` : s.endsWith('Z') ? s : `${s}Z`);
}

const day = (v: unknown): Date => {
  const d = dateOf(v);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
};

function contactOf(c: Contact): BooksContact {
  const phone = c.phones?.find((p) => p.phoneNumber);
  return {
    externalId: c.contactID as string,
    name: c.name ?? [c.firstName, c.lastName].filter(Boolean).join(' ') ?? 'Unnamed contact',
    email: c.emailAddress || null,
    phone: phone
      ? [phone.phoneCountryCode ? `+${phone.phoneCountryCode}` : '', phone.phoneAreaCode ?? '', phone.phoneNumber].join('')
      : null,
    kind: c.companyNumber || !c.firstName ? 'business' : 'consumer',
    updatedAt: dateOf(c.updatedDateUTC),
  };
}

function invoiceOf(i: Invoice): BooksInvoice {
  const currency = String(i.currencyCode ?? 'GBP');
  const total = toMinorUnits(i.total, currency);
  const credited = toMinorUnits(i.amountCredited, currency);
  const status = String(i.status);
  return {
    externalId: i.invoiceID as string,
    contactExternalId: i.contact?.contactID ?? '',
    reference: i.invoiceNumber || (i.invoiceID as string),
    amountPence: total - credited,
    currency,
    issueDate: day(i.date),
    dueDate: day(i.dueDate ?? i.date),
    status:
      status === 'VOIDED' || status === 'DELETED'
        ? 'voided'
        : status === 'PAID'
          ? 'paid'
          : status === 'DRAFT' || status === 'SUBMITTED'
            ? 'draft'
            : 'open',
    creditedPence: credited,
    updatedAt: dateOf(i.updatedDateUTC),
  };
}

function paymentOf(p: Payment): BooksPayment {
  const currency = String(p.invoice?.currencyCode ?? 'GBP');
  return {
    externalId: p.paymentID as string,
    invoiceExternalId: p.invoice?.invoiceID as string,
    amountPence: toMinorUnits(p.amount, currency),
    currency,
    receivedAt: dateOf(p.date),
    reference: p.reference ?? null,
    deleted: String(p.status) === 'DELETED',
  };
}

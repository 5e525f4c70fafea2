import OAuthClient from 'intuit-oauth';
import QuickBooks from 'node-quickbooks';
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

export interface QuickBooksOptions {
  clientId: string;
  clientSecret: string;
  /** The app's webhook verifier token (developer portal → Webhooks): signs `intuit-signature`. */
  webhookVerifierToken?: string;
  environment?: 'sandbox' | 'production';
  /** https://appcenter.intuit.com/connect/oauth2 */
  authorizeUrl?: string;
  /** https://oauth.platform.intuit.com/oauth2/v1 (tokens/bearer, tokens/revoke); a loopback fake in tests. */
  oauthUrl?: string;
  /** The Accounting API up to `/v3/company/` (sandbox-quickbooks.api.intuit.com by default in sandbox). */
  apiUrl?: string;
  clock?: () => Date;
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- QuickBooks JSON, read field by field below

/**
 * QuickBooks Online on the official SDKs: `intuit-oauth` for OAuth 2.0 (authorization code, refresh; Intuit's
 * endpoints set through setAuthorizeURLs so tests reach a loopback fake) and `node-quickbooks` for the Accounting API
 * (`endpoint` set to the configured base). Changes are read with Change Data Capture (`/cdc`, at most 30 days back;
 * a first sync with no cursor asks for 30 days). Webhooks are signed with HMAC-SHA256 of the verifier token in
 * `intuit-signature`. Payments are written with `requestid` (the SDK's `requestId`), QuickBooks' idempotency key.
 */
export class QuickBooksAccounting implements AccountingProvider {
  readonly name = 'quickbooks' as const;

  constructor(private readonly options: QuickBooksOptions) {}

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  private oauth(redirectUri = ''): OAuthClient {
    const client = new OAuthClient({
      environment: this.options.environment ?? 'sandbox',
      clientId: this.options.clientId,
      clientSecret: this.options.clientSecret,
      redirectUri,
    });
    if (this.options.oauthUrl || this.options.authorizeUrl) {
      const base = (this.options.oauthUrl ?? 'https://oauth.platform.intuit.com/oauth2/v1').replace(/\/$/, '');
      client.setAuthorizeURLs({
        authorizeEndpoint: this.options.authorizeUrl ?? 'https://appcenter.intuit.com/connect/oauth2',
        tokenEndpoint: `${base}/tokens/bearer`,
        revokeEndpoint: `${base}/tokens/revoke`,
        userInfoEndpoint: `${base}/userinfo`,
      });
    }
    return client;
  }

  private api(auth: ConnectionAuth): QuickBooks {
    const qbo = new QuickBooks(
      this.options.clientId,
      this.options.clientSecret,
      auth.tokens.accessToken,
      false,
      auth.externalTenantId,
      (this.options.environment ?? 'sandbox') === 'sandbox',
      false,
      '75',
      '2.0',
      auth.tokens.refreshToken,
    );
    if (this.options.apiUrl) qbo.endpoint = `${this.options.apiUrl.replace(/\/$/, '')}/v3/company/`;
    return qbo;
  }

  async authorizeUrl(request: AuthorizeRequest): Promise<string> {
    // Intuit's OAuth 2.0 takes no PKCE challenge for confidential clients; the state is the CSRF guard.
    return this.oauth(request.redirectUri).authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: request.state });
  }

  async completeAuthorization(request: CallbackRequest): Promise<{ tokens: AccountingTokens; organisations: BooksOrganisation[] }> {
    const realmId = request.query.realmId;
    if (!realmId) throw new Error('QuickBooks callback carries no realmId');
    const query = new URLSearchParams(request.query).toString();
    try {
      const res = await this.oauth(request.redirectUri).createToken(`${request.redirectUri}?${query}`);
      return {
        tokens: this.tokensOf(res.getJson()),
        organisations: [{ externalTenantId: realmId, name: `QuickBooks company ${realmId}` }],
      };
    } catch (err) {
      throw oauthFailure(err);
    }
  }

  async refresh(tokens: AccountingTokens): Promise<AccountingTokens> {
    try {
      const res = await this.oauth().refreshUsingToken(tokens.refreshToken);
      return this.tokensOf(res.getJson());
    } catch (err) {
      throw oauthFailure(err);
    }
  }

  async revoke(tokens: AccountingTokens): Promise<void> {
    await this.oauth().revoke({ refresh_token: tokens.refreshToken });
  }

  async fetchChanges(auth: ConnectionAuth, since: Date | null): Promise<BooksChanges> {
    const asOf = this.now();
    const from = since ?? new Date(asOf.getTime() - 30 * 24 * 3600_000);
    const qbo = this.api(auth);
    const body = await this.call<Row>((cb) => qbo.changeDataCapture(['Customer', 'Invoice', 'Payment'], from, cb));
    const lists: Record<string, Row[]> = {};
    for (const response of (body.CDCResponse ?? []) as Row[]) {
      for (const qr of (response.QueryResponse ?? []) as Row[]) {
        for (const [key, value] of Object.entries(qr)) if (Array.isArray(value)) (lists[key] ??= []).push(...value);
      }
    }
    return {
      contacts: (lists.Customer ?? []).map(customerOf),
      invoices: (lists.Invoice ?? []).map(invoiceOf),
      payments: (lists.Payment ?? []).flatMap(paymentsOf),
      asOf: body.time ? new Date(body.time) : asOf,
    };
  }

  async writeBackPayment(auth: ConnectionAuth, payment: WriteBackPayment): Promise<{ externalPaymentId: string }> {
    const qbo = this.api(auth);
    const customer = await this.call<Row>((cb) => qbo.getInvoice(payment.invoiceExternalId, cb));
    const amount = toMajorUnits(payment.amountPence, payment.currency);
    const body = {
      CustomerRef: { value: customer.CustomerRef?.value ?? customer.Invoice?.CustomerRef?.value },
      TotalAmt: amount,
      TxnDate: payment.receivedAt.toISOString().slice(0, 10),
      PaymentRefNum: `recoup:${payment.paymentId}`.slice(0, 21),
      PrivateNote: `recoup:${payment.paymentId}`,
      CurrencyRef: { value: payment.currency },
      Line: [{ Amount: amount, LinkedTxn: [{ TxnId: payment.invoiceExternalId, TxnType: 'Invoice' }] }],
      // node-quickbooks sends requestId as ?requestid=: QuickBooks answers a repeated request id with the first result.
      requestId: `recoup-payment-${payment.paymentId}`,
    };
    const created = await this.call<Row>((cb) => qbo.createPayment(body as never, cb));
    const id = created.Id ?? created.Payment?.Id;
    if (!id) throw new Error('QuickBooks answered no Payment Id');
    return { externalPaymentId: String(id) };
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): BooksWebhook {
    if (!this.options.webhookVerifierToken) throw new WebhookNotConfigured('QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN');
    assertHmacSignature(this.options.webhookVerifierToken, rawBody, headerValue(headers, 'intuit-signature'), 'intuit-signature');
    const body = JSON.parse(rawBody.toString('utf8')) as {
      eventNotifications?: Array<{ realmId?: string; dataChangeEvent?: { entities?: Array<{ name?: string; id?: string }> } }>;
    };
    const notes = body.eventNotifications ?? [];
    const type = (n?: string) =>
      n === 'Invoice' ? 'invoice' : n === 'Customer' ? 'contact' : n === 'CreditMemo' ? 'credit_note' : 'payment';
    return {
      kind: 'changes',
      externalTenantIds: [...new Set(notes.map((n) => n.realmId).filter((r): r is string => !!r))],
      entities: notes.flatMap((n) => (n.dataChangeEvent?.entities ?? []).map((e) => ({ type: type(e.name), id: e.id ?? '' }))),
    };
  }

  private tokensOf(json: Row): AccountingTokens {
    if (!json.access_token || !json.refresh_token) throw new Error('QuickBooks answered no access or refresh token');
    return {
      accessToken: json.access_token,
      refreshToken: json.refresh_token,
      expiresAt: new Date(this.now().getTime() + Number(json.expires_in ?? 3600) * 1000),
    };
  }

  /** node-quickbooks' callback API as a promise, with 401 and 429 (QuickBooks throttling) mapped. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK's callback body type varies per entity
  private call<T>(run: (cb: (err: unknown, body: any) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      run((err, body) => {
        if (!err) return resolve(body as T);
        const e = err as { response?: { status?: number; headers?: Record<string, string>; data?: unknown }; Fault?: unknown };
        const status = e.response?.status;
        if (status === 401) return reject(new AccountingAuthRevoked('QuickBooks answered 401: the connection is no longer authorised'));
        if (status === 429) {
          const retryAfter = Number(e.response?.headers?.['retry-after'] ?? 60);
          return reject(new AccountingRateLimited('QuickBooks throttled the request (429)', Math.max(1, retryAfter) * 1000));
        }
        const detail = JSON.stringify(e.response?.data ?? e.Fault ?? String(err)).slice(0, 300);
        return reject(new Error(`QuickBooks answered ${status ?? 'an error'}: ${detail}`));
      });
    });
  }
}

function oauthFailure(err: unknown): Error {
  const e = err as { error?: string; message?: string; authResponse?: { response?: { status?: number } } };
  if (e?.error === 'invalid_grant' || /invalid_grant/.test(e?.message ?? '')) {
    return new AccountingAuthRevoked('QuickBooks refused the grant (invalid_grant): reconnect');
  }
  return err instanceof Error ? err : new Error(String(e?.message ?? err));
}

const day = (s: unknown): Date => new Date(`${String(s).slice(0, 10)}T00:00:00Z`);
const updated = (r: Row): Date => new Date(r.MetaData?.LastUpdatedTime ?? 0);

function customerOf(c: Row): BooksContact {
  return {
    externalId: String(c.Id),
    name: c.DisplayName ?? c.CompanyName ?? [c.GivenName, c.FamilyName].filter(Boolean).join(' '),
    email: c.PrimaryEmailAddr?.Address ?? null,
    phone: c.PrimaryPhone?.FreeFormNumber ?? c.Mobile?.FreeFormNumber ?? null,
    kind: c.CompanyName || !c.GivenName ? 'business' : 'consumer',
    updatedAt: updated(c),
  };
}

function invoiceOf(i: Row): BooksInvoice {
  const currency = String(i.CurrencyRef?.value ?? 'GBP');
  const total = toMinorUnits(i.TotalAmt, currency);
  // CDC marks a deleted entity with status "Deleted"; a voided invoice keeps its row with a zero total and a "Voided" note.
  const voided = i.status === 'Deleted' || (total === 0 && /void/i.test(String(i.PrivateNote ?? '')));
  const balance = toMinorUnits(i.Balance, currency);
  return {
    externalId: String(i.Id),
    contactExternalId: String(i.CustomerRef?.value ?? ''),
    reference: i.DocNumber ?? String(i.Id),
    amountPence: total,
    currency,
    issueDate: day(i.TxnDate ?? i.MetaData?.CreateTime),
    dueDate: day(i.DueDate ?? i.TxnDate ?? i.MetaData?.CreateTime),
    status: voided ? 'voided' : balance === 0 && total > 0 ? 'paid' : 'open',
    creditedPence: 0,
    updatedAt: updated(i),
  };
}

/** One QuickBooks payment may settle several invoices: one BooksPayment per invoice line, its own id `<payment>:<invoice>`. */
function paymentsOf(p: Row): BooksPayment[] {
  const currency = String(p.CurrencyRef?.value ?? 'GBP');
  const deleted = p.status === 'Deleted';
  const lines = ((p.Line ?? []) as Row[]).flatMap((l) =>
    ((l.LinkedTxn ?? []) as Row[]).filter((t) => t.TxnType === 'Invoice').map((t) => ({ invoiceId: String(t.TxnId), amount: l.Amount })),
  );
  return lines.map((l) => ({
    externalId: lines.length === 1 ? String(p.Id) : `${p.Id}:${l.invoiceId}`,
    invoiceExternalId: l.invoiceId,
    amountPence: toMinorUnits(l.amount, currency),
    currency,
    receivedAt: day(p.TxnDate),
    reference: p.PrivateNote?.startsWith('recoup:') ? p.PrivateNote : (p.PaymentRefNum ?? null),
    deleted,
  }));
}

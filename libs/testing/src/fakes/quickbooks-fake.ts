import { BooksFakeServer, FakeOAuthServer, signBooksWebhook, type BooksFakeReply, type BooksFakeRequest } from './books-fake-http';

export const QUICKBOOKS_FAKE_CLIENT = {
  clientId: 'qbo-fake-client-id',
  clientSecret: 'qbo-fake-client-secret',
  webhookVerifierToken: 'qbo-fake-verifier-token',
};

type Wire = Record<string, unknown> & { Id: string; MetaData: { CreateTime: string; LastUpdatedTime: string } };

/**
 * A loopback fake of QuickBooks Online, as Intuit documents it: OAuth 2.0 (GET /connect/oauth2 → 302 with code,
 * state and realmId; POST /oauth2/v1/tokens/bearer with rotating refresh tokens and invalid_grant once revoked;
 * /oauth2/v1/tokens/revoke) and the Accounting API under /v3/company/{realmId}: Change Data Capture (GET /cdc with
 * entities and changedSince, CDCResponse → QueryResponse lists, deleted rows as `status: "Deleted"`), GET
 * /invoice/{id}, POST /payment honouring `requestid` (a repeated request id answers the first result).
 */
export class QuickBooksFake extends BooksFakeServer {
  readonly oauth = new FakeOAuthServer(QUICKBOOKS_FAKE_CLIENT.clientId, QUICKBOOKS_FAKE_CLIENT.clientSecret);
  readonly realmId = '9130355377431234';
  readonly customers = new Map<string, Wire>();
  readonly invoices = new Map<string, Wire>();
  readonly payments = new Map<string, Wire>();
  private readonly requestIds = new Map<string, BooksFakeReply>();
  private nextId = 100;

  static async start(): Promise<QuickBooksFake> {
    return new QuickBooksFake().listen();
  }

  get authorizeUrl(): string {
    return `${this.url}/connect/oauth2`;
  }
  get oauthUrl(): string {
    return `${this.url}/oauth2/v1`;
  }

  private meta(now: Date, created?: string) {
    return { CreateTime: created ?? now.toISOString(), LastUpdatedTime: now.toISOString() };
  }

  addCustomer(name: string, email: string | null, now = new Date()): string {
    const Id = String(this.nextId++);
    this.customers.set(Id, {
      Id,
      SyncToken: '0',
      DisplayName: name,
      CompanyName: name,
      ...(email ? { PrimaryEmailAddr: { Address: email } } : {}),
      Active: true,
      MetaData: this.meta(now),
    });
    return Id;
  }

  addInvoice(
    customerId: string,
    f: { docNumber: string; total: number; currency?: string; txnDate: string; dueDate: string },
    now = new Date(),
  ): string {
    const Id = String(this.nextId++);
    this.invoices.set(Id, {
      Id,
      SyncToken: '0',
      DocNumber: f.docNumber,
      TxnDate: f.txnDate,
      DueDate: f.dueDate,
      CustomerRef: { value: customerId, name: String(this.customers.get(customerId)?.DisplayName ?? '') },
      CurrencyRef: { value: f.currency ?? 'GBP' },
      TotalAmt: f.total,
      Balance: f.total,
      Line: [{ Amount: f.total, DetailType: 'SalesItemLineDetail' }],
      MetaData: this.meta(now),
    });
    return Id;
  }

  /** The bookkeeper receives a payment against the invoice. */
  payInBooks(invoiceId: string, amount: number, now = new Date()): string {
    const inv = this.mustInvoice(invoiceId);
    return this.createPayment(
      {
        CustomerRef: inv.CustomerRef,
        TotalAmt: amount,
        TxnDate: now.toISOString().slice(0, 10),
        Line: [{ Amount: amount, LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] }],
      },
      now,
    );
  }

  /** QuickBooks' void: the invoice stays with zero amounts and a "Voided" note. */
  voidInBooks(invoiceId: string, now = new Date()): void {
    const inv = this.mustInvoice(invoiceId);
    Object.assign(inv, { TotalAmt: 0, Balance: 0, PrivateNote: 'Voided', SyncToken: String(Number(inv.SyncToken) + 1) });
    inv.MetaData = this.meta(now, inv.MetaData.CreateTime);
  }

  paymentsOf(invoiceId: string): Wire[] {
    return [...this.payments.values()].filter((p) =>
      (p.Line as Array<{ LinkedTxn: Array<{ TxnId: string }> }>).some((l) => l.LinkedTxn.some((t) => t.TxnId === invoiceId)),
    );
  }

  /** A webhook delivery as Intuit sends it, signed (or not) with the verifier token. */
  webhook(entities: Array<{ name: 'Invoice' | 'Customer' | 'Payment'; id: string }>, key = QUICKBOOKS_FAKE_CLIENT.webhookVerifierToken) {
    const body = JSON.stringify({
      eventNotifications: [
        {
          realmId: this.realmId,
          dataChangeEvent: { entities: entities.map((e) => ({ ...e, operation: 'Update', lastUpdated: new Date().toISOString() })) },
        },
      ],
    });
    return { body, signature: signBooksWebhook(key, body) };
  }

  protected handle(req: BooksFakeRequest): BooksFakeReply {
    if (req.path === '/connect/oauth2') return this.oauth.authorize(req.query, { realmId: this.realmId });
    if (req.path === '/oauth2/v1/tokens/bearer' && req.method === 'POST') return this.oauth.token(req.headers, req.body);
    if (req.path === '/oauth2/v1/tokens/revoke') {
      this.oauth.revokeAll();
      return { status: 200 };
    }
    const m = /^\/v3\/company\/([^/]+)\/(.+)$/.exec(req.path);
    if (!m) return { status: 404 };
    if (!this.oauth.bearerOk(req.headers)) {
      return {
        status: 401,
        body: { Fault: { Error: [{ Message: 'message=AuthenticationFailed', code: '3200' }], type: 'AUTHENTICATION' } },
      };
    }
    if (m[1] !== this.realmId)
      return { status: 403, body: { Fault: { Error: [{ Message: 'ApplicationAuthorizationFailed', code: '003100' }] } } };
    const time = new Date().toISOString();
    const resource = m[2] ?? '';
    if (resource === 'cdc' && req.method === 'GET') {
      const since = Date.parse(req.query.get('changedSince') ?? '');
      if (Number.isNaN(since)) return { status: 400, body: { Fault: { Error: [{ Message: 'changedSince is required', code: '2010' }] } } };
      const names = (req.query.get('entities') ?? '').split(',');
      const source: Record<string, Map<string, Wire>> = { Customer: this.customers, Invoice: this.invoices, Payment: this.payments };
      const QueryResponse = names
        .filter((n) => source[n])
        .map((n) => {
          const rows = [...(source[n]?.values() ?? [])].filter((r) => Date.parse(r.MetaData.LastUpdatedTime) > since);
          return { [n]: rows, startPosition: 1, maxResults: rows.length, totalCount: rows.length };
        });
      return { status: 200, body: { CDCResponse: [{ QueryResponse }], time } };
    }
    const invoice = /^invoice\/(\w+)$/.exec(resource);
    if (invoice && req.method === 'GET') {
      const inv = this.invoices.get(invoice[1] ?? '');
      return inv
        ? { status: 200, body: { Invoice: inv, time } }
        : { status: 400, body: { Fault: { Error: [{ Message: 'Object Not Found', code: '610' }] } } };
    }
    if (resource === 'payment' && req.method === 'POST') {
      const requestId = req.query.get('requestid');
      const replayed = requestId ? this.requestIds.get(requestId) : undefined;
      if (replayed) return replayed;
      const id = this.createPayment(JSON.parse(req.body) as Record<string, unknown>, new Date());
      const reply = { status: 200, body: { Payment: this.payments.get(id), time } };
      if (requestId) this.requestIds.set(requestId, reply);
      return reply;
    }
    return { status: 400, body: { Fault: { Error: [{ Message: `unsupported ${req.method} ${resource}` }] } } };
  }

  private createPayment(p: Record<string, unknown>, now: Date): string {
    const Id = String(this.nextId++);
    const lines = (p.Line as Array<{ Amount: number; LinkedTxn: Array<{ TxnId: string; TxnType: string }> }>) ?? [];
    for (const line of lines) {
      for (const t of line.LinkedTxn) {
        const inv = this.mustInvoice(t.TxnId);
        inv.Balance = Math.max(0, Number(inv.Balance) - line.Amount);
        inv.MetaData = this.meta(now, inv.MetaData.CreateTime);
      }
    }
    this.payments.set(Id, {
      Id,
      SyncToken: '0',
      CustomerRef: p.CustomerRef,
      CurrencyRef: p.CurrencyRef ?? { value: 'GBP' },
      TotalAmt: Number(p.TotalAmt),
      TxnDate: String(p.TxnDate ?? now.toISOString().slice(0, 10)),
      PaymentRefNum: p.PaymentRefNum,
      PrivateNote: p.PrivateNote,
      Line: lines,
      MetaData: this.meta(now),
    });
    return Id;
  }

  private mustInvoice(id: string): Wire {
    const inv = this.invoices.get(id);
    if (!inv) throw new Error(`no invoice ${id}`);
    return inv;
  }
}

import { randomUUID } from 'node:crypto';
import { BooksFakeServer, FakeOAuthServer, signBooksWebhook, type BooksFakeReply, type BooksFakeRequest } from './books-fake-http';

export const XERO_FAKE_CLIENT = {
  clientId: 'xero-fake-client-id',
  clientSecret: 'xero-fake-client-secret',
  webhookKey: 'xero-fake-webhook-key',
};

type Wire = Record<string, unknown> & { UpdatedDateUTC: string };

const msDate = (d: Date) => `/Date(${d.getTime()}+0000)/`;
const msOf = (s: unknown) => Number(/\/Date\((-?\d+)/.exec(String(s))?.[1] ?? 0);

/**
 * A loopback fake of Xero, as its documentation describes it: identity (authorize → 302 with code and state; POST
 * /connect/token with PKCE S256, rotating refresh tokens, invalid_grant once revoked; /connect/revocation), GET
 * /connections, and the Accounting API (/api.xro/2.0 Contacts, Invoices, Payments with If-Modified-Since and paging;
 * PUT Payments honouring Idempotency-Key) in Xero's PascalCase JSON with `/Date(ms+0000)/` dates. Every API answer
 * carries X-MinLimit-Remaining / X-DayLimit-Remaining; `replyOnce` scripts a 429 with Retry-After.
 */
export class XeroFake extends BooksFakeServer {
  readonly oauth = new FakeOAuthServer(XERO_FAKE_CLIENT.clientId, XERO_FAKE_CLIENT.clientSecret);
  readonly tenantId = randomUUID();
  readonly tenantName = 'Demo Company (UK)';
  readonly contacts = new Map<string, Wire>();
  readonly invoices = new Map<string, Wire>();
  readonly payments = new Map<string, Wire>();
  private readonly idempotency = new Map<string, BooksFakeReply>();
  /** What X-MinLimit-Remaining says on the next answers. */
  minuteRemaining = 59;

  static async start(): Promise<XeroFake> {
    return new XeroFake().listen();
  }

  get identityUrl(): string {
    return this.url;
  }
  get authorizeUrl(): string {
    return `${this.url}/identity/connect/authorize`;
  }

  addContact(name: string, email: string | null, now = new Date()): string {
    const id = randomUUID();
    this.contacts.set(id, {
      ContactID: id,
      Name: name,
      EmailAddress: email ?? '',
      ContactStatus: 'ACTIVE',
      Phones: [],
      UpdatedDateUTC: msDate(now),
    });
    return id;
  }

  addInvoice(
    contactId: string,
    f: { number: string; total: number; currency?: string; date: string; dueDate: string },
    now = new Date(),
  ): string {
    const id = randomUUID();
    this.invoices.set(id, {
      Type: 'ACCREC',
      InvoiceID: id,
      InvoiceNumber: f.number,
      Contact: { ContactID: contactId, Name: String(this.contacts.get(contactId)?.Name ?? '') },
      Date: msDate(new Date(`${f.date}T00:00:00Z`)),
      DueDate: msDate(new Date(`${f.dueDate}T00:00:00Z`)),
      Status: 'AUTHORISED',
      CurrencyCode: f.currency ?? 'GBP',
      SubTotal: f.total,
      TotalTax: 0,
      Total: f.total,
      AmountDue: f.total,
      AmountPaid: 0,
      AmountCredited: 0,
      UpdatedDateUTC: msDate(now),
    });
    return id;
  }

  /** The bookkeeper records a payment (bank reconciliation) against the invoice. */
  payInBooks(invoiceId: string, amount: number, reference = 'BACS', now = new Date()): string {
    return this.createPayment(
      { Invoice: { InvoiceID: invoiceId }, Amount: amount, Date: now.toISOString().slice(0, 10), Reference: reference },
      now,
    );
  }

  /** A credit note allocated to the invoice: the amount owed falls. */
  creditInBooks(invoiceId: string, amount: number, now = new Date()): void {
    const inv = this.mustInvoice(invoiceId);
    inv.AmountCredited = Number(inv.AmountCredited) + amount;
    this.recompute(inv, now);
  }

  voidInBooks(invoiceId: string, now = new Date()): void {
    const inv = this.mustInvoice(invoiceId);
    inv.Status = 'VOIDED';
    inv.UpdatedDateUTC = msDate(now);
  }

  editInBooks(invoiceId: string, change: { total?: number; dueDate?: string }, now = new Date()): void {
    const inv = this.mustInvoice(invoiceId);
    if (change.total !== undefined) {
      inv.Total = change.total;
      inv.SubTotal = change.total;
    }
    if (change.dueDate) inv.DueDate = msDate(new Date(`${change.dueDate}T00:00:00Z`));
    this.recompute(inv, now);
  }

  paymentsOf(invoiceId: string): Wire[] {
    return [...this.payments.values()].filter((p) => (p.Invoice as { InvoiceID: string }).InvoiceID === invoiceId);
  }

  /** A webhook delivery as Xero sends it, signed (or not) with the webhook key. */
  webhook(events: Array<{ category: 'INVOICE' | 'CONTACT'; resourceId: string }>, key = XERO_FAKE_CLIENT.webhookKey) {
    const body = JSON.stringify({
      events: events.map((e) => ({
        resourceUrl: `https://api.xero.com/api.xro/2.0/${e.category === 'INVOICE' ? 'Invoices' : 'Contacts'}/${e.resourceId}`,
        resourceId: e.resourceId,
        eventDateUtc: new Date().toISOString(),
        eventType: 'UPDATE',
        eventCategory: e.category,
        tenantId: this.tenantId,
        tenantType: 'ORGANISATION',
      })),
      firstEventSequence: 1,
      lastEventSequence: events.length,
      entropy: 'S0m3r4Nd0mt3xt',
    });
    return { body, signature: signBooksWebhook(key, body) };
  }

  protected handle(req: BooksFakeRequest): BooksFakeReply {
    if (req.path === '/identity/connect/authorize') return this.oauth.authorize(req.query);
    if (req.path === '/connect/token' && req.method === 'POST') return this.oauth.token(req.headers, req.body);
    if (req.path === '/connect/revocation') {
      this.oauth.revokeAll();
      return { status: 200 };
    }
    if (!this.oauth.bearerOk(req.headers))
      return { status: 401, body: { Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' } };
    if (req.path === '/connections') {
      const at = new Date().toISOString();
      return {
        status: 200,
        body: [
          {
            id: randomUUID(),
            tenantId: this.tenantId,
            tenantType: 'ORGANISATION',
            tenantName: this.tenantName,
            createdDateUtc: at,
            updatedDateUtc: at,
          },
        ],
      };
    }
    if (!req.path.startsWith('/api.xro/2.0/')) return { status: 404, body: { Message: 'not found' } };
    if (req.headers['xero-tenant-id'] !== this.tenantId)
      return { status: 403, body: { Title: 'Forbidden', Detail: 'AuthorizationUnsuccessful' } };
    const limits = {
      'x-minlimit-remaining': String(this.minuteRemaining),
      'x-daylimit-remaining': '4999',
      'x-appminlimit-remaining': '9999',
    };
    const reply = this.accounting(req);
    return { ...reply, headers: { ...limits, ...reply.headers } };
  }

  private accounting(req: BooksFakeRequest): BooksFakeReply {
    const resource = req.path.slice('/api.xro/2.0/'.length);
    if ((req.method === 'PUT' || req.method === 'POST') && resource === 'Payments') {
      const key = req.headers['idempotency-key'];
      const replayed = typeof key === 'string' ? this.idempotency.get(key) : undefined;
      if (replayed) return replayed;
      const body = JSON.parse(req.body) as Record<string, unknown>;
      const payments = (body.Payments as Record<string, unknown>[] | undefined) ?? [body];
      const ids = payments.map((p) => this.createPayment(p, new Date()));
      const reply = { status: 200, body: { Id: randomUUID(), Status: 'OK', Payments: ids.map((id) => this.payments.get(id)) } };
      if (typeof key === 'string') this.idempotency.set(key, reply);
      return reply;
    }
    if (req.method !== 'GET') return { status: 405 };
    const since = req.headers['if-modified-since'] ? Date.parse(String(req.headers['if-modified-since'])) : 0;
    const page = Number(req.query.get('page') ?? 1);
    const pageSize = Number(req.query.get('pageSize') ?? 100);
    const list = (m: Map<string, Wire>) =>
      [...m.values()].filter((r) => msOf(r.UpdatedDateUTC) > since).slice((page - 1) * pageSize, page * pageSize);
    if (resource === 'Contacts') return { status: 200, body: { Contacts: list(this.contacts) } };
    if (resource === 'Invoices') return { status: 200, body: { Invoices: list(this.invoices) } };
    if (resource === 'Payments') return { status: 200, body: { Payments: list(this.payments) } };
    return { status: 404, body: { Message: `no ${resource}` } };
  }

  private createPayment(p: Record<string, unknown>, now: Date): string {
    const invoiceId = String((p.Invoice as { InvoiceID?: string })?.InvoiceID ?? '');
    const inv = this.mustInvoice(invoiceId);
    const id = randomUUID();
    this.payments.set(id, {
      PaymentID: id,
      Date: msDate(new Date(`${String(p.Date ?? now.toISOString()).slice(0, 10)}T00:00:00Z`)),
      Amount: Number(p.Amount),
      Reference: String(p.Reference ?? ''),
      Status: 'AUTHORISED',
      PaymentType: 'ACCRECPAYMENT',
      Account: p.Account ?? { Code: '090' },
      Invoice: { InvoiceID: invoiceId, InvoiceNumber: inv.InvoiceNumber, CurrencyCode: inv.CurrencyCode },
      UpdatedDateUTC: msDate(now),
    });
    inv.AmountPaid = Number(inv.AmountPaid) + Number(p.Amount);
    this.recompute(inv, now);
    return id;
  }

  private recompute(inv: Wire, now: Date): void {
    inv.AmountDue = Math.max(0, Number(inv.Total) - Number(inv.AmountPaid) - Number(inv.AmountCredited));
    if (inv.AmountDue === 0 && inv.Status === 'AUTHORISED') inv.Status = 'PAID';
    inv.UpdatedDateUTC = msDate(now);
  }

  private mustInvoice(id: string): Wire {
    const inv = this.invoices.get(id);
    if (!inv) throw new Error(`no invoice ${id}`);
    return inv;
  }
}

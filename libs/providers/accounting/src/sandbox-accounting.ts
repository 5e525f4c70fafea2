import { randomBytes } from 'node:crypto';
import type {
  AccountingProvider,
  AccountingTokens,
  AuthorizeRequest,
  BooksChanges,
  BooksContact,
  BooksInvoice,
  BooksOrganisation,
  BooksPayment,
  BooksWebhook,
  CallbackRequest,
  ConnectionAuth,
  WriteBackPayment,
} from './accounting.port';
import { assertHmacSignature, headerValue } from './webhook-signature';

const DAY = 24 * 3600_000;

interface Ledger {
  contacts: Map<string, BooksContact>;
  invoices: Map<string, BooksInvoice>;
  payments: Map<string, BooksPayment>;
}

/**
 * The sandbox books: a fake ledger per organisation, seeded with three customers and four sales invoices (two overdue,
 * one due soon, one paid), so `npm start` can connect, import, collect and write a payment back with no credentials.
 * The authorize URL goes straight to the callback. `recordPaymentInBooks` / `voidInBooks` play the bookkeeper.
 * Written-back payments are kept and returned by later syncs, exactly as the real books would.
 */
export class SandboxAccounting implements AccountingProvider {
  readonly name = 'sandbox' as const;
  private readonly ledgers = new Map<string, Ledger>();

  constructor(private readonly options: { webhookKey?: string; clock?: () => Date } = {}) {}

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  async authorizeUrl(request: AuthorizeRequest): Promise<string> {
    const url = new URL(request.redirectUri);
    url.searchParams.set('code', `sandbox-${randomBytes(8).toString('hex')}`);
    url.searchParams.set('state', request.state);
    return url.toString();
  }

  async completeAuthorization(request: CallbackRequest): Promise<{ tokens: AccountingTokens; organisations: BooksOrganisation[] }> {
    if (!request.query.code?.startsWith('sandbox-')) throw new Error('not a sandbox authorization code');
    const org = `sandbox-org-${request.query.code.slice(8, 16)}`;
    this.ledger(org);
    return { tokens: this.newTokens(), organisations: [{ externalTenantId: org, name: 'Sandbox Books Ltd' }] };
  }

  async refresh(): Promise<AccountingTokens> {
    return this.newTokens();
  }

  async revoke(): Promise<void> {
    // Nothing to revoke: the sandbox tokens grant nothing outside this process.
  }

  async fetchChanges(auth: ConnectionAuth, since: Date | null): Promise<BooksChanges> {
    const ledger = this.ledger(auth.externalTenantId);
    const after = (d: Date) => !since || d > since;
    return {
      contacts: [...ledger.contacts.values()].filter((c) => after(c.updatedAt)),
      invoices: [...ledger.invoices.values()].filter((i) => after(i.updatedAt)),
      payments: [...ledger.payments.values()].filter((p) => after(p.receivedAt)),
      asOf: this.now(),
    };
  }

  async writeBackPayment(auth: ConnectionAuth, payment: WriteBackPayment): Promise<{ externalPaymentId: string }> {
    const ledger = this.ledger(auth.externalTenantId);
    const id = `sbx-pay-${payment.paymentId}`;
    if (!ledger.payments.has(id)) {
      ledger.payments.set(id, {
        externalId: id,
        invoiceExternalId: payment.invoiceExternalId,
        amountPence: payment.amountPence,
        currency: payment.currency,
        receivedAt: this.now(),
        reference: `recoup:${payment.paymentId}`,
        deleted: false,
      });
      this.settle(ledger, payment.invoiceExternalId);
    }
    return { externalPaymentId: id };
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): BooksWebhook {
    assertHmacSignature(
      this.options.webhookKey ?? 'sandbox-webhook-key',
      rawBody,
      headerValue(headers, 'x-sandbox-signature'),
      'x-sandbox-signature',
    );
    const body = JSON.parse(rawBody.toString('utf8')) as { organisation?: string };
    return { kind: 'changes', externalTenantIds: body.organisation ? [body.organisation] : [], entities: [] };
  }

  /** The bookkeeper records a payment in the books (the next sync applies it to our ledger). */
  recordPaymentInBooks(org: string, invoiceExternalId: string, amountPence: number): BooksPayment {
    const ledger = this.ledger(org);
    const invoice = ledger.invoices.get(invoiceExternalId);
    if (!invoice) throw new Error(`no sandbox invoice ${invoiceExternalId}`);
    const payment: BooksPayment = {
      externalId: `sbx-pay-${randomBytes(6).toString('hex')}`,
      invoiceExternalId,
      amountPence,
      currency: invoice.currency,
      receivedAt: this.now(),
      reference: 'bank transfer',
      deleted: false,
    };
    ledger.payments.set(payment.externalId, payment);
    this.settle(ledger, invoiceExternalId);
    return payment;
  }

  /** Written-back and bookkeeper payments of an organisation (what the "books" hold). */
  paymentsIn(org: string): BooksPayment[] {
    return [...this.ledger(org).payments.values()];
  }

  private settle(ledger: Ledger, invoiceExternalId: string): void {
    const invoice = ledger.invoices.get(invoiceExternalId);
    if (!invoice) return;
    const paid = [...ledger.payments.values()]
      .filter((p) => p.invoiceExternalId === invoiceExternalId)
      .reduce((s, p) => s + p.amountPence, 0);
    ledger.invoices.set(invoiceExternalId, {
      ...invoice,
      status: paid >= invoice.amountPence ? 'paid' : invoice.status,
      updatedAt: this.now(),
    });
  }

  private newTokens(): AccountingTokens {
    return {
      accessToken: `sbx_at_${randomBytes(16).toString('hex')}`,
      refreshToken: `sbx_rt_${randomBytes(16).toString('hex')}`,
      expiresAt: new Date(this.now().getTime() + 1800_000),
    };
  }

  private ledger(org: string): Ledger {
    const existing = this.ledgers.get(org);
    if (existing) return existing;
    const now = this.now();
    const at = (days: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + days * DAY);
    const contacts: BooksContact[] = [
      {
        externalId: 'sbx-c-1',
        name: 'Northwind Traders Ltd',
        email: 'accounts@northwind.example',
        phone: '+447700900101',
        kind: 'business',
        updatedAt: now,
      },
      {
        externalId: 'sbx-c-2',
        name: 'Fabrikam Studio',
        email: 'billing@fabrikam.example',
        phone: '+447700900102',
        kind: 'business',
        updatedAt: now,
      },
      { externalId: 'sbx-c-3', name: 'Contoso Cafe', email: 'owner@contoso.example', phone: null, kind: 'business', updatedAt: now },
    ];
    const inv = (
      id: string,
      contact: string,
      ref: string,
      pence: number,
      issued: number,
      due: number,
      status: BooksInvoice['status'] = 'open',
    ): BooksInvoice => ({
      externalId: id,
      contactExternalId: contact,
      reference: ref,
      amountPence: pence,
      currency: 'GBP',
      issueDate: at(issued),
      dueDate: at(due),
      status,
      creditedPence: 0,
      updatedAt: now,
    });
    const invoices = [
      inv('sbx-i-1', 'sbx-c-1', 'SBX-1001', 125_000, -45, -15),
      inv('sbx-i-2', 'sbx-c-1', 'SBX-1002', 48_000, -40, -10),
      inv('sbx-i-3', 'sbx-c-2', 'SBX-1003', 90_000, -20, 10),
      inv('sbx-i-4', 'sbx-c-3', 'SBX-1004', 30_000, -60, -30, 'paid'),
    ];
    const ledger: Ledger = {
      contacts: new Map(contacts.map((c) => [c.externalId, c])),
      invoices: new Map(invoices.map((i) => [i.externalId, i])),
      payments: new Map([
        [
          'sbx-pay-seed',
          {
            externalId: 'sbx-pay-seed',
            invoiceExternalId: 'sbx-i-4',
            amountPence: 30_000,
            currency: 'GBP',
            receivedAt: at(-29),
            reference: 'BACS',
            deleted: false,
          },
        ],
      ]),
    };
    this.ledgers.set(org, ledger);
    return ledger;
  }
}

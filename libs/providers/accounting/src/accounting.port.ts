/**
 * The accounting-sync port: what the platform needs from the books (Xero, QuickBooks Online, a CSV export, the
 * sandbox ledger), in our domain types only. Money is integer minor units with its currency; dates are UTC.
 */

export type AccountingProviderName = 'xero' | 'quickbooks' | 'sandbox';

/** OAuth tokens of one connection. Stored only encrypted (TokenVault); never logged. */
export interface AccountingTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (UTC). */
  expiresAt: Date;
}

/** The organisation (Xero tenant) or company (QuickBooks realm) a connection reads. */
export interface BooksOrganisation {
  externalTenantId: string;
  name: string;
}

export interface BooksContact {
  externalId: string;
  name: string;
  email: string | null;
  phone: string | null;
  /** A contact with a company number or a business name is a business; the books rarely say, so business by default. */
  kind: 'business' | 'consumer';
  updatedAt: Date;
}

/** An invoice as the books hold it. `amountPence` is the total less credit notes allocated to it. */
export interface BooksInvoice {
  externalId: string;
  contactExternalId: string;
  reference: string;
  amountPence: number;
  currency: string;
  issueDate: Date;
  dueDate: Date;
  /** `voided` covers Xero VOIDED/DELETED and QuickBooks deleted or voided invoices: it leaves collection. */
  status: 'draft' | 'open' | 'paid' | 'voided';
  /** Credit notes allocated to it (already taken off amountPence): shown on the timeline. */
  creditedPence: number;
  updatedAt: Date;
}

/** Money received against an invoice in the books. */
export interface BooksPayment {
  externalId: string;
  invoiceExternalId: string;
  amountPence: number;
  currency: string;
  receivedAt: Date;
  /** The payment's own reference: `recoup:<payment id>` marks one we wrote back (never applied a second time). */
  reference: string | null;
  /** The books deleted or reversed it. */
  deleted: boolean;
}

/** Everything that changed in the books since a moment (CDC in QuickBooks, If-Modified-Since in Xero). */
export interface BooksChanges {
  contacts: BooksContact[];
  invoices: BooksInvoice[];
  payments: BooksPayment[];
  /** The moment the books answered: the next `since`. */
  asOf: Date;
}

export interface ConnectionAuth {
  tokens: AccountingTokens;
  externalTenantId: string;
}

/** A payment taken through us, written back to the books against its invoice. */
export interface WriteBackPayment {
  /** Our payments.id: the idempotency key at the vendor and the payment's reference in the books. */
  paymentId: string;
  invoiceExternalId: string;
  amountPence: number;
  currency: string;
  receivedAt: Date;
}

/** A verified webhook, reduced to what the sync acts on. */
export type BooksWebhook =
  /** Xero's "intent to receive" handshake: a signed delivery with no events, answered 200. */
  | { kind: 'handshake' }
  | {
      kind: 'changes';
      externalTenantIds: string[];
      entities: Array<{ type: 'invoice' | 'contact' | 'payment' | 'credit_note'; id: string }>;
    };

export interface AuthorizeRequest {
  /** Random, single-use; returned on the callback (CSRF protection of the OAuth flow). */
  state: string;
  /** PKCE (RFC 7636): the verifier whose S256 challenge goes in the URL; kept encrypted until the callback. */
  codeVerifier: string;
  redirectUri: string;
}

export interface CallbackRequest {
  /** The full query of the provider's redirect (`code`, `state`, QuickBooks' `realmId`). */
  query: Record<string, string>;
  codeVerifier: string;
  redirectUri: string;
}

export interface AccountingProvider {
  readonly name: AccountingProviderName;
  authorizeUrl(request: AuthorizeRequest): Promise<string>;
  /** Exchanges the code; answers the tokens and the organisations they may read. */
  completeAuthorization(request: CallbackRequest): Promise<{ tokens: AccountingTokens; organisations: BooksOrganisation[] }>;
  /** New tokens for an expired access token; throws AccountingAuthRevoked on invalid_grant. */
  refresh(tokens: AccountingTokens): Promise<AccountingTokens>;
  /** Changes since `since` (everything when null). Throws AccountingAuthRevoked on 401, AccountingRateLimited on 429. */
  fetchChanges(auth: ConnectionAuth, since: Date | null): Promise<BooksChanges>;
  /** Records a payment against the invoice in the books, idempotently by paymentId; answers the books' payment id. */
  writeBackPayment(auth: ConnectionAuth, payment: WriteBackPayment): Promise<{ externalPaymentId: string }>;
  /** Revokes the tokens (disconnect); a failure is not fatal: the connection is disconnected on our side regardless. */
  revoke(tokens: AccountingTokens): Promise<void>;
  /** Verifies the vendor's signature over the exact bytes and parses the body; throws WebhookSignatureError. */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): BooksWebhook;
}

/** The books refused our tokens for good (invalid_grant on refresh, or 401): the connection stops until reconnected. */
export class AccountingAuthRevoked extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountingAuthRevoked';
  }
}

/** The vendor's rate limit: retry after `retryAfterMs` (from Retry-After), never sooner. */
export class AccountingRateLimited extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'AccountingRateLimited';
  }
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/** The deployment has no webhook key / verifier token for this provider: nothing can be verified, so nothing is accepted. */
export class WebhookNotConfigured extends Error {
  constructor(variable: string) {
    super(`${variable} is not configured`);
    this.name = 'WebhookNotConfigured';
  }
}

export const isAuthRevoked = (err: unknown): err is AccountingAuthRevoked => err instanceof AccountingAuthRevoked;
export const isRateLimited = (err: unknown): err is AccountingRateLimited => err instanceof AccountingRateLimited;

/** Major units (a decimal number from the books' JSON) to integer minor units, without float drift. */
export function toMinorUnits(amount: number | string | undefined | null, currency: string): number {
  const digits = ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2;
  return Math.round(Number(amount ?? 0) * 10 ** digits);
}

export function toMajorUnits(minor: number, currency: string): number {
  const digits = ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2;
  return Number((minor / 10 ** digits).toFixed(digits));
}

const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF']);

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CollectionsError, recordPaymentWrittenBack, type CollectionsDeps } from '@recoup/collections';
import type { AccountingProviderName, OAuthCallbackQuery, SyncSummary } from '@recoup/contracts';
import type { AccountingConnectionModel, Database, Prisma } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import {
  isAuthRevoked,
  type AccountingProvider,
  type BooksWebhook,
  type ConnectionAuth,
  type TokenVault,
} from '@recoup/providers/accounting';
import { applyBooksChanges } from './books-apply';

/** Payments taken through our own links (Stripe Checkout): these, and only these, are written back to the books. */
export const WRITE_BACK_METHODS = ['stripe'];
/** Changes are asked for from a little before the last sync: clocks differ, and applying a change twice is a no-op. */
const CURSOR_OVERLAP_MS = 5 * 60_000;
/** Refresh an access token this long before it expires. */
const REFRESH_MARGIN_MS = 2 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface AccountingConnectionsDeps {
  db: Database;
  collections: CollectionsDeps;
  providers: Map<AccountingProviderName, AccountingProvider>;
  vault: TokenVault;
  /** True when ACCOUNTING_ENCRYPTION_KEY is unset and the vault's key lives only in this process: real providers refuse. */
  vaultIsEphemeral: boolean;
  publicBaseUrl: string;
  logger: Logger;
  /** Queues a write-back job (BullMQ, keyed by the payment id); set by the scheduler. */
  enqueueWriteBack?: (paymentId: string) => Promise<void>;
  enqueueSync?: (connectionId: string) => Promise<string>;
  clock?: () => Date;
}

/**
 * A tenant's connections to its books: connect (authorize URL with PKCE and a single-use state), the OAuth callback,
 * sync (changes since the cursor through the collections core), write-back of payments taken through us, webhooks,
 * disconnect. A revoked grant (invalid_grant on refresh, or 401) stops the connection with status `revoked`.
 */
export class AccountingConnections {
  constructor(private readonly deps: AccountingConnectionsDeps) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  provider(name: string): AccountingProvider {
    const provider = this.deps.providers.get(name as AccountingProviderName);
    if (!provider) {
      const vars =
        name === 'xero'
          ? 'XERO_CLIENT_ID and XERO_CLIENT_SECRET'
          : name === 'quickbooks'
            ? 'QUICKBOOKS_CLIENT_ID and QUICKBOOKS_CLIENT_SECRET'
            : 'a non-production deployment';
      throw CollectionsError.conflict(`${name} is not configured on this deployment (needs ${vars})`, 'provider');
    }
    return provider;
  }

  redirectUri(provider: string): string {
    return `${this.deps.publicBaseUrl.replace(/\/$/, '')}/api/connections/${provider}/callback`;
  }

  async connect(tenantId: string, name: AccountingProviderName): Promise<{ connection: AccountingConnectionModel; authorizeUrl: string }> {
    const provider = this.provider(name);
    if (name !== 'sandbox' && this.deps.vaultIsEphemeral) {
      throw CollectionsError.conflict('ACCOUNTING_ENCRYPTION_KEY is not set: tokens cannot be stored', 'provider');
    }
    const id = randomUUID();
    const state = randomBytes(32).toString('base64url');
    const codeVerifier = randomBytes(48).toString('base64url');
    const connection = await this.deps.db.accountingConnection.create({
      data: {
        id,
        tenantId,
        provider: name,
        status: 'pending',
        authStateHash: sha256(state),
        codeVerifierSealed: this.deps.vault.seal(codeVerifier, id),
      },
    });
    const authorizeUrl = await provider.authorizeUrl({ state, codeVerifier, redirectUri: this.redirectUri(name) });
    return { connection, authorizeUrl };
  }

  /** The provider's redirect: the state finds the pending connection (once); the code becomes sealed tokens. */
  async completeAuthorization(name: string, query: OAuthCallbackQuery): Promise<AccountingConnectionModel> {
    const provider = this.provider(name);
    const pending = await this.deps.db.accountingConnection.findFirst({
      where: { authStateHash: sha256(query.state), provider: name, status: 'pending' },
    });
    if (!pending || !pending.codeVerifierSealed) throw CollectionsError.notFound('pending connection for this state', 'state');
    // Single use: the state is spent whatever happens next.
    await this.deps.db.accountingConnection.update({ where: { id: pending.id }, data: { authStateHash: null } });
    if (query.error || !query.code) {
      return this.fail(
        pending.id,
        'error',
        `authorization refused: ${query.error ?? 'no code'}${query.error_description ? ` (${query.error_description})` : ''}`,
      );
    }
    const codeVerifier = this.deps.vault.open(pending.codeVerifierSealed, pending.id);
    let granted: Awaited<ReturnType<AccountingProvider['completeAuthorization']>>;
    try {
      granted = await provider.completeAuthorization({
        query: Object.fromEntries(Object.entries(query).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
        codeVerifier,
        redirectUri: this.redirectUri(name),
      });
    } catch (err) {
      return this.fail(pending.id, isAuthRevoked(err) ? 'revoked' : 'error', `authorization failed: ${(err as Error).message}`);
    }
    const org = granted.organisations[0];
    if (!org) return this.fail(pending.id, 'error', 'the grant gives access to no organisation');
    // A reconnection of the same organisation replaces the old connection (its cursor carries over).
    const previous = await this.deps.db.accountingConnection.findFirst({
      where: { tenantId: pending.tenantId, provider: name, externalTenantId: org.externalTenantId, id: { not: pending.id } },
      orderBy: { createdAt: 'desc' },
    });
    if (previous) {
      await this.deps.db.accountingConnection.updateMany({
        where: { tenantId: pending.tenantId, provider: name, externalTenantId: org.externalTenantId, id: { not: pending.id } },
        data: { status: 'disconnected', tokensSealed: null, lastError: 'replaced by a new connection' },
      });
    }
    return this.deps.db.accountingConnection.update({
      where: { id: pending.id },
      data: {
        status: 'active',
        externalTenantId: org.externalTenantId,
        externalTenantName: org.name,
        tokensSealed: this.deps.vault.sealTokens(granted.tokens, pending.id),
        codeVerifierSealed: null,
        syncCursor: previous?.syncCursor ?? null,
        lastError: null,
        lastErrorAt: null,
      },
    });
  }

  /** Queues a sync now (one queued or running per connection); without a queue (tools, tests) it runs inline. */
  async syncNow(connectionId: string): Promise<string> {
    if (this.deps.enqueueSync) return this.deps.enqueueSync(connectionId);
    await this.sync(connectionId);
    return `inline-${connectionId}`;
  }

  list(tenantId: string): Promise<AccountingConnectionModel[]> {
    return this.deps.db.accountingConnection.findMany({ where: { tenantId }, orderBy: { createdAt: 'desc' } });
  }

  async get(tenantId: string, id: string): Promise<AccountingConnectionModel> {
    const c = await this.deps.db.accountingConnection.findFirst({ where: { id, tenantId } });
    if (!c) throw CollectionsError.notFound('connection', 'connection_id');
    return c;
  }

  async disconnect(tenantId: string, id: string): Promise<AccountingConnectionModel> {
    const c = await this.get(tenantId, id);
    if (c.tokensSealed && c.provider !== 'csv') {
      try {
        await this.provider(c.provider).revoke(this.deps.vault.openTokens(c.tokensSealed, c.id));
      } catch (err) {
        this.deps.logger.warn(
          { tenantId, connectionId: id, err: { message: (err as Error).message } },
          'accounting token revocation failed',
        );
      }
    }
    return this.deps.db.accountingConnection.update({
      where: { id },
      data: { status: 'disconnected', tokensSealed: null, authStateHash: null, codeVerifierSealed: null },
    });
  }

  /**
   * Valid tokens for a call, refreshed (and re-sealed) when about to expire. Both vendors rotate refresh tokens, so two
   * jobs refreshing at once would spend the same one and the loser would read invalid_grant as a revocation: the refresh
   * runs under the connection row's lock, and a job that waited uses the tokens the other one stored.
   */
  private async auth(c: AccountingConnectionModel, provider: AccountingProvider): Promise<ConnectionAuth> {
    if (!c.tokensSealed || !c.externalTenantId) throw new Error('connection has no tokens');
    const fresh = (t: { expiresAt: Date }) => t.expiresAt.getTime() - REFRESH_MARGIN_MS > this.now().getTime();
    const tokens = this.openTokens(c.provider, c.tokensSealed, c.id);
    if (fresh(tokens)) return { tokens, externalTenantId: c.externalTenantId };
    const refreshed = await this.deps.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM accounting_connections WHERE id = ${c.id}::uuid FOR UPDATE`;
        const row = await tx.accountingConnection.findUniqueOrThrow({ where: { id: c.id } });
        if (!row.tokensSealed) throw new Error('connection has no tokens');
        const current = this.openTokens(c.provider, row.tokensSealed, c.id);
        if (fresh(current)) return current;
        const next = await provider.refresh(current);
        await tx.accountingConnection.update({ where: { id: c.id }, data: { tokensSealed: this.deps.vault.sealTokens(next, c.id) } });
        return next;
      },
      { timeout: 30_000 },
    );
    return { tokens: refreshed, externalTenantId: c.externalTenantId };
  }

  /**
   * The sandbox's tokens grant nothing: sealed with a per-process key (no ACCOUNTING_ENCRYPTION_KEY) they cannot be
   * opened after a restart, so they count as expired and the sandbox issues new ones. A real provider's unreadable
   * tokens are an error naming the key (reconnect, or restore the key they were sealed with).
   */
  private openTokens(provider: string, sealed: string, id: string) {
    try {
      return this.deps.vault.openTokens(sealed, id);
    } catch (err) {
      if (provider !== 'sandbox') throw err;
      return { accessToken: '', refreshToken: '', expiresAt: new Date(0) };
    }
  }

  private async fail(id: string, status: 'revoked' | 'error', message: string): Promise<AccountingConnectionModel> {
    return this.deps.db.accountingConnection.update({
      where: { id },
      data: { status, lastError: message.slice(0, 500), lastErrorAt: this.now(), ...(status === 'revoked' ? { tokensSealed: null } : {}) },
    });
  }

  /**
   * One sync of one connection: changes since the cursor applied through the core, then write-backs queued for payments
   * taken through us since. A revoked grant marks the connection `revoked` and stops; other failures mark it `error`
   * and rethrow (the job retries with backoff, a rate limit after its Retry-After).
   */
  async sync(connectionId: string): Promise<SyncSummary | null> {
    const c = await this.deps.db.accountingConnection.findUnique({ where: { id: connectionId } });
    if (!c || (c.status !== 'active' && c.status !== 'error') || c.provider === 'csv') return null;
    const provider = this.provider(c.provider);
    const log = this.deps.logger.child({ tenantId: c.tenantId, connectionId: c.id, provider: c.provider });
    try {
      const auth = await this.auth(c, provider);
      const since = c.syncCursor ? new Date(c.syncCursor.getTime() - CURSOR_OVERLAP_MS) : null;
      const changes = await provider.fetchChanges(auth, since);
      const summary = await applyBooksChanges(
        this.deps.collections,
        { tenantId: c.tenantId, provider: c.provider, externalTenantId: auth.externalTenantId },
        changes,
      );
      summary.written_back = await this.queueWriteBacks(c);
      await this.deps.db.accountingConnection.update({
        where: { id: c.id },
        data: {
          status: 'active',
          syncCursor: changes.asOf,
          lastSyncAt: this.now(),
          lastSyncSummary: summary as unknown as Prisma.InputJsonValue,
          lastError: null,
          lastErrorAt: null,
        },
      });
      log.info({ summary }, 'accounting sync done');
      return summary;
    } catch (err) {
      const message = (err as Error).message;
      if (isAuthRevoked(err)) {
        await this.fail(c.id, 'revoked', `${message} — reconnect to resume syncing`);
        log.warn({ err: { message } }, 'accounting connection revoked');
        return null;
      }
      await this.fail(c.id, 'error', message);
      log.warn({ err: { message } }, 'accounting sync failed');
      throw err;
    }
  }

  /**
   * The write-back sweep (every minute): payments taken through us in the last day on every live connection's invoices
   * get their row and job, so one reaches the books within a minute of being taken; a full sync looks further back.
   */
  async sweepWriteBacks(): Promise<number> {
    const live = await this.deps.db.accountingConnection.findMany({
      where: { status: { in: ['active', 'error'] }, provider: { not: 'csv' } },
    });
    const since = new Date(this.now().getTime() - 24 * 3600_000);
    let queued = 0;
    for (const c of live) queued += await this.queueWriteBacks(c, since);
    return queued;
  }

  /** Write-back rows (pending) for this connection's invoices' payments taken through us, and their jobs. */
  async queueWriteBacks(c: AccountingConnectionModel, since?: Date): Promise<number> {
    const payments = await this.deps.db.payment.findMany({
      where: {
        tenantId: c.tenantId,
        method: { in: WRITE_BACK_METHODS },
        status: { in: ['succeeded', 'part_refunded'] },
        invoice: { externalProvider: c.provider, externalId: { not: null } },
        receivedAt: { gte: since && since > c.createdAt ? since : c.createdAt },
      },
      select: { id: true },
    });
    if (payments.length === 0) return 0;
    const known = await this.deps.db.accountingWriteBack.findMany({
      where: { paymentId: { in: payments.map((p) => p.id) } },
      select: { paymentId: true, status: true },
    });
    const done = new Set(known.filter((k) => k.status === 'done').map((k) => k.paymentId));
    await this.deps.db.accountingWriteBack.createMany({
      data: payments.map((p) => ({ tenantId: c.tenantId, connectionId: c.id, paymentId: p.id })),
      skipDuplicates: true,
    });
    const todo = payments.filter((p) => !done.has(p.id));
    for (const p of todo) await this.deps.enqueueWriteBack?.(p.id);
    return todo.length;
  }

  /**
   * Writes one payment taken through us to the books, once: a done row answers at once; the vendor call carries the
   * payment id as its idempotency key (a retry after a lost answer creates nothing new); the result is recorded by
   * the core (the row done and a `payment_written_back` entry on the timeline).
   */
  async writeBack(paymentId: string): Promise<'done' | 'already_done' | 'connection_gone'> {
    const row = await this.deps.db.accountingWriteBack.findUnique({ where: { paymentId }, include: { connection: true } });
    if (!row || row.status === 'done') return 'already_done';
    const c = row.connection;
    if (c.status !== 'active' && c.status !== 'error') {
      await this.deps.db.accountingWriteBack.update({
        where: { id: row.id },
        data: { status: 'failed', lastError: `connection ${c.status}` },
      });
      return 'connection_gone';
    }
    const payment = await this.deps.db.payment.findUniqueOrThrow({
      where: { id: paymentId },
      include: { invoice: { select: { externalId: true, externalProvider: true } } },
    });
    if (!payment.invoice.externalId || payment.invoice.externalProvider !== c.provider) return 'connection_gone';
    const provider = this.provider(c.provider);
    try {
      const auth = await this.auth(c, provider);
      const { externalPaymentId } = await provider.writeBackPayment(auth, {
        paymentId,
        invoiceExternalId: payment.invoice.externalId,
        amountPence: payment.amountPence - payment.refundedPence,
        currency: payment.currency,
        receivedAt: payment.receivedAt,
      });
      await recordPaymentWrittenBack(this.deps.collections, { tenantId: c.tenantId, paymentId, provider: c.provider, externalPaymentId });
      return 'done';
    } catch (err) {
      await this.deps.db.accountingWriteBack.update({
        where: { id: row.id },
        data: { attempts: { increment: 1 }, lastError: (err as Error).message.slice(0, 500) },
      });
      if (isAuthRevoked(err)) await this.fail(c.id, 'revoked', `${(err as Error).message} — reconnect to resume syncing`);
      throw err;
    }
  }

  /** A verified webhook: the organisations it names sync now (the payload only says what changed, never trusted further). */
  async handleWebhook(name: string, event: BooksWebhook): Promise<number> {
    if (event.kind === 'handshake') return 0;
    const connections = await this.deps.db.accountingConnection.findMany({
      where: { provider: name, status: { in: ['active', 'error'] }, externalTenantId: { in: event.externalTenantIds } },
      select: { id: true },
    });
    for (const c of connections) await this.deps.enqueueSync?.(c.id);
    return connections.length;
  }
}

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hotQuery, type ClientModel, type Database, type InvoiceModel, type TenantModel } from '@recoup/db';
import type { Tx } from '../core-deps';

/** 16 random bytes: 128 bits, written as 22 base64url characters (short enough for an SMS link). */
const TOKEN_BYTES = 16;
/**
 * How long a link in a message keeps working: 90 days, longer than any collection sequence (a final notice gives
 * 30 days to respond, Pre-Action Protocol for Debt Claims) so a debtor acting late on a letter still can.
 */
export const DEFAULT_DEBTOR_LINK_TTL_DAYS = 90;
/** The shape of a minted token; anything else is answered as unknown after the same lookup. */
export const DEBTOR_LINK_TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

export interface MintDebtorLinkInput {
  tenantId: string;
  invoiceId: string;
  /** The message the link is sent in (one token per message). */
  contactAttemptId?: string | null;
  ttlDays?: number;
  now?: Date;
}

export interface MintedDebtorLink {
  /** The secret that goes in the URL; only its SHA-256 is stored. */
  token: string;
  id: string;
  expiresAt: Date;
}

export interface ResolvedDebtorLink {
  /** The token's row (never the token). */
  linkId: string;
  tokenHash: string;
  contactAttemptId: string | null;
  invoice: InvoiceModel;
  client: ClientModel;
  tenant: Pick<TenantModel, 'id' | 'name' | 'email' | 'claimsLatePaymentCharges'>;
}

export const hashDebtorLinkToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * A fresh opaque token for the debtor links (/p /d /c) of one message: random, never derived from any id, stored
 * only as its SHA-256 (a leaked table gives no working link), with an expiry and revocable.
 */
export async function mintDebtorLinkToken(db: Database | Tx, input: MintDebtorLinkInput): Promise<MintedDebtorLink> {
  const [minted] = await mintDebtorLinkTokens(db, [input]);
  if (!minted) throw new Error('no debtor link token minted');
  return minted;
}

/** mintDebtorLinkToken for many messages in one statement (the notifier coalesces the messages of one event-loop turn). */
export async function mintDebtorLinkTokens(db: Database | Tx, inputs: readonly MintDebtorLinkInput[]): Promise<MintedDebtorLink[]> {
  const minted = inputs.map((input) => {
    const now = input.now ?? new Date();
    const ttlDays = input.ttlDays ?? DEFAULT_DEBTOR_LINK_TTL_DAYS;
    if (!(ttlDays > 0)) throw new RangeError('ttlDays must be positive');
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    return { token, id: randomUUID(), expiresAt: new Date(now.getTime() + ttlDays * 86_400_000), input };
  });
  const rows = JSON.stringify(
    minted.map((m) => ({
      id: m.id,
      tenant_id: m.input.tenantId,
      invoice_id: m.input.invoiceId,
      token_hash: hashDebtorLinkToken(m.token),
      contact_attempt_id: m.input.contactAttemptId ?? null,
      expires_at: m.expiresAt.toISOString(),
    })),
  );
  await hotQuery(
    db,
    'collections.mintDebtorLinkTokens',
    `INSERT INTO debtor_link_tokens (id, tenant_id, invoice_id, token_hash, contact_attempt_id, expires_at)
     SELECT id, tenant_id, invoice_id, token_hash, contact_attempt_id, expires_at
       FROM jsonb_to_recordset($1::jsonb)
         AS x(id uuid, tenant_id uuid, invoice_id uuid, token_hash text, contact_attempt_id uuid, expires_at timestamptz)`,
    [rows],
  );
  return minted.map(({ token, id, expiresAt }) => ({ token, id, expiresAt }));
}

/**
 * The invoice (with its debtor and tenant) a token opens, or null when it is unknown, malformed, expired or revoked.
 * Every input costs the same work (one hash, one lookup by the unique hash) so the answer time says nothing; a
 * working token records when it was last used.
 */
export async function resolveDebtorLinkToken(db: Database, token: string, now: Date = new Date()): Promise<ResolvedDebtorLink | null> {
  const wellFormed = DEBTOR_LINK_TOKEN.test(token);
  const tokenHash = hashDebtorLinkToken(wellFormed ? token : `malformed:${token.slice(0, 128)}`);
  const row = await db.debtorLinkToken.findUnique({
    where: { tokenHash },
    include: {
      invoice: { include: { client: true } },
      tenant: { select: { id: true, name: true, email: true, claimsLatePaymentCharges: true } },
    },
  });
  if (!wellFormed || !row || row.revokedAt || row.expiresAt <= now || row.invoice.tenantId !== row.tenantId) return null;
  await db.debtorLinkToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  const { client, ...invoice } = row.invoice;
  return { linkId: row.id, tokenHash, contactAttemptId: row.contactAttemptId, invoice, client, tenant: row.tenant };
}

/** Stops every link of an invoice at once (e.g. the invoice was sent to the wrong debtor). Returns how many were live. */
export async function revokeDebtorLinks(db: Database | Tx, scope: { tenantId: string; invoiceId: string; now?: Date }): Promise<number> {
  const { count } = await db.debtorLinkToken.updateMany({
    where: { tenantId: scope.tenantId, invoiceId: scope.invoiceId, revokedAt: null },
    data: { revokedAt: scope.now ?? new Date() },
  });
  return count;
}

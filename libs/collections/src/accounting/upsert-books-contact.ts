import type { ClientModel } from '@recoup/db';
import { type CollectionsDeps } from '../core-deps';
import type { BooksContactRecord } from './books-records';

export interface UpsertBooksContactInput {
  tenantId: string;
  /** xero | quickbooks | csv | sandbox */
  provider: string;
  contact: BooksContactRecord;
}

export type UpsertBooksContactResult = { outcome: 'created' | 'updated' | 'unchanged' | 'erased'; client: ClientModel };

/**
 * A contact of the books as one of the tenant's debtors, found by its external id (unique per tenant and provider).
 * The books own name, email and phone; our flags (disputes, vulnerability, stopped channels, breathing space) are
 * never touched by a sync. A debtor erased under UK GDPR Art. 17 is not filled in again from the books.
 */
export async function upsertBooksContact(deps: CollectionsDeps, input: UpsertBooksContactInput): Promise<UpsertBooksContactResult> {
  const { tenantId, provider, contact } = input;
  if (!contact.externalId) throw new Error('a books contact needs its external id');
  return deps.db.$transaction(async (tx) => {
    const key = { tenantId, externalProvider: provider, externalId: contact.externalId };
    const existing = await tx.client.findFirst({ where: key });
    const facts = { name: contact.name.trim() || 'Unnamed contact', email: contact.email || null, phone: contact.phone || null };
    if (!existing) {
      const client = await tx.client.create({ data: { ...key, ...facts, kind: contact.kind } });
      return { outcome: 'created' as const, client };
    }
    if (existing.erasedAt) return { outcome: 'erased' as const, client: existing };
    if (existing.name === facts.name && existing.email === facts.email && existing.phone === facts.phone) {
      return { outcome: 'unchanged' as const, client: existing };
    }
    const client = await tx.client.update({ where: { id: existing.id }, data: facts });
    return { outcome: 'updated' as const, client };
  });
}

import { randomUUID } from 'node:crypto';
import type { Database } from '@recoup/db';

let phoneCounter = 0;

/** A tenant with room for many calls in tests (tier limits overridden). */
export async function seedTenant(
  db: Database,
  overrides: { name?: string; collectionPolicy?: unknown; claimsLatePaymentCharges?: boolean } = {},
) {
  return db.tenant.create({
    data: {
      name: overrides.name ?? 'Acme Lending',
      tier: 'pro',
      limitOverrides: { daily: { ai_calls: 1000, total_cost_pence: 1_000_000 }, monthly: { ai_calls: 1000 } },
      ...(overrides.collectionPolicy !== undefined && { collectionPolicy: overrides.collectionPolicy as object }),
      ...(overrides.claimsLatePaymentCharges !== undefined && { claimsLatePaymentCharges: overrides.claimsLatePaymentCharges }),
    },
  });
}

/** A debtor (a consumer unless told) with one overdue invoice (a fresh phone number each, so call-frequency rules do not interfere). */
export async function seedDebtor(
  db: Database,
  tenantId: string,
  opts: {
    amountPence?: number;
    name?: string;
    now?: Date;
    kind?: 'consumer' | 'business';
    /** The client's phone (default a fresh valid UK mobile). */
    phone?: string;
    /** The invoice reference (default a random INV-xxxxxxxx). */
    reference?: string;
    /** The client's address JSON ({ lines, postcode }). */
    address?: { lines: string[]; postcode: string };
    /** The postcode an outbound call's identity check asks for (default SW1A 1AA; null: none on file). */
    postcode?: string | null;
  } = {},
) {
  phoneCounter++;
  const now = opts.now ?? new Date();
  const client = await db.client.create({
    data: {
      tenantId,
      name: opts.name ?? `Customer ${phoneCounter}`,
      phone: opts.phone ?? `+447400123${String(phoneCounter).padStart(3, '0')}`,
      kind: opts.kind ?? 'consumer',
      ...(opts.address && { address: opts.address }),
      postcode: opts.postcode === undefined ? 'SW1A 1AA' : opts.postcode,
    },
  });
  const due = new Date(now.getTime() - 60 * 86_400_000);
  const invoice = await db.invoice.create({
    data: {
      tenantId,
      clientId: client.id,
      reference: opts.reference ?? `INV-${randomUUID().slice(0, 8)}`,
      amountPence: opts.amountPence ?? 60_000,
      currency: 'GBP',
      issueDate: new Date(due.getTime() - 30 * 86_400_000),
      dueDate: due,
      status: 'overdue',
    },
  });
  return { client, invoice };
}

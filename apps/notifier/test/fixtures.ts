import type { Database } from '@recoup/db';

/** Monday 23 November 2026, 12:00 London: inside every contact window. */
export const MONDAY_NOON = new Date('2026-11-23T12:00:00Z');

/** Limits high enough that only the test that means to hit one does. */
export const GENEROUS_LIMITS = {
  monthly: { emails: 1_000_000, sms: 1_000_000 },
  daily: { emails: 1_000_000, sms: 1_000_000, total_cost_pence: 100_000_000 },
  hourly: { emails: 1_000_000, sms: 1_000_000 },
};

export async function createTenant(
  db: Database,
  data: { name?: string; email?: string | null; tier?: 'starter' | 'growth' | 'pro'; limitOverrides?: object } = {},
) {
  return db.tenant.create({
    data: {
      name: data.name ?? 'Acme Supplies Ltd',
      email: data.email === undefined ? 'owner@acme.example' : data.email,
      tier: data.tier ?? 'pro',
      limitOverrides: data.limitOverrides ?? GENEROUS_LIMITS,
      collectionPolicy: { contact_phone: '0161 496 0000', contact_address: '1 Example Street, Manchester M1 1AA' },
    },
  });
}

let seq = 0;
export async function createDebtor(
  db: Database,
  tenantId: string,
  client: Record<string, unknown> = {},
  invoice: Record<string, unknown> = {},
) {
  seq += 1;
  const c = await db.client.create({
    data: {
      tenantId,
      name: 'Sam Taylor',
      kind: 'consumer',
      email: `sam${seq}@example.com`,
      phone: `+4477009${String(10_000 + seq).slice(-5)}`,
      address: { line1: '10 High Street', city: 'Leeds', postcode: 'ls1 4ab' },
      ...client,
    },
  });
  const i = await db.invoice.create({
    data: {
      tenantId,
      clientId: c.id,
      reference: `INV-${seq}-${c.id.slice(0, 6)}`,
      amountPence: 240_00,
      issueDate: new Date('2026-09-16'),
      dueDate: new Date('2026-10-16'),
      status: 'overdue',
      ...invoice,
    },
  });
  return { client: c, invoice: i };
}

import type { ListOutboxQuery, OutboxItem, OutboxKind } from '@recoup/contracts';
import { Prisma, type Database } from '@recoup/db';
import { estimateSegments } from '@recoup/providers/sms';
import { decodeCursor, encodeCursor } from '../invoices/invoice.queries';

// Read model of the sandbox outbox. sandbox_messages has no tenant column (the sandbox adapters
// only know the send's idempotency key), so a message is the tenant's through the contact
// attempt whose BullMQ job id is that key: contact_attempts.job_id = sandbox_messages.idempotency_key.

interface OutboxRow {
  id: string;
  kind: OutboxKind;
  created_at: Date;
  invoice_id: string | null;
  invoice_reference: string | null;
  client_id: string;
  client_name: string | null;
  contact_attempt_id: string | null;
  status: string | null;
  to_address: string | null;
  from_address: string | null;
  subject: string | null;
  body: string | null;
  metadata: Record<string, unknown> | null;
  has_document: boolean;
  cost_pence: number;
  outcome: string | null;
  duration_seconds: number | null;
  sensitive: boolean;
  transcript_removed: boolean;
}

function messagesPart(tenantId: string, query: ListOutboxQuery): Prisma.Sql {
  return Prisma.sql`
    SELECT m.id, m.channel::text AS kind, m.created_at, a.invoice_id, i.reference AS invoice_reference, a.client_id,
           c.name AS client_name, a.id AS contact_attempt_id, a.status::text AS status, m.to_address, m.from_address,
           m.subject, m.body, m.metadata, (m.document IS NOT NULL) AS has_document, a.cost_pence,
           NULL::text AS outcome, NULL::int AS duration_seconds, false AS sensitive, false AS transcript_removed
      FROM sandbox_messages m
      JOIN contact_attempts a ON a.job_id = m.idempotency_key
      JOIN clients c ON c.id = a.client_id
      LEFT JOIN invoices i ON i.id = a.invoice_id
     WHERE a.tenant_id = ${tenantId}::uuid
       -- The sandbox call placers record placements here too (ai_call, ivr_call): calls come from the calls table.
       AND m.channel IN ('email', 'sms', 'letter')
       ${query.invoice_id ? Prisma.sql`AND a.invoice_id = ${query.invoice_id}::uuid` : Prisma.empty}
       ${query.kind ? Prisma.sql`AND m.channel::text = ${query.kind}` : Prisma.empty}`;
}

function callsPart(tenantId: string, query: ListOutboxQuery): Prisma.Sql {
  return Prisma.sql`
    SELECT k.id, 'ai_call' AS kind, k.created_at, k.invoice_id, i.reference AS invoice_reference, k.client_id,
           c.name AS client_name, k.contact_attempt_id, k.status, c.phone AS to_address, NULL::text AS from_address,
           NULL::text AS subject, NULL::text AS body, NULL::jsonb AS metadata, false AS has_document, k.cost_pence,
           k.outcome, k.duration_seconds, k.sensitive, (k.transcript_deleted_at IS NOT NULL) AS transcript_removed
      FROM calls k
      JOIN clients c ON c.id = k.client_id
      LEFT JOIN invoices i ON i.id = k.invoice_id
     WHERE k.tenant_id = ${tenantId}::uuid AND k.kind = 'ai'
       ${query.invoice_id ? Prisma.sql`AND k.invoice_id = ${query.invoice_id}::uuid` : Prisma.empty}`;
}

/** One page of the tenant's outbox (sandbox messages and AI calls), newest first. */
export async function listOutbox(db: Database, tenantId: string, query: ListOutboxQuery) {
  const parts: Prisma.Sql[] = [];
  if (query.kind !== 'ai_call') parts.push(messagesPart(tenantId, query));
  if (!query.kind || query.kind === 'ai_call') parts.push(callsPart(tenantId, query));
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = await db.$queryRaw<OutboxRow[]>`
    SELECT * FROM (${Prisma.join(parts, ' UNION ALL ')}) x
     ${cursor ? Prisma.sql`WHERE (x.created_at, x.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)` : Prisma.empty}
     ORDER BY x.created_at DESC, x.id DESC
     LIMIT ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const callIds = page.filter((r) => r.kind === 'ai_call' && !r.sensitive && !r.transcript_removed).map((r) => r.id);
  const turns = callIds.length
    ? await db.callTurn.findMany({ where: { callId: { in: callIds } }, orderBy: [{ callId: 'asc' }, { sequence: 'asc' }] })
    : [];
  const byCall = new Map<string, Array<{ speaker: 'ai' | 'user'; text: string }>>();
  for (const t of turns) {
    const list = byCall.get(t.callId) ?? [];
    list.push({ speaker: t.speaker === 'user' ? 'user' : 'ai', text: t.text });
    byCall.set(t.callId, list);
  }
  const last = page[page.length - 1];
  return {
    data: page.map((r) => outboxItem(r, byCall.get(r.id) ?? [])),
    next_cursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

function outboxItem(r: OutboxRow, turns: Array<{ speaker: 'ai' | 'user'; text: string }>): OutboxItem {
  const meta = r.metadata ?? {};
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const withheld = r.sensitive || r.transcript_removed;
  return {
    id: r.id,
    kind: r.kind,
    sent_at: r.created_at.toISOString(),
    invoice_id: r.invoice_id,
    invoice_reference: r.invoice_reference,
    client_id: r.client_id,
    client_name: r.client_name,
    contact_attempt_id: r.contact_attempt_id,
    status: r.status,
    to: r.to_address,
    from: r.from_address,
    subject: r.subject,
    text: r.body,
    html: r.kind === 'email' && typeof meta.html === 'string' ? meta.html : null,
    sms_segments: r.kind === 'sms' && r.body !== null ? estimateSegments(r.body) : null,
    letter_pages: r.kind === 'letter' ? (num(meta.pages) ?? 1) : null,
    document_url: r.kind === 'letter' && r.has_document ? `/api/outbox/${r.id}/document` : null,
    // A sandbox SMS records its cost on the message before the attempt is updated.
    cost_pence: r.cost_pence || num(meta.cost_pence) || 0,
    call:
      r.kind === 'ai_call'
        ? { outcome: r.outcome, duration_seconds: r.duration_seconds, transcript: withheld ? null : turns, transcript_withheld: withheld }
        : null,
  };
}

/** A letter's PDF, or null when the message is not the tenant's or has no document. */
export async function outboxDocument(db: Database, tenantId: string, id: string): Promise<Uint8Array | null> {
  const rows = await db.$queryRaw<Array<{ document: Uint8Array | null }>>`
    SELECT m.document FROM sandbox_messages m
      JOIN contact_attempts a ON a.job_id = m.idempotency_key
     WHERE m.id = ${id}::uuid AND a.tenant_id = ${tenantId}::uuid`;
  return rows[0]?.document ?? null;
}

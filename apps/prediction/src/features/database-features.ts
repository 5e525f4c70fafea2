import type { Database } from '@recoup/db';
import type { FeatureRecord, LabelledExample } from './product-features';

const DAY_MS = 86_400_000;

/** Days overdue at which an unpaid invoice is photographed for training. */
export const SNAPSHOT_DAYS_OVERDUE = [1, 15, 30, 60, 90] as const;
/** The label: paid in full within this many days of the snapshot. */
export const PAYMENT_HORIZON_DAYS = 30;

interface PaymentRow {
  amountPence: number;
  receivedAt: Date;
}

interface InvoiceRow {
  id: string;
  clientId: string;
  amountPence: number;
  issueDate: Date;
  dueDate: Date;
  status: string;
  payments: PaymentRow[];
}

interface ClientRow {
  id: string;
  createdAt: Date;
  industryCode: string | null;
  paymentMethodOnFile: boolean;
  disputeOpenedAt: Date | null;
  disputeResolvedAt: Date | null;
}

interface ContactRow {
  clientId: string;
  channel: string;
  status: string;
  createdAt: Date;
}

/** When cumulative payments first covered the invoice, or undefined if they never did. */
export function settledAt(invoice: Pick<InvoiceRow, 'amountPence' | 'payments'>): Date | undefined {
  let paid = 0;
  for (const p of [...invoice.payments].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime())) {
    paid += p.amountPence;
    if (paid >= invoice.amountPence) return p.receivedAt;
  }
  return undefined;
}

const OPENED = new Set(['opened', 'clicked', 'replied']);

/**
 * The product features of one invoice as they stood at `asOf`, from records only: a payment,
 * a settlement or a contact after `asOf` is never seen. What the schema cannot date is left
 * missing rather than read as it is today: collection_stage (no stage history) and the
 * outcome of a contact (an email sent before asOf may have been opened after; we count it,
 * the one approximation here). payment_method_on_file and industry_code are the client's
 * current values, which have no history either.
 */
export function featuresAsOf(
  invoice: InvoiceRow,
  client: ClientRow,
  clientInvoices: readonly InvoiceRow[],
  contacts: readonly ContactRow[],
  asOf: Date,
): FeatureRecord {
  const t = asOf.getTime();
  let paidBefore = 0;
  let lateBefore = 0;
  let daysLate = 0;
  let partials = 0;
  let firstSeen = Math.min(client.createdAt.getTime(), invoice.issueDate.getTime());
  for (const other of clientInvoices) {
    firstSeen = Math.min(firstSeen, other.issueDate.getTime());
    let paid = 0;
    for (const p of [...other.payments].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime())) {
      if (p.receivedAt.getTime() >= t) break;
      paid += p.amountPence;
      if (paid < other.amountPence) partials++;
    }
    if (other.id === invoice.id) continue;
    const settled = settledAt(other);
    if (settled && settled.getTime() < t) {
      paidBefore++;
      const late = Math.max(0, Math.floor((settled.getTime() - other.dueDate.getTime()) / DAY_MS));
      if (late > 0) lateBefore++;
      daysLate += late;
    }
  }
  let emails = 0;
  let opened = 0;
  let sms = 0;
  let replied = 0;
  for (const c of contacts) {
    if (c.createdAt.getTime() >= t) continue;
    if (c.channel === 'email') {
      emails++;
      if (OPENED.has(c.status)) opened++;
    } else if (c.channel === 'sms') {
      sms++;
      if (c.status === 'replied') replied++;
    }
  }
  const disputeOpen =
    client.disputeOpenedAt !== null &&
    client.disputeOpenedAt.getTime() <= t &&
    (client.disputeResolvedAt === null || client.disputeResolvedAt.getTime() > t);
  const disputeBefore = client.disputeOpenedAt !== null && client.disputeResolvedAt !== null && client.disputeResolvedAt.getTime() <= t;
  return {
    invoice_amount: invoice.amountPence / 100,
    days_overdue: Math.floor((t - invoice.dueDate.getTime()) / DAY_MS),
    previous_late_payments: lateBefore,
    client_age_days: Math.max(0, Math.floor((t - firstSeen) / DAY_MS)),
    industry_code: client.industryCode ?? undefined,
    previous_disputes: disputeBefore ? 1 : 0,
    payment_method_on_file: client.paymentMethodOnFile,
    email_open_rate: emails > 0 ? opened / emails : undefined,
    sms_response_rate: sms > 0 ? replied / sms : undefined,
    partial_payments: partials,
    previous_paid_invoices: paidBefore,
    average_days_late: paidBefore > 0 ? daysLate / paidBefore : undefined,
    invoice_disputed: disputeOpen,
  };
}

/**
 * Labelled training examples from the platform's records: each invoice still unpaid at 1, 15,
 * 30, 60 and 90 days overdue is one example per such day, labelled by whether it was paid in
 * full within 30 days after. A snapshot whose 30 days have not yet passed is left out (its
 * outcome is unknown), and so are cancelled invoices.
 */
export async function loadDatabaseExamples(db: Database, now = new Date()): Promise<LabelledExample[]> {
  const [clients, invoices, contacts] = await Promise.all([
    db.client.findMany({
      select: { id: true, createdAt: true, industryCode: true, paymentMethodOnFile: true, disputeOpenedAt: true, disputeResolvedAt: true },
    }),
    db.invoice.findMany({
      where: { status: { not: 'cancelled' } },
      select: {
        id: true,
        clientId: true,
        amountPence: true,
        issueDate: true,
        dueDate: true,
        status: true,
        payments: { select: { amountPence: true, receivedAt: true } },
      },
    }),
    db.contactAttempt.findMany({
      where: { channel: { in: ['email', 'sms'] } },
      select: { clientId: true, channel: true, status: true, createdAt: true },
    }),
  ]);
  const clientById = new Map(clients.map((c) => [c.id, c]));
  const invoicesByClient = new Map<string, InvoiceRow[]>();
  for (const inv of invoices) {
    const list = invoicesByClient.get(inv.clientId) ?? [];
    list.push(inv);
    invoicesByClient.set(inv.clientId, list);
  }
  const contactsByClient = new Map<string, ContactRow[]>();
  for (const c of contacts) {
    const list = contactsByClient.get(c.clientId) ?? [];
    list.push(c);
    contactsByClient.set(c.clientId, list);
  }
  const examples: LabelledExample[] = [];
  for (const inv of invoices) {
    const client = clientById.get(inv.clientId);
    if (!client) continue;
    const settled = settledAt(inv);
    for (const days of SNAPSHOT_DAYS_OVERDUE) {
      const asOf = new Date(inv.dueDate.getTime() + days * DAY_MS);
      const horizon = asOf.getTime() + PAYMENT_HORIZON_DAYS * DAY_MS;
      if (horizon > now.getTime()) break;
      if (settled && settled.getTime() < asOf.getTime()) break;
      examples.push({
        asOf,
        paid: settled !== undefined && settled.getTime() < horizon,
        features: featuresAsOf(inv, client, invoicesByClient.get(inv.clientId) ?? [], contactsByClient.get(inv.clientId) ?? [], asOf),
      });
    }
  }
  return examples.sort((a, b) => a.asOf.getTime() - b.asOf.getTime());
}

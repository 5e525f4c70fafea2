import {
  isoDate,
  londonIsoDate,
  mintDebtorLinkToken,
  quoteInvoiceBalance,
  type BalanceQuote,
  type MintDebtorLinkInput,
} from '@recoup/collections';
import type { Database } from '@recoup/db';
import { STAGES, type Stage } from '@recoup/templates';

/** Rows the worker re-reads at send time (the subset of the Prisma models it uses). */
export interface TenantRow {
  id: string;
  name: string;
  email: string | null;
  collectionPolicy: unknown;
}
export interface ClientRow {
  id: string;
  name: string;
  kind: 'business' | 'consumer';
  email: string | null;
  phone: string | null;
  address: unknown;
  disputeOpenedAt: Date | null;
  breathingSpaceStart: Date | null;
}
export interface InvoiceRow {
  id: string;
  reference: string;
  amountPence: number;
  paidPence: number;
  issueDate: Date;
  dueDate: Date;
}
export interface PlanRow {
  frequency: string;
  installments: Array<{ dueDate: Date; amountPence: number; status: string }>;
}

export class TemplateInputError extends Error {}

/** Longest link the templates take (libs/templates LinksSchema): a 28-character base, `/p/` and a 22-character token. */
const MAX_LINK_LENGTH = 53;

/** `friendly_reminder` or `friendly_reminder.email`: the stage, checked against the job's channel. */
export function stageOf(templateId: string, channel: 'email' | 'sms' | 'letter'): Stage {
  const [stage, templateChannel, ...rest] = templateId.split('.');
  if (rest.length > 0 || (templateChannel !== undefined && templateChannel !== channel))
    throw new TemplateInputError(`template "${templateId}" is not a ${channel} template`);
  if (!(STAGES as readonly string[]).includes(stage ?? '')) throw new TemplateInputError(`unknown template stage "${stage}"`);
  return stage as Stage;
}

/** Template text must be plain (no markup, braces or line breaks) and within each field's length. */
function plain(value: string, max: number): string {
  const cleaned = value
    .replace(/[<>{}]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > max ? cleaned.slice(0, max).trim() : cleaned;
}

const addDays = (iso: string, days: number) => isoDate(new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000));

/** Today's London calendar date (`YYYY-MM-DD`): the core's reckoning of "today". */
export const londonToday = (now: Date): string => londonIsoDate(now);

/**
 * The 12 hex digits of the invoice id that links carried before they had tokens. Those links no longer open anything
 * (collections-api answers them with a page that shows no invoice data); only a caller that has not moved to
 * `messageVariables` still produces them.
 * @deprecated use messageVariables, which mints a token per message.
 */
export function shortCode(invoiceId: string): string {
  return invoiceId.replace(/-/g, '').slice(0, 12);
}

interface CreditorContact {
  contact_phone?: unknown;
  contact_address?: unknown;
}

export interface TemplateVariablesInput {
  stage: Stage;
  tenant: TenantRow;
  client: ClientRow;
  invoice: InvoiceRow;
  plan?: PlanRow | null;
  jobVariables?: Record<string, string>;
  linkBaseUrl: string;
  now: Date;
  /** The message's debtor link token (mintDebtorLinkToken): the /p /d /c links carry it. */
  linkToken?: string;
  /** The invoice's one balance (quoteBalance): what the message quotes, interest and compensation included. */
  quote?: BalanceQuote;
}

/**
 * The variables of one message, as `templateVariables`, with what only the database knows: a fresh debtor link token
 * for this message (tied to its contact attempt) and the balance quoted by the collections core — principal, plus
 * statutory interest and compensation only where the tenant claims them (`claimsLatePaymentCharges`) from a business.
 * Pass `linkToken` to reuse the token of an earlier run of the same attempt (an SMS looked up by its body after a
 * crash must have the same body).
 */
export async function messageVariables(
  db: Database,
  input: TemplateVariablesInput & { contactAttemptId: string },
  facts: MessageFacts = singleMessageFacts(db),
): Promise<{ variables: Record<string, unknown>; linkToken: string; quote: BalanceQuote }> {
  // The worker's read already holds the invoice's currency, status and owner; other callers' rows may not.
  const { currency, status, tenantId, clientId } = input.invoice as Partial<QuotableInvoice>;
  const invoice: QuotableInvoice | null =
    currency && status && tenantId && clientId
      ? { ...input.invoice, currency, status, tenantId, clientId }
      : await db.invoice
          .findFirst({
            where: { id: input.invoice.id, tenantId: input.tenant.id },
            select: { currency: true, status: true, tenantId: true, clientId: true },
          })
          .then((f) => (f ? { ...input.invoice, ...f } : null));
  if (!invoice || invoice.tenantId !== input.tenant.id) throw new TemplateInputError('invoice not found for this tenant');
  const quote = await facts.quote(invoice, input.now);
  // The references the debtor was given are the records' own random ones (never a fragment of a link or an id).
  const jobVariables = { ...input.jobVariables };
  if (input.stage === 'dispute_acknowledgement' && !jobVariables.dispute_reference) {
    const dispute = await db.dispute.findFirst({
      where: { invoiceId: input.invoice.id, tenantId: input.tenant.id },
      orderBy: { openedAt: 'desc' },
      select: { reference: true },
    });
    if (dispute) jobVariables.dispute_reference = dispute.reference;
  }
  if (input.stage === 'breathing_space_acknowledgement' && !jobVariables.moratorium_reference) {
    const client = await db.client.findUnique({ where: { id: input.client.id }, select: { breathingSpaceReference: true } });
    if (client?.breathingSpaceReference) jobVariables.moratorium_reference = client.breathingSpaceReference;
  }
  const linkToken =
    input.linkToken ??
    (await facts.mintLinkToken({
      tenantId: input.tenant.id,
      invoiceId: input.invoice.id,
      contactAttemptId: input.contactAttemptId,
      now: input.now,
    }));
  return { variables: templateVariables({ ...input, jobVariables, linkToken, quote }), linkToken, quote };
}

type QuotableInvoice = Parameters<typeof quoteInvoiceBalance>[1];

/**
 * The two writes/reads of the collections core a message needs: its balance quote and a fresh debtor link token. The
 * worker passes batched ones (DeliveryRepository.messageFacts); the default makes one statement each.
 */
export interface MessageFacts {
  quote: (invoice: QuotableInvoice, now: Date) => Promise<BalanceQuote>;
  mintLinkToken: (input: MintDebtorLinkInput) => Promise<string>;
}

function singleMessageFacts(db: Database): MessageFacts {
  return {
    quote: (invoice, now) => quoteInvoiceBalance(db, invoice, now),
    mintLinkToken: async (input) => (await mintDebtorLinkToken(db, input)).token,
  };
}

/** "500.00" (public JSON, major units) to pence; undefined when absent or malformed. */
export function poundsToPence(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,9}(\.\d{1,2})?$/.test(value)) return undefined;
  const [whole, frac = ''] = value.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/**
 * The variables a stage's template needs, built from the rows as they are at send time plus the
 * producer-only facts the job carries (`payment_link_url`, `promise_amount`, `promise_date`, ...).
 * The template library validates the result; anything missing is a TemplateVariablesError.
 */
export function templateVariables(input: TemplateVariablesInput): Record<string, unknown> {
  const { stage, tenant, client, invoice, quote } = input;
  const vars = input.jobVariables ?? {};
  const policy = (tenant.collectionPolicy && typeof tenant.collectionPolicy === 'object' ? tenant.collectionPolicy : {}) as CreditorContact;
  const today = quote?.asOf ?? londonToday(input.now);
  const code = input.linkToken ?? shortCode(invoice.id);
  const base = input.linkBaseUrl.replace(/\/+$/, '');
  const payLink =
    vars.payment_link_url && vars.payment_link_url.startsWith('https://') && vars.payment_link_url.length <= MAX_LINK_LENGTH
      ? vars.payment_link_url
      : `${base}/p/${code}`;
  const business = client.kind === 'business';
  // The templates add interest and compensation exactly when the core's quote does (same function, same facts), so
  // the figure every message shows is quoteBalance's total. Without a quote: never (no tenant claims by default).
  const claimsCharges = quote ? quote.interestPence + quote.compensationPence > 0 : false;
  const outstandingPence = quote ? quote.principalPence : Math.max(0, invoice.amountPence - invoice.paidPence);
  const v: Record<string, unknown> = {
    debtor: { name: plain(client.name, 60), kind: client.kind },
    creditor: {
      name: plain(tenant.name, 40),
      phone: plain(vars.creditor_phone ?? (typeof policy.contact_phone === 'string' ? policy.contact_phone : 'by email'), 20),
      email: tenant.email ?? 'accounts@recoup.example',
      address: plain(vars.creditor_address ?? (typeof policy.contact_address === 'string' ? policy.contact_address : tenant.name), 160),
    },
    invoice: {
      reference: plain(invoice.reference, 20),
      amountPence: invoice.amountPence,
      paidPence: Math.min(invoice.paidPence, invoice.amountPence),
      issueDate: isoDate(invoice.issueDate),
      dueDate: isoDate(invoice.dueDate),
    },
    links: { pay: payLink, dispute: `${base}/d/${code}`, preferences: `${base}/c/${code}` },
    today,
    // Late Payment Act interest is for business debts only, and only when the tenant claims it (quoteBalance).
    claimStatutoryInterest: business && claimsCharges,
    // The same frozen days as the quote (a breathing space), so the template's interest is the quote's to the penny.
    ...(quote?.interestFrozenPeriods ? { interestFrozenPeriods: quote.interestFrozenPeriods } : {}),
  };
  switch (stage) {
    case 'final_notice':
      // Pre-Action Protocol: 30 days for individuals; 14 for businesses.
      v.respondBy = vars.respond_by ?? addDays(today, business ? 14 : 30);
      break;
    case 'promise_to_pay_confirmation': {
      // Without an agreed amount, the whole balance as quoted (the same figure as a payment link sent that day).
      const amountPence = poundsToPence(vars.promise_amount) ?? (quote ? quote.totalPence : outstandingPence);
      if (!vars.promise_date) throw new TemplateInputError('promise_to_pay_confirmation needs the job variable promise_date');
      v.promise = { amountPence, date: vars.promise_date };
      break;
    }
    case 'payment_plan_proposal':
    case 'payment_plan_confirmation': {
      const due = input.plan?.installments.filter((i) => i.status !== 'paid') ?? [];
      if (!input.plan || due.length === 0)
        throw new TemplateInputError(`${stage} needs a payment plan with unpaid installments on the invoice`);
      v.plan = {
        frequency: input.plan.frequency,
        installments: due.map((i) => ({ dueDate: isoDate(i.dueDate), amountPence: i.amountPence })),
      };
      break;
    }
    case 'dispute_acknowledgement':
      v.dispute = {
        receivedDate: client.disputeOpenedAt ? isoDate(client.disputeOpenedAt) : today,
        reference: plain(vars.dispute_reference ?? invoice.reference, 24),
        responseBy: vars.response_by ?? addDays(today, 14),
      };
      break;
    case 'breathing_space_acknowledgement':
      v.moratorium = {
        kind: vars.moratorium_kind === 'mental_health_crisis' ? 'mental_health_crisis' : 'standard',
        startDate: client.breathingSpaceStart ? isoDate(client.breathingSpaceStart) : today,
        reference: plain(vars.moratorium_reference ?? invoice.reference, 30),
      };
      break;
    default:
      break;
  }
  return v;
}

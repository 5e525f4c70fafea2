import { z } from 'zod';
import { Channel, Currency, E164, IsoDate, MajorAmount, Uuid } from './common.schema';

/** Public JSON of collections-api: snake_case, amounts in major units (500.00), instants ISO 8601 UTC. */

export const ClientKind = z.enum(['business', 'consumer']);
export const InvoiceStatus = z
  .enum(['open', 'overdue', 'partially_paid', 'paid', 'disputed', 'cancelled', 'written_off'])
  .meta({ id: 'InvoiceStatus' });
export type InvoiceStatus = z.infer<typeof InvoiceStatus>;
const IsoInstant = z.iso.datetime({ offset: true });
/** Zod runs object refinements even when a field failed: only compare dates that parsed. */
const validDay = (v: unknown) => typeof v === 'string' && IsoDate.safeParse(v).success;
const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:mm');

export const PreferredTimesBody = z
  .object({
    windows: z
      .array(z.object({ days: z.array(z.number().int().min(1).max(7)).min(1), start: Hhmm, end: Hhmm }).strict())
      .min(1)
      .max(14),
  })
  .strict();

/** A UK postcode as written ("SW1A 1AA", any case, spaces optional); stored as given, compared letters and digits only. */
const UkPostcode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}$/, 'expected a UK postcode such as SW1A 1AA');

const ClientFields = {
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  phone: E164,
  kind: ClientKind,
  nation: z.enum(['england_wales', 'scotland', 'northern_ireland']).optional(),
  timezone: z.string().min(1).max(64).optional(),
  jurisdiction: z.enum(['uk', 'us']).optional(),
  industry_code: z.string().max(16).optional(),
  payment_method_on_file: z.boolean().optional(),
  /** What a caller must confirm before the debt is discussed (CONC 7.9.7R): UK postcode, date of birth. */
  postcode: UkPostcode.optional(),
  date_of_birth: IsoDate.optional(),
};

export const CreateClientRequest = z.object(ClientFields).strict().meta({ id: 'CreateClientRequest' });
export type CreateClientRequest = z.infer<typeof CreateClientRequest>;

/** Contact details and the flags the compliance engine reads (CONC 7.9, 7.10, 7.14; Breathing Space regs). */
export const UpdateClientRequest = z
  .object({
    name: ClientFields.name.optional(),
    kind: ClientKind.optional(),
    nation: ClientFields.nation,
    timezone: ClientFields.timezone,
    jurisdiction: ClientFields.jurisdiction,
    industry_code: ClientFields.industry_code,
    payment_method_on_file: ClientFields.payment_method_on_file,
    postcode: UkPostcode.nullable().optional(),
    date_of_birth: IsoDate.nullable().optional(),
    email: z.email().max(254).nullable().optional(),
    phone: E164.nullable().optional(),
    /** `opened` stops collection on every invoice of the debtor until `resolved` (CONC 7.14). */
    dispute: z.enum(['opened', 'resolved']).optional(),
    /** Channels the debtor asked us not to use (replaces the list). */
    stopped_channels: z.array(Channel).max(5).optional(),
    stop_channel: Channel.optional(),
    resume_channel: Channel.optional(),
    preferred_channel: Channel.nullable().optional(),
    preferred_times: PreferredTimesBody.nullable().optional(),
    breathing_space_start: IsoInstant.nullable().optional(),
    breathing_space_end: IsoInstant.nullable().optional(),
    vulnerable: z.boolean().optional(),
    vulnerability_note: z.string().max(1000).nullable().optional(),
    mental_capacity_concern: z.boolean().optional(),
    artificial_voice_consent_at: IsoInstant.nullable().optional(),
  })
  .strict()
  .meta({ id: 'UpdateClientRequest' });
export type UpdateClientRequest = z.infer<typeof UpdateClientRequest>;

export const ClientResponse = z
  .object({
    id: Uuid,
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    kind: ClientKind,
    nation: z.string(),
    timezone: z.string(),
    jurisdiction: z.string(),
    industry_code: z.string().nullable(),
    payment_method_on_file: z.boolean(),
    postcode: z.string().nullable(),
    date_of_birth: z.string().nullable(),
    dispute_opened_at: z.string().nullable(),
    dispute_resolved_at: z.string().nullable(),
    stopped_channels: z.array(Channel),
    preferred_channel: Channel.nullable(),
    preferred_times: z.unknown().nullable(),
    breathing_space_start: z.string().nullable(),
    breathing_space_end: z.string().nullable(),
    vulnerable: z.boolean(),
    vulnerability_note: z.string().nullable(),
    mental_capacity_concern: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Client' });

export const ClientIdParams = z.object({ client_id: Uuid });
export const InvoiceIdParams = z.object({ invoice_id: Uuid });

export const CreateInvoiceRequest = z
  .object({
    client_id: Uuid,
    invoice_reference: z.string().trim().min(1).max(64),
    amount: MajorAmount,
    currency: Currency,
    issue_date: IsoDate,
    due_date: IsoDate,
    description: z.string().max(1000).optional(),
  })
  .strict()
  .refine((b) => !validDay(b.issue_date) || !validDay(b.due_date) || b.due_date >= b.issue_date, {
    path: ['due_date'],
    message: 'due_date must not be before issue_date',
  })
  .meta({ id: 'CreateInvoiceRequest' });
export type CreateInvoiceRequest = z.infer<typeof CreateInvoiceRequest>;

export const UpdateInvoiceRequest = z
  .object({
    invoice_reference: z.string().trim().min(1).max(64).optional(),
    amount: MajorAmount.optional(),
    issue_date: IsoDate.optional(),
    due_date: IsoDate.optional(),
    description: z.string().max(1000).nullable().optional(),
    /** The only status a client sets directly; paid/partially_paid follow payments, disputed follows /dispute, cancelled follows /cancel. */
    status: z.literal('written_off').optional(),
  })
  .strict()
  .meta({ id: 'UpdateInvoiceRequest' });
export type UpdateInvoiceRequest = z.infer<typeof UpdateInvoiceRequest>;

const BoolString = z.enum(['true', 'false']).transform((v) => v === 'true');
export const ListInvoicesQuery = z
  .object({
    status: InvoiceStatus.optional(),
    /** true: past due and still owed (whatever the stored status); false: not overdue. */
    overdue: BoolString.optional(),
    client_id: Uuid.optional(),
    /** Opaque cursor from the previous page's next_cursor. */
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ListInvoicesQuery = z.infer<typeof ListInvoicesQuery>;

export const InvoiceResponse = z
  .object({
    id: Uuid,
    client_id: Uuid,
    invoice_reference: z.string(),
    amount: z.number(),
    amount_paid: z.number(),
    balance: z.number(),
    /** Paid beyond the invoice amount, held for the debtor (never lost, never counted twice). */
    credit: z.number(),
    currency: z.string(),
    issue_date: z.string(),
    due_date: z.string(),
    status: InvoiceStatus,
    days_overdue: z.number().int(),
    collection_stage: z.number().int(),
    description: z.string().nullable(),
    last_action_at: z.string().nullable(),
    next_action_at: z.string().nullable(),
    cancelled_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Invoice' });

export const InvoiceListResponse = z
  .object({ data: z.array(InvoiceResponse), next_cursor: z.string().nullable() })
  .meta({ id: 'InvoiceList' });

export const ManualPaymentRequest = z
  .object({
    amount: MajorAmount,
    method: z.enum(['bank_transfer', 'cash', 'cheque', 'card', 'other']).default('bank_transfer'),
    /** ISO 4217 code of the money received; default the invoice's. Another currency is recorded as needs_review and moves no balance. */
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 currency code such as GBP')
      .transform((c) => c.toUpperCase())
      .optional(),
    received_at: IsoInstant.optional(),
    reference: z.string().max(100).optional(),
    installment_id: Uuid.optional(),
  })
  .strict()
  .meta({ id: 'ManualPaymentRequest' });
export type ManualPaymentRequest = z.infer<typeof ManualPaymentRequest>;

export const PaymentResponse = z
  .object({
    id: Uuid,
    invoice_id: Uuid,
    amount: z.number(),
    currency: z.string(),
    refunded: z.number(),
    method: z.string(),
    /** succeeded | part_refunded | refunded | disputed | needs_review (another currency than the invoice's) */
    status: z.string(),
    external_id: z.string().nullable(),
    installment_id: Uuid.nullable(),
    received_at: z.string(),
  })
  .meta({ id: 'Payment' });

/** The one balance every message, call, link and API answer quotes, itemised. */
export const BalanceResponse = z
  .object({
    invoice_id: Uuid,
    currency: z.string(),
    principal: z.number(),
    interest: z.number(),
    compensation: z.number(),
    total: z.number(),
    credit: z.number(),
    as_of: z.string(),
  })
  .meta({ id: 'Balance' });

export const DisputeRequest = z
  .object({ action: z.enum(['open', 'resolve']), reason: z.string().max(1000).optional() })
  .strict()
  .meta({ id: 'DisputeRequest' });

export const TimelineEvent = z.object({
  at: z.string(),
  type: z.string(),
  channel: Channel.nullable(),
  status: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export const TimelineResponse = z.object({ invoice_id: Uuid, events: z.array(TimelineEvent) }).meta({ id: 'InvoiceTimeline' });

export const PaymentLinkResponse = z
  .object({
    id: Uuid,
    invoice_id: Uuid,
    installment_id: Uuid.nullable(),
    provider: z.string(),
    url: z.string(),
    amount: z.number(),
    currency: z.string(),
    status: z.string(),
  })
  .meta({ id: 'PaymentLink' });

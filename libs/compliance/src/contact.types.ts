/**
 * The facts the compliance engine decides on. Plain data with no database types, so the pure core
 * can be called from any service (or a test) with whatever it has loaded. Instants are `Date`s
 * (UTC inside); calendar dates are ISO `YYYY-MM-DD` strings read in the debtor's own time zone.
 */
import type { InvoiceStatus } from '@recoup/db';

export const CHANNELS = ['email', 'sms', 'ai_call', 'ivr_call', 'letter'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Calls placed by a machine (an AI agent or an IVR), the subject of Ofcom's persistent-misuse policy. */
export const AUTOMATED_CALL_CHANNELS: readonly Channel[] = ['ai_call', 'ivr_call'];

export const UK_NATIONS = ['england_wales', 'scotland', 'northern_ireland'] as const;
export type UkNation = (typeof UK_NATIONS)[number];

/** Same values as the database's ContactStatus enum. */
export const CONTACT_STATUSES = [
  'queued',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'replied',
  'bounced',
  'failed',
  'answered',
  'no_answer',
  'busy',
  'abandoned',
  'machine',
  'completed',
  'blocked',
  'cancelled',
] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export type DebtorKind = 'business' | 'consumer';
export type Recipient = 'debtor' | 'debt_adviser' | 'attorney';
export type Initiator = 'automation' | 'human';

/** ISO weekday: 1 = Monday ... 7 = Sunday (luxon's numbering). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A weekly window of local time, [start, end), "HH:mm" with end up to "24:00". */
export interface WeeklyWindow {
  days: IsoWeekday[];
  start: string;
  end: string;
}

/** What the debtor asked for about timing (CONC 7.9): contact only within these windows. */
export interface PreferredTimes {
  windows: WeeklyWindow[];
}

export interface DebtorFacts {
  kind: DebtorKind;
  /** UK nation whose bank holidays apply; default England and Wales. */
  nation?: UkNation | null;
  /** IANA zone of the debtor; default the profile's zone (Europe/London for UK). */
  timezone?: string | null;
  phone?: string | null;
  email?: string | null;
  disputeOpenedAt?: Date | null;
  disputeResolvedAt?: Date | null;
  stoppedChannels?: readonly Channel[] | null;
  preferredChannel?: Channel | null;
  preferredTimes?: PreferredTimes | null;
  breathingSpaceStart?: Date | null;
  /** Null while a moratorium has started with no known end (a mental-health crisis moratorium). */
  breathingSpaceEnd?: Date | null;
  vulnerable?: boolean | null;
  mentalCapacityConcern?: boolean | null;
  /** TCPA prior express consent to artificial-voice calls (US profile). */
  artificialVoiceConsentAt?: Date | null;
}

/** The invoice statuses of the collections core (libs/collections owns their meaning; a type-only import). */
export type DebtStatus = InvoiceStatus;

export interface DebtFacts {
  id?: string | null;
  /** Integer minor units (pence, cents). */
  amountPence: number;
  paidPence?: number | null;
  currency?: string | null;
  /** Due date: an ISO date, or a Date at UTC midnight as PostgreSQL `date` columns come back. */
  dueDate: string | Date;
  status?: DebtStatus | null;
}

/** One earlier contact attempt (a ContactAttempt row, enriched with the call's AnsweredBy if known). */
export interface ContactHistoryEntry {
  channel: Channel;
  at: Date;
  status: ContactStatus;
  invoiceId?: string | null;
  /** Twilio AnsweredBy: human, machine_start, machine_end_beep, ..., fax, unknown. */
  answeredBy?: string | null;
}

export type Severity = 'deny' | 'info';

export interface ContactReason {
  /** Stable, machine-readable code (see REASON_CODES). */
  code: ReasonCode;
  /** One human sentence a case handler can read. */
  message: string;
  /** The regulation, guidance or product policy the rule comes from. */
  source: string;
  severity: Severity;
}

export const REASON_CODES = [
  'OUTSIDE_CONTACT_HOURS',
  'OUTSIDE_PREFERRED_TIMES',
  'AUTOMATED_CALL_TOO_SOON',
  'BALANCE_BELOW_CALL_MINIMUM',
  'NOT_OVERDUE_LONG_ENOUGH',
  'INVALID_PHONE_NUMBER',
  'ABANDONED_CALL_QUIET_PERIOD',
  'ANSWERING_MACHINE_TODAY',
  'FREQUENCY_CAP_REACHED',
  'RECENT_CONVERSATION',
  'DEBT_DISPUTED',
  'DEBT_NOT_OUTSTANDING',
  'CHANNEL_STOPPED',
  'CHANNEL_NOT_PREFERRED',
  'BREATHING_SPACE_ACTIVE',
  'VULNERABLE_ROUTE_TO_HUMAN',
  'MENTAL_CAPACITY_SUSPENDED',
  'ARTIFICIAL_VOICE_CONSENT_MISSING',
  'CONTACT_DETAILS_MISSING',
  'PURPOSE_NOT_FOR_CHANNEL',
  'AUTOMATED_CALL_DEBTOR_ONLY',
  'INVALID_TIMEZONE',
  'STATUTORY_NOTICE_EXEMPT',
  'DEBTOR_REQUESTED_EXEMPT',
  'DEBT_ADVISER_CONTACT',
  'HUMAN_HANDLING_VULNERABLE',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

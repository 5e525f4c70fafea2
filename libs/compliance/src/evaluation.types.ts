import type { BankHolidayCalendar } from './bank-holidays';
import type { ContactPurpose, PurposeInfo } from './contact-purpose';
import type {
  Channel,
  ContactHistoryEntry,
  ContactReason,
  ContactStatus,
  DebtFacts,
  DebtorFacts,
  Initiator,
  Recipient,
  ReasonCode,
  Severity,
  UkNation,
} from './contact.types';
import type { ComplianceProfile, ProfileId } from './profiles';
import type { RuleSetConfig, RuleSetOverrides } from './rule-set.schema';

export interface ContactRequest {
  channel: Channel;
  purpose: ContactPurpose;
  debtor: DebtorFacts;
  /** The invoice the contact is about; absent for contact about the debtor as a whole. */
  debt?: DebtFacts | null;
  now: Date;
  /** Earlier contact attempts with this debtor (any debt); the rules pick what they need. */
  history: readonly ContactHistoryEntry[];
  /** `uk` (default), `us`, or a custom profile. */
  profile?: ProfileId | ComplianceProfile;
  /** A tenant's overrides of the profile's rules. */
  config?: RuleSetOverrides;
  /** Who receives it: the debtor (default), their debt adviser, or their attorney (LPA). */
  recipient?: Recipient;
  /** The debtor asked for this very contact (a call-back, "text me the link", a reply to their query). */
  debtorRequested?: boolean;
  /** Automation (default) or a person on the tenant's staff. */
  initiatedBy?: Initiator;
  calendar?: BankHolidayCalendar;
}

export interface ContactDecision {
  allowed: boolean;
  /** Why not (severity `deny`) and which exceptions applied (severity `info`). */
  reasons: ContactReason[];
  /**
   * The earliest instant at or after `now` at which every time-based rule allows this contact
   * (equal to `now` when allowed); null when no amount of waiting helps (a stop request, a dispute,
   * vulnerability: route to a person).
   */
  nextAllowedAt: Date | null;
  profile: ProfileId;
  ruleSetVersion: string;
  evaluatedAt: Date;
}

export interface HistoryItem {
  channel: Channel;
  at: number;
  status: ContactStatus;
  invoiceId: string | null;
  answeredBy: string | null;
}

/** What every rule sees: the request, normalised once. */
export interface EvaluationContext {
  request: ContactRequest;
  now: number;
  rules: RuleSetConfig;
  profile: ComplianceProfile;
  channel: Channel;
  purposeName: ContactPurpose;
  purpose: PurposeInfo;
  debtor: DebtorFacts;
  debt: DebtFacts | null;
  zone: string;
  zoneValid: boolean;
  nation: UkNation;
  recipient: Recipient;
  initiatedBy: Initiator;
  debtorRequested: boolean;
  calendar: BankHolidayCalendar;
  history: readonly HistoryItem[];
}

/** A denial that waiting does not cure. */
export interface BlockFinding {
  kind: 'block';
  reason: ContactReason;
}

/** A rule whose verdict depends only on the instant: it can say when it will next allow. */
export interface TemporalFinding {
  kind: 'temporal';
  /** Earliest instant >= t this rule allows, or null if never. Must return t itself when t is allowed. */
  earliest(t: number): number | null;
  describe(t: number): ContactReason;
}

/** An exception that applied, recorded for the audit trail. */
export interface NoteFinding {
  kind: 'note';
  reason: ContactReason;
}

export type Finding = BlockFinding | TemporalFinding | NoteFinding;
export type ContactRule = (ctx: EvaluationContext) => Finding[];

export function reason(code: ReasonCode, message: string, source: string, severity: Severity = 'deny'): ContactReason {
  return { code, message, source, severity };
}

export function block(code: ReasonCode, message: string, source: string): BlockFinding {
  return { kind: 'block', reason: reason(code, message, source) };
}

export function note(code: ReasonCode, message: string, source: string): NoteFinding {
  return { kind: 'note', reason: reason(code, message, source, 'info') };
}

/** A rule satisfied from instant `from` onwards. */
export function notBefore(from: number, describe: (t: number) => ContactReason): TemporalFinding {
  return { kind: 'temporal', earliest: (t) => Math.max(t, from), describe };
}

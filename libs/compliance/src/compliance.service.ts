import type { Database } from '@recoup/db';
import type { BankHolidayCalendar } from './bank-holidays';
import { ComplianceAuditRepository, type AuditSubject } from './compliance-audit.repository';
import { ComplianceFactsRepository, type ComplianceSubjectNotFoundError } from './compliance-facts.repository';
import type { ContactPurpose } from './contact-purpose';
import type { Channel, Initiator, Recipient } from './contact.types';
import { evaluateContact } from './evaluate-contact';
import type { ContactDecision, ContactRequest } from './evaluation.types';
import { localDateTime } from './local-time';
import { resolveProfile, type ProfileId } from './profiles';
import type { RuleSetOverrides } from './rule-set.schema';

export interface ComplianceServiceOptions {
  db: Database;
  calendar?: BankHolidayCalendar;
  /** A tenant's overrides of its profile's rules (read from wherever the tenant's settings live). */
  overridesFor?: (tenantId: string) => RuleSetOverrides | undefined | Promise<RuleSetOverrides | undefined>;
  /** Injected so callers and tests control time; default the system clock. */
  clock?: () => Date;
}

export interface ContactCheck {
  tenantId: string;
  clientId: string;
  invoiceId?: string | null;
  channel: Channel;
  purpose: ContactPurpose;
  actor: string;
  recipient?: Recipient;
  debtorRequested?: boolean;
  initiatedBy?: Initiator;
  /** The contact attempt being checked, if already written: it must not count against itself. */
  contactAttemptId?: string | null;
  now?: Date;
}

export interface AuditedDecision extends ContactDecision {
  auditId: string;
}

const DAY = 86_400_000;
const OVERRIDES_TTL_MS = 5_000;

/**
 * The audited edge around the pure engine: loads the debtor, the invoice and recent contact from
 * PostgreSQL, decides, and writes every decision (allowed or not) to compliance_audit before
 * returning it. Callers act only on the returned decision.
 */
export class ComplianceService {
  private readonly facts: ComplianceFactsRepository;
  private readonly audit: ComplianceAuditRepository;
  private readonly clock: () => Date;
  private readonly overridesFor: (tenantId: string) => RuleSetOverrides | undefined | Promise<RuleSetOverrides | undefined>;
  private readonly overridesCache = new Map<string, { value: RuleSetOverrides | undefined; until: number }>();

  constructor(private readonly options: ComplianceServiceOptions) {
    this.facts = new ComplianceFactsRepository(options.db);
    this.audit = new ComplianceAuditRepository(options.db);
    this.clock = options.clock ?? (() => new Date());
    // By default a tenant's overrides are the operator's `tenants.compliance_overrides`, re-read
    // at most every OVERRIDES_TTL_MS so a change reaches every service within seconds.
    this.overridesFor = options.overridesFor ?? ((tenantId) => this.storedOverrides(tenantId));
  }

  private async storedOverrides(tenantId: string): Promise<RuleSetOverrides | undefined> {
    const now = Date.now();
    const cached = this.overridesCache.get(tenantId);
    if (cached && cached.until > now) return cached.value;
    const value = await this.facts.tenantOverrides(tenantId);
    if (this.overridesCache.size > 10_000) this.overridesCache.clear();
    this.overridesCache.set(tenantId, { value, until: now + OVERRIDES_TTL_MS });
    return value;
  }

  async evaluate(check: ContactCheck): Promise<AuditedDecision> {
    const [decision] = await this.evaluateMany([check]);
    if (!decision) throw new Error('no decision');
    if (decision instanceof Error) throw decision;
    return decision;
  }

  /**
   * evaluate() for many contacts at once: their facts in one statement, their audit rows in one statement (a worker
   * checks the messages of one event-loop turn together). In the order of `checks`: each decision, audited, or the
   * ComplianceSubjectNotFoundError of a debtor or invoice that is not the tenant's.
   */
  async evaluateMany(checks: readonly ContactCheck[]): Promise<Array<AuditedDecision | ComplianceSubjectNotFoundError>> {
    const prepared = await Promise.all(
      checks.map(async (check) => {
        const now = check.now ?? this.clock();
        const overrides = await this.overridesFor(check.tenantId);
        // Only the last few weeks can affect a decision; the longest look-back is a rule's own period.
        return { check, now, overrides, since: new Date(now.getTime() - lookBackDays(overrides) * DAY) };
      }),
    );
    const facts = await this.facts.loadMany(
      prepared.map(({ check, since }) => ({
        tenantId: check.tenantId,
        clientId: check.clientId,
        invoiceId: check.invoiceId,
        excludeContactAttemptId: check.contactAttemptId,
        since,
      })),
    );
    const decided: Array<{ request: ContactRequest; subject: AuditSubject; extra: Record<string, unknown> } | Error> = prepared.map(
      ({ check, now, overrides }, k) => {
        const loaded = facts[k];
        if (!loaded || loaded instanceof Error) return loaded ?? new Error('no facts loaded');
        const request: ContactRequest = {
          channel: check.channel,
          purpose: check.purpose,
          debtor: loaded.debtor,
          debt: loaded.debt,
          now,
          history: loaded.history,
          profile: loaded.client.jurisdiction as ProfileId,
          config: overrides,
          recipient: check.recipient,
          debtorRequested: check.debtorRequested,
          initiatedBy: check.initiatedBy,
          calendar: this.options.calendar,
        };
        const extra = {
          contact_attempt_id: check.contactAttemptId ?? null,
          history_count: loaded.history.length,
          preferred_times_invalid: loaded.preferredTimesInvalid || undefined,
        };
        return { request, subject: check, extra };
      },
    );
    const ok = decided.filter((d): d is Exclude<(typeof decided)[number], Error> => !(d instanceof Error));
    const audited = await this.decideAndRecordMany(ok);
    let next = 0;
    return decided.map((d) => (d instanceof Error ? (d as ComplianceSubjectNotFoundError) : (audited[next++] as AuditedDecision)));
  }

  /** For callers that already hold the facts: decide on them and audit the decision all the same. */
  async evaluateFacts(request: ContactRequest, subject: Omit<AuditSubject, 'channel' | 'purpose'>): Promise<AuditedDecision> {
    return this.decideAndRecord(
      { ...request, calendar: request.calendar ?? this.options.calendar },
      { ...subject, channel: request.channel, purpose: request.purpose },
      { facts_supplied_by_caller: true },
    );
  }

  private async decideAndRecord(request: ContactRequest, subject: AuditSubject, extra: Record<string, unknown>): Promise<AuditedDecision> {
    const [decision] = await this.decideAndRecordMany([{ request, subject, extra }]);
    if (!decision) throw new Error('no decision');
    return decision;
  }

  private async decideAndRecordMany(
    items: ReadonlyArray<{ request: ContactRequest; subject: AuditSubject; extra: Record<string, unknown> }>,
  ): Promise<AuditedDecision[]> {
    if (items.length === 0) return [];
    const entries = items.map(({ request, subject, extra }) => {
      const decision = evaluateContact(request);
      const zone = request.debtor.timezone || resolveProfile(request.profile).rules.defaultTimezone;
      const context = {
        profile: decision.profile,
        recipient: request.recipient ?? 'debtor',
        debtor_requested: request.debtorRequested ?? false,
        initiated_by: request.initiatedBy ?? 'automation',
        debtor_zone: zone,
        debtor_local_time: localDateTime(request.now.getTime(), zone).toISO(),
        ...extra,
      };
      // Only the audit's own columns: the caller's check carries more (now, recipient...) than the row holds.
      const { tenantId, clientId, invoiceId, channel, purpose, actor } = subject;
      return { subject: { tenantId, clientId, invoiceId, channel, purpose, actor }, decision, context };
    });
    const ids = await this.audit.recordMany(entries);
    return entries.map(({ decision }, k) => ({ ...decision, auditId: ids[k] ?? '' }));
  }
}

/** Days of history any profile's rules can look at (the debtor's profile is only known once loaded). */
export function lookBackDays(overrides?: RuleSetOverrides): number {
  const days = (['uk', 'us'] as const).map((id) => {
    const r = resolveProfile(id, overrides).rules;
    return Math.max(
      r.frequency.periodDays,
      r.recentConversation.quietDays,
      r.ofcomAbandonedCalls.abandonedQuietHours / 24,
      r.automatedCalls.minHoursBetweenCalls / 24,
      1,
    );
  });
  return Math.ceil(Math.max(...days)) + 1;
}

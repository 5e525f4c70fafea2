import { RetentionOverrides, type RetentionKind, type RetentionPeriods } from '@recoup/contracts';
import { CollectionsError } from '../errors';
import type { CollectionsDeps } from '../core-deps';

export interface RetentionDefault {
  kind: RetentionKind;
  days: number;
  why: string;
  sources: string[];
}

const SIX_YEARS = 2192; // 6 × 365 + 2 leap days: never a day short of six calendar years

/**
 * The defaults, each with the reason and the source it comes from. Storage limitation (UK GDPR Art. 5(1)(e)) is the
 * rule for all of them: personal data is kept no longer than its purpose needs; what the law requires us to keep
 * sets the floor.
 */
export const RETENTION_DEFAULTS: readonly RetentionDefault[] = [
  {
    kind: 'financial_records',
    days: SIX_YEARS,
    why: 'The debt can be sued on, and the creditor must account for it, for six years: invoices, payments, the ledger, plans and disputes are kept that long and the retention job never deletes them.',
    sources: [
      'Limitation Act 1980 s.5 (six years for an action on a simple contract)',
      'HMRC record keeping: six years from the end of the accounting period (Finance Act 1998 Sch. 18 para. 21; VAT Act 1994 Sch. 11 para. 6)',
      'Companies Act 2006 s.388 (accounting records)',
    ],
  },
  {
    kind: 'contact_records',
    days: SIX_YEARS,
    why: 'How a debt was collected can be complained about or sued on for six years: the messages as sent and the replies received keep their text and addresses that long, then lose them (the fact of each contact stays with the ledger).',
    sources: [
      'Limitation Act 1980 ss.2, 5 (six years for claims in tort and contract)',
      'FCA DISP 2.8.2R (a complaint may reach the Financial Ombudsman up to six years after the event)',
      'FCA SYSC 9.1.1R (records sufficient for the FCA to monitor compliance, CONC 7 included)',
    ],
  },
  {
    kind: 'recordings',
    days: 90,
    why: 'A recording is the most intrusive record we hold (a voice, often health or money worries) and is needed only to check a recent call and settle a prompt complaint; the transcript and the contact record carry the facts after that.',
    sources: [
      'UK GDPR Art. 5(1)(c) and (e) (data minimisation, storage limitation)',
      'FCA DISP 1.6.2R (eight weeks to resolve a complaint; 90 days covers it and its preparation)',
      'FCA SYSC 9.1.1R sets no fixed period for consumer-credit call recordings (the five-year taping rule, COBS 11.8, is for investment business); a tenant that needs longer sets recordings_days',
    ],
  },
  {
    kind: 'transcripts',
    days: 365,
    why: 'A transcript shows what was said (the recording notice, the Mini-Miranda, what the debtor agreed) for a complaint that reaches the Ombudsman: eight weeks for the firm, then six months to refer it.',
    sources: [
      'FCA DISP 1.6.2R and DISP 2.8.2R(1) (eight weeks, then six months from the final response)',
      'UK GDPR Art. 5(1)(e) (storage limitation); Art. 9 for transcripts of calls marked sensitive',
    ],
  },
];

const defaultDays = (kind: RetentionKind): number => RETENTION_DEFAULTS.find((d) => d.kind === kind)?.days ?? SIX_YEARS;

export const DEFAULT_RETENTION_PERIODS: Readonly<RetentionPeriods> = Object.freeze({
  financial_records_days: defaultDays('financial_records'),
  contact_records_days: defaultDays('contact_records'),
  recordings_days: defaultDays('recordings'),
  transcripts_days: defaultDays('transcripts'),
});

export interface ResolvedRetentionPolicy {
  periods: RetentionPeriods;
  overrides: RetentionOverrides;
  /** Set when the stored overrides did not validate (edited by hand): the defaults apply and this says why. */
  invalid?: string;
}

/** The periods in force for a tenant: its stored overrides (tenants.retention_policy) over the defaults. */
export function resolveRetentionPolicy(stored: unknown): ResolvedRetentionPolicy {
  if (stored === null || stored === undefined) return { periods: { ...DEFAULT_RETENTION_PERIODS }, overrides: {} };
  const parsed = RetentionOverrides.safeParse(stored);
  if (!parsed.success)
    return {
      periods: { ...DEFAULT_RETENTION_PERIODS },
      overrides: {},
      invalid: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  return { periods: { ...DEFAULT_RETENTION_PERIODS, ...parsed.data }, overrides: parsed.data };
}

export async function readRetentionPolicy(deps: CollectionsDeps, tenantId: string): Promise<ResolvedRetentionPolicy> {
  const tenant = await deps.db.tenant.findUnique({ where: { id: tenantId }, select: { retentionPolicy: true } });
  if (!tenant) throw new CollectionsError('not_found', `No tenant ${tenantId}`);
  return resolveRetentionPolicy(tenant.retentionPolicy);
}

/** Replaces the tenant's overrides (an omitted field goes back to its default). */
export async function setRetentionPolicy(
  deps: CollectionsDeps,
  input: { tenantId: string; overrides: unknown; actor: string },
): Promise<ResolvedRetentionPolicy> {
  const parsed = RetentionOverrides.safeParse(input.overrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CollectionsError('invalid', issue?.message ?? 'invalid retention policy', issue?.path.join('.') || undefined);
  }
  const found = await deps.db.tenant.findUnique({ where: { id: input.tenantId }, select: { id: true } });
  if (!found) throw new CollectionsError('not_found', `No tenant ${input.tenantId}`);
  await deps.db.tenant.update({ where: { id: input.tenantId }, data: { retentionPolicy: parsed.data } });
  deps.logger?.info({ tenantId: input.tenantId, actor: input.actor, overrides: parsed.data }, 'retention policy set');
  return resolveRetentionPolicy(parsed.data);
}

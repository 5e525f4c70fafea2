import { BANK_OF_ENGLAND_BASE_RATES, type BaseRateChange } from './base-rates.data';
import { addDays, assertPence, daysBetween, parseIsoDate } from './format';

/**
 * Late Payment of Commercial Debts (Interest) Act 1998, for business-to-business invoices only
 * (consumer debts never get statutory interest).
 * - Statutory interest: simple, 8% over the Bank of England rate in force on the reference date
 *   (SI 2002/1675 art. 4): 30 June for debts falling due 1 July-31 December, 31 December (of the
 *   year before) for 1 January-30 June. The rate is fixed for the life of the debt (the literal reading).
 * - Daily interest = principal x rate / 365, from the day after the due date.
 * - Fixed compensation per invoice (s.5A): GBP 40 under GBP 1,000; GBP 70 under GBP 10,000; GBP 100 from GBP 10,000.
 */
export const STATUTORY_MARGIN_BASIS_POINTS = 800;

export interface LatePaymentInput {
  /** Unpaid principal in pence. Part payments are taken off from the start, which never overstates the claim. */
  principalPence: number;
  /** Contractual due date (ISO). Interest runs from the next day. */
  dueDate: string;
  /** Count interest up to and including this date (ISO), usually today. */
  asOf: string;
  baseRates?: readonly BaseRateChange[];
  /** Days on which no interest may accrue, e.g. a Breathing Space moratorium (SI 2020/1311 reg 7), inclusive ISO dates. */
  frozenPeriods?: ReadonlyArray<{ from: string; to: string }>;
  /**
   * Which date picks the reference half-year. The issue and most calculators use the due date;
   * the Order's wording can be read as the day interest starts. They differ only for debts due on 30 June or 31 December.
   */
  referenceBasis?: 'due_date' | 'interest_start';
}

export interface LatePaymentClaim {
  referenceDate: string;
  baseRateBasisPoints: number;
  /** Base rate + 8%, in basis points (e.g. 1175 = 11.75%). */
  annualRateBasisPoints: number;
  daysLate: number;
  /** Days interest actually accrues (days late less frozen days). */
  interestDays: number;
  /** Interest per day in pence, to 4 decimal places for display (the total is computed exactly). */
  dailyInterestPence: number;
  interestPence: number;
  compensationPence: number;
  totalClaimPence: number;
}

/** 30 June or 31 December before the half-year the date falls in. */
export function referenceDateFor(iso: string): string {
  const d = parseIsoDate(iso);
  const year = d.getUTCFullYear();
  return d.getUTCMonth() < 6 ? `${year - 1}-12-31` : `${year}-06-30`;
}

/** The rate in force on a date: the latest change on or before it. */
export function baseRateOn(iso: string, rates: readonly BaseRateChange[] = BANK_OF_ENGLAND_BASE_RATES): number {
  parseIsoDate(iso);
  let found: BaseRateChange | undefined;
  for (const r of rates) if (r.from <= iso && (!found || r.from > found.from)) found = r;
  if (!found) throw new Error(`no Bank of England base rate on record for ${iso}: extend the base-rate table`);
  return found.basisPoints;
}

/** s.5A fixed sums, by the size of the debt. */
export function fixedCompensationPence(debtPence: number): number {
  assertPence(debtPence, 'debt');
  if (debtPence <= 0) return 0;
  if (debtPence < 1_000_00) return 40_00;
  if (debtPence < 10_000_00) return 70_00;
  return 100_00;
}

export function latePaymentClaim(input: LatePaymentInput): LatePaymentClaim {
  const { principalPence, dueDate, asOf } = input;
  assertPence(principalPence, 'principal');
  const interestStart = addDays(dueDate, 1);
  const referenceDate = referenceDateFor(input.referenceBasis === 'interest_start' ? interestStart : dueDate);
  const baseRateBasisPoints = baseRateOn(referenceDate, input.baseRates);
  const annualRateBasisPoints = baseRateBasisPoints + STATUTORY_MARGIN_BASIS_POINTS;
  const daysLate = Math.max(0, daysBetween(dueDate, asOf));
  const frozen = daysLate === 0 ? 0 : frozenDays(interestStart, asOf, input.frozenPeriods ?? []);
  const interestDays = daysLate - frozen;
  const owed = principalPence > 0 && daysLate > 0;
  // principal x rate(bp) x days / (10,000 x 365), in BigInt so large debts cannot lose precision; half-up rounding.
  const numerator = BigInt(Math.max(0, principalPence)) * BigInt(annualRateBasisPoints) * BigInt(interestDays);
  const denominator = 10_000n * 365n;
  const interestPence = owed ? Number((numerator * 2n + denominator) / (denominator * 2n)) : 0;
  const compensationPence = owed ? fixedCompensationPence(principalPence) : 0;
  return {
    referenceDate,
    baseRateBasisPoints,
    annualRateBasisPoints,
    daysLate,
    interestDays,
    dailyInterestPence: Math.round((Math.max(0, principalPence) * annualRateBasisPoints * 10_000) / (10_000 * 365)) / 10_000,
    interestPence,
    compensationPence,
    totalClaimPence: Math.max(0, principalPence) + interestPence + compensationPence,
  };
}

/** Days in [start, end] (inclusive) covered by any frozen period, counting overlaps once. */
function frozenDays(start: string, end: string, periods: ReadonlyArray<{ from: string; to: string }>): number {
  const days = new Set<string>();
  for (const p of periods) {
    const from = p.from > start ? p.from : start;
    const to = p.to < end ? p.to : end;
    for (let d = from; d <= to; d = addDays(d, 1)) days.add(d);
  }
  return days.size;
}

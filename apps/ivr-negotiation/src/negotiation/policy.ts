import { z } from 'zod';

/**
 * A creditor's negotiation policy (Tenant.collectionPolicy, else the service's defaults). Money in
 * pence. The plan is always affordability-first (CONC 7.3.4R, 7.3.5G): the customer says what they
 * can pay; we never ask for more than that, never press for a lump sum.
 */
export interface CollectionPolicy {
  minMonthlyPence: number;
  maxMonths: number;
  /** Taken off the balance only when no full-balance plan fits within the term (0 or null: none). */
  settlementDiscountPercent: number | null;
  /** The term of the first offer. */
  defaultMonths: number;
}

export interface PlanOffer {
  monthlyPence: number;
  months: number;
  /** The last instalment (the remainder when the total does not divide evenly). */
  finalPence: number;
  totalPence: number;
  settlementDiscountPercent: number | null;
  kind: 'offered' | 'counter_offer' | 'customer_proposal' | 'settlement';
}

const major = z.number().nonnegative();
/** What a tenant stores (snake_case, major units, as the public API takes it); pence fields are accepted too. */
export const StoredCollectionPolicy = z
  .object({
    min_monthly_amount: major.optional(),
    min_monthly_pence: z.number().int().nonnegative().optional(),
    max_term_months: z.number().int().min(1).max(120).optional(),
    settlement_discount_percent: z.number().min(0).max(90).nullable().optional(),
    default_term_months: z.number().int().min(1).max(120).optional(),
  })
  .passthrough();

export function resolvePolicy(stored: unknown, defaults: CollectionPolicy): CollectionPolicy {
  const parsed = StoredCollectionPolicy.safeParse(stored ?? {});
  if (!parsed.success) return defaults;
  const p = parsed.data;
  const maxMonths = p.max_term_months ?? defaults.maxMonths;
  return {
    minMonthlyPence:
      p.min_monthly_pence ?? (p.min_monthly_amount !== undefined ? Math.round(p.min_monthly_amount * 100) : defaults.minMonthlyPence),
    maxMonths,
    settlementDiscountPercent:
      p.settlement_discount_percent === undefined ? defaults.settlementDiscountPercent : p.settlement_discount_percent,
    defaultMonths: Math.min(p.default_term_months ?? defaults.defaultMonths, maxMonths),
  };
}

/** `months` instalments of `monthly` clearing `total`: the last one takes the remainder. */
function plan(totalPence: number, monthlyPence: number, kind: PlanOffer['kind'], discount: number | null = null): PlanOffer {
  const months = Math.max(1, Math.ceil(totalPence / monthlyPence));
  const finalPence = totalPence - monthlyPence * (months - 1);
  return { monthlyPence: Math.min(monthlyPence, totalPence), months, finalPence, totalPence, settlementDiscountPercent: discount, kind };
}

/** The first offer: the balance over the default term, no instalment below the policy minimum. */
export function initialOffer(balancePence: number, policy: CollectionPolicy): PlanOffer {
  const even = Math.ceil(balancePence / Math.max(1, policy.defaultMonths));
  return plan(balancePence, Math.max(even, Math.min(policy.minMonthlyPence, balancePence)), 'offered');
}

/**
 * A plan within what the customer said they can afford each month that clears the balance within
 * the maximum term; failing that, the settlement discount; failing that, null (a person takes over).
 * Within affordability the instalments are levelled (the smallest monthly that still clears the
 * balance in that many months), never rounded up past what they said.
 */
export function counterOffer(balancePence: number, affordablePence: number, policy: CollectionPolicy): PlanOffer | null {
  if (affordablePence <= 0 || balancePence <= 0) return null;
  if (affordablePence >= balancePence) return plan(balancePence, balancePence, 'customer_proposal');
  if (affordablePence < policy.minMonthlyPence) return null;
  const months = Math.ceil(balancePence / affordablePence);
  if (months <= policy.maxMonths) {
    const levelled = Math.max(policy.minMonthlyPence, Math.ceil(balancePence / months));
    return plan(balancePence, Math.min(levelled, affordablePence), 'counter_offer');
  }
  const discount = policy.settlementDiscountPercent ?? 0;
  if (discount > 0) {
    const reduced = Math.round((balancePence * (100 - discount)) / 100);
    const m = Math.ceil(reduced / affordablePence);
    if (m <= policy.maxMonths) {
      const levelled = Math.max(policy.minMonthlyPence, Math.ceil(reduced / m));
      return plan(reduced, Math.min(levelled, affordablePence), 'settlement', discount);
    }
  }
  return null;
}

/** The customer asked for a longer term ("over 12 months"): the level plan over that many months, if policy allows it. */
export function termOffer(balancePence: number, months: number, policy: CollectionPolicy): PlanOffer | null {
  if (months < 1 || months > policy.maxMonths) return null;
  const monthly = Math.ceil(balancePence / months);
  if (monthly < policy.minMonthlyPence && months > 1) return null;
  return plan(balancePence, monthly, 'counter_offer');
}

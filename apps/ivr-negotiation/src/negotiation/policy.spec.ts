import { counterOffer, initialOffer, resolvePolicy, termOffer, type CollectionPolicy } from './policy';

const policy: CollectionPolicy = { minMonthlyPence: 2000, maxMonths: 12, settlementDiscountPercent: null, defaultMonths: 6 };

describe('negotiation policy', () => {
  it('offers the balance over the default term', () => {
    expect(initialOffer(60000, policy)).toMatchObject({ monthlyPence: 10000, months: 6, finalPence: 10000, totalPence: 60000 });
    // 1000.01 over 6: five of 166.67 and a last of 166.66
    expect(initialOffer(100001, policy)).toMatchObject({ monthlyPence: 16667, months: 6, finalPence: 16666 });
    // a small balance is not split below the minimum instalment
    expect(initialOffer(5000, policy)).toMatchObject({ monthlyPence: 2000, months: 3, finalPence: 1000 });
  });

  it('counter-offers within what the customer can afford, clearing the balance within the term', () => {
    const offer = counterOffer(60000, 5000, policy);
    expect(offer).toMatchObject({ monthlyPence: 5000, months: 12, totalPence: 60000, kind: 'counter_offer' });
    // £70 affordable: 9 months; levelled to £66.67 (never more than they said)
    const levelled = counterOffer(60000, 7000, policy);
    expect(levelled).toMatchObject({ months: 9, monthlyPence: 6667 });
    expect(levelled!.monthlyPence).toBeLessThanOrEqual(7000);
    expect(levelled!.monthlyPence * (levelled!.months - 1) + levelled!.finalPence).toBe(60000);
  });

  it('returns null when no plan fits (below the minimum, or beyond the term without a discount)', () => {
    expect(counterOffer(60000, 1500, policy)).toBeNull();
    expect(counterOffer(60000, 4000, policy)).toBeNull();
  });

  it('uses the settlement discount only when the full balance cannot fit', () => {
    const withDiscount = { ...policy, settlementDiscountPercent: 20 };
    expect(counterOffer(60000, 5000, withDiscount)).toMatchObject({ kind: 'counter_offer', totalPence: 60000 });
    expect(counterOffer(60000, 4000, withDiscount)).toMatchObject({
      kind: 'settlement',
      totalPence: 48000,
      months: 12,
      monthlyPence: 4000,
      settlementDiscountPercent: 20,
    });
  });

  it('honours a term the customer asks for when policy allows it', () => {
    expect(termOffer(60000, 12, policy)).toMatchObject({ monthlyPence: 5000, months: 12 });
    expect(termOffer(60000, 24, policy)).toBeNull();
  });

  it('reads a tenant policy (major units) over the defaults', () => {
    expect(resolvePolicy({ min_monthly_amount: 25, max_term_months: 18, settlement_discount_percent: 10 }, policy)).toEqual({
      minMonthlyPence: 2500,
      maxMonths: 18,
      settlementDiscountPercent: 10,
      defaultMonths: 6,
    });
    expect(resolvePolicy(null, policy)).toEqual(policy);
    expect(resolvePolicy({ max_term_months: 'lots' }, policy)).toEqual(policy);
  });
});

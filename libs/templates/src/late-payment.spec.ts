import { BANK_OF_ENGLAND_BASE_RATES } from './base-rates.data';
import { baseRateOn, fixedCompensationPence, latePaymentClaim, referenceDateFor } from './late-payment';

describe('Late Payment of Commercial Debts (Interest) Act 1998', () => {
  it('picks the reference date by half-year of the due date', () => {
    expect(referenceDateFor('2026-01-01')).toBe('2025-12-31');
    expect(referenceDateFor('2026-06-30')).toBe('2025-12-31');
    expect(referenceDateFor('2026-07-01')).toBe('2026-06-30');
    expect(referenceDateFor('2026-12-31')).toBe('2026-06-30');
  });

  it('reads the base rate in force on a date from the table', () => {
    expect(baseRateOn('2025-06-30')).toBe(425);
    expect(baseRateOn('2025-12-17')).toBe(400);
    expect(baseRateOn('2025-12-18')).toBe(375);
    expect(baseRateOn('2024-12-31')).toBe(475);
    expect(() => baseRateOn('2020-01-01')).toThrow(/extend the base-rate table/);
  });

  it('lets an operator extend the table', () => {
    const extended = [...BANK_OF_ENGLAND_BASE_RATES, { from: '2026-05-07', basisPoints: 350 }];
    expect(baseRateOn('2026-06-30', extended)).toBe(350);
    expect(
      latePaymentClaim({ principalPence: 1_000_00, dueDate: '2026-08-01', asOf: '2026-08-02', baseRates: extended }).annualRateBasisPoints,
    ).toBe(1150);
  });

  it('pays fixed compensation by band (s.5A)', () => {
    expect(fixedCompensationPence(999_99)).toBe(40_00);
    expect(fixedCompensationPence(1_000_00)).toBe(70_00);
    expect(fixedCompensationPence(9_999_99)).toBe(70_00);
    expect(fixedCompensationPence(10_000_00)).toBe(100_00);
  });

  it('computes simple daily interest at base + 8% in integer pence', () => {
    // GBP 2,400 due 15 September 2025: reference 30 June 2025 (4.25%), 12.25% a year.
    // 30 days late: 240000 x 0.1225 x 30 / 365 = 2416.438... -> 2416 pence.
    const claim = latePaymentClaim({ principalPence: 2_400_00, dueDate: '2025-09-15', asOf: '2025-10-15' });
    expect(claim).toMatchObject({
      referenceDate: '2025-06-30',
      baseRateBasisPoints: 425,
      annualRateBasisPoints: 1225,
      daysLate: 30,
      interestPence: 2416,
      compensationPence: 70_00,
    });
    expect(claim.totalClaimPence).toBe(2_400_00 + 2416 + 70_00);
    expect(claim.dailyInterestPence).toBeCloseTo(80.5479, 4);
  });

  it('keeps the rate fixed for the life of the debt even when Bank Rate later changes', () => {
    // Due 10 January 2026: reference 31 December 2025, when 3.75% was in force.
    const claim = latePaymentClaim({ principalPence: 500_00, dueDate: '2026-01-10', asOf: '2026-11-21' });
    expect(claim).toMatchObject({ referenceDate: '2025-12-31', annualRateBasisPoints: 1175, daysLate: 315 });
    // 50000 x 1175 x 315 / 3,650,000 = 5070.2054... -> 5070
    expect(claim.interestPence).toBe(5070);
    expect(claim.compensationPence).toBe(40_00);
  });

  it('rounds half up exactly, even for very large debts', () => {
    const claim = latePaymentClaim({ principalPence: 20_000_000_00, dueDate: '2025-09-15', asOf: '2035-09-15' });
    // 3652 days; exact: 2e9 x 1225 x 3652 / 3,650,000 = 2,451,342,465.75... -> 2451342466
    expect(claim.daysLate).toBe(3652);
    expect(claim.interestPence).toBe(2_451_342_466);
  });

  it('charges nothing before the due date has passed or on a settled debt', () => {
    expect(latePaymentClaim({ principalPence: 1_000_00, dueDate: '2026-11-21', asOf: '2026-11-21' })).toMatchObject({
      interestPence: 0,
      compensationPence: 0,
    });
    expect(latePaymentClaim({ principalPence: 0, dueDate: '2026-01-01', asOf: '2026-11-21' })).toMatchObject({
      interestPence: 0,
      compensationPence: 0,
    });
  });

  it('adds no interest for days inside a Breathing Space moratorium', () => {
    const base = { principalPence: 3_650_00, dueDate: '2025-12-31', asOf: '2026-01-30' }; // 30 days at 12.25% (reference 30 June 2025)
    const full = latePaymentClaim(base);
    const frozen = latePaymentClaim({
      ...base,
      frozenPeriods: [
        { from: '2026-01-11', to: '2026-01-20' },
        { from: '2026-01-15', to: '2026-01-25' },
      ],
    });
    expect(full.interestDays).toBe(30);
    expect(frozen.interestDays).toBe(15);
    // 365000 x 1225 x 15 / 3,650,000 = 1837.5 -> 1838 (half up)
    expect(full.interestPence).toBe(3675);
    expect(frozen.interestPence).toBe(1838);
  });

  it('can pick the half-year by the day interest starts instead', () => {
    expect(latePaymentClaim({ principalPence: 1_000_00, dueDate: '2025-06-30', asOf: '2025-07-30' }).referenceDate).toBe('2024-12-31');
    expect(
      latePaymentClaim({ principalPence: 1_000_00, dueDate: '2025-06-30', asOf: '2025-07-30', referenceBasis: 'interest_start' })
        .referenceDate,
    ).toBe('2025-06-30');
  });

  it('refuses non-integer money', () => {
    expect(() => latePaymentClaim({ principalPence: 10.5, dueDate: '2025-06-30', asOf: '2025-07-30' })).toThrow(/integer/);
  });
});

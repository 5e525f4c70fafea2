/**
 * Bank of England Bank Rate changes, as data: an operator adds a row when the MPC changes the rate
 * (or passes a longer table to the functions that take one). Rates in basis points (4.00% = 400).
 * Source: Bank of England, "Official Bank Rate history".
 */
export interface BaseRateChange {
  /** First day the rate applies, ISO date. */
  from: string;
  basisPoints: number;
}

export const BANK_OF_ENGLAND_BASE_RATES: readonly BaseRateChange[] = Object.freeze([
  { from: '2023-08-03', basisPoints: 525 },
  { from: '2024-08-01', basisPoints: 500 },
  { from: '2024-11-07', basisPoints: 475 },
  { from: '2025-02-06', basisPoints: 450 },
  { from: '2025-05-08', basisPoints: 425 },
  { from: '2025-08-07', basisPoints: 400 },
  { from: '2025-12-18', basisPoints: 375 },
]);

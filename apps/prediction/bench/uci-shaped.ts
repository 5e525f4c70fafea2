import { writeFileSync } from 'node:fs';
import { SeededRandom } from '@recoup/forest';

/** The 23 features of UCI's "default of credit card clients" (Yeh & Lien, 2009), and its label. */
export const UCI_FEATURES = [
  'LIMIT_BAL',
  'SEX',
  'EDUCATION',
  'MARRIAGE',
  'AGE',
  'PAY_0',
  'PAY_2',
  'PAY_3',
  'PAY_4',
  'PAY_5',
  'PAY_6',
  'BILL_AMT1',
  'BILL_AMT2',
  'BILL_AMT3',
  'BILL_AMT4',
  'BILL_AMT5',
  'BILL_AMT6',
  'PAY_AMT1',
  'PAY_AMT2',
  'PAY_AMT3',
  'PAY_AMT4',
  'PAY_AMT5',
  'PAY_AMT6',
] as const;
export const UCI_LABEL = 'default_payment_next_month';

/**
 * A CSV shaped like the UCI credit-card default set (the data set itself cannot be fetched here): the same 23 columns
 * with the same kinds of values (credit limits, 1/2 sex, small-integer education and marriage codes, ages, -2..8
 * repayment statuses, bill and payment amounts in whole currency units) and a ~22% default rate driven mostly by the
 * repayment statuses, as in the real set. Deterministic from the seed.
 */
export function writeUciShapedCsv(file: string, rows: number, seed = 2009): void {
  const random = new SeededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random.next() * (hi - lo + 1));
  const lines: string[] = [[...UCI_FEATURES, UCI_LABEL].join(',')];
  for (let r = 0; r < rows; r++) {
    const limit = int(1, 50) * 10_000;
    const risk = random.next();
    const pay = Array.from({ length: 6 }, () => (random.next() < 0.15 + risk * 0.5 ? int(1, 4) : int(-2, 0)));
    const [pay0 = 0, pay2 = 0, pay3 = 0] = pay;
    const bills = Array.from({ length: 6 }, () => Math.round(limit * random.next() * 0.9));
    const paid = bills.map((b) => Math.round(b * random.next() * (pay0 > 0 ? 0.05 : 0.3)));
    const age = int(21, 75);
    const signal = 0.9 * pay0 + 0.35 * pay2 + 0.2 * pay3 - limit / 250_000 - (paid[0] ?? 0) / 40_000 + (age < 25 ? 0.2 : 0);
    const label = signal + (random.next() - 0.5) * 6 > 1.1 ? 1 : 0;
    lines.push([limit, int(1, 2), int(1, 4), int(1, 3), age, ...pay, ...bills, ...paid, label].join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

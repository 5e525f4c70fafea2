import { MajorAmount, toMajor, toPence } from './common.schema';
import { PredictRequest } from './prediction.schema';

describe('money at the edge', () => {
  it('converts major units to integer pence without floating-point drift', () => {
    expect(toPence(500)).toBe(50_000);
    expect(toPence(0.1 + 0.2)).toBe(30);
    expect(toPence(19.99)).toBe(1999);
    expect(toPence(1234567.89)).toBe(123_456_789);
    expect(toMajor(1999)).toBe(19.99);
  });

  it('accepts at most two decimal places and positive amounts', () => {
    expect(MajorAmount.safeParse(500).success).toBe(true);
    expect(MajorAmount.safeParse(19.99).success).toBe(true);
    expect(MajorAmount.safeParse(19.999).success).toBe(false);
    expect(MajorAmount.safeParse(0).success).toBe(false);
    expect(MajorAmount.safeParse(-5).success).toBe(false);
  });
});

describe('PredictRequest', () => {
  it('needs only amount and days overdue; the other features may be missing', () => {
    expect(PredictRequest.safeParse({ invoice_amount: 500, days_overdue: 14 }).success).toBe(true);
    const bad = PredictRequest.safeParse({ invoice_amount: 500, days_overdue: 14, email_open_rate: 2 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['email_open_rate']);
  });
});

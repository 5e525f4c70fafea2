import { DEFAULT_TIER_LIMITS, gbpToPence, resolveLimits } from './limits';
import { CalendarWindows } from './windows';

const at = (iso: string) => new Date(iso).getTime();

describe('CalendarWindows (Europe/London)', () => {
  const calendar = new CalendarWindows();

  it('starts a day at local midnight: 23:00 UTC in summer, 00:00 UTC in winter', () => {
    expect(calendar.period('daily', at('2026-07-15T22:59:59.999Z'))).toMatchObject({
      label: '2026-07-15',
      endMs: at('2026-07-15T23:00:00Z'),
    });
    expect(calendar.period('daily', at('2026-07-15T23:00:00Z')).label).toBe('2026-07-16');
    expect(calendar.period('daily', at('2026-12-01T23:59:59Z')).label).toBe('2026-12-01');
  });

  it('has a 23-hour day when the clocks go forward and a 25-hour day when they go back', () => {
    const spring = calendar.period('daily', at('2026-03-29T12:00:00Z'));
    expect(spring).toMatchObject({ label: '2026-03-29', startMs: at('2026-03-29T00:00:00Z'), endMs: at('2026-03-29T23:00:00Z') });
    const autumn = calendar.period('daily', at('2026-10-25T12:00:00Z'));
    expect(autumn).toMatchObject({ label: '2026-10-25', startMs: at('2026-10-24T23:00:00Z'), endMs: at('2026-10-26T00:00:00Z') });
    expect((autumn.endMs - autumn.startMs) / 3_600_000).toBe(25);
  });

  it('starts a month on the 1st at local midnight', () => {
    expect(calendar.period('monthly', at('2026-06-30T22:59:59Z'))).toMatchObject({ label: '2026-06', endMs: at('2026-06-30T23:00:00Z') });
    expect(calendar.period('monthly', at('2026-06-30T23:00:00Z')).label).toBe('2026-07');
    expect(calendar.period('monthly', at('2026-12-31T23:59:59Z'))).toMatchObject({ label: '2026-12', endMs: at('2027-01-01T00:00:00Z') });
  });

  it('follows another zone when asked (a US tenant)', () => {
    expect(new CalendarWindows('America/New_York').period('daily', at('2026-07-16T03:59:59Z')).label).toBe('2026-07-15');
  });
});

describe('limits as data', () => {
  it('holds the product tier table, money in pence', () => {
    expect(DEFAULT_TIER_LIMITS.starter.daily).toEqual({ emails: 50, total_cost_pence: 500 });
    expect(DEFAULT_TIER_LIMITS.growth.monthly.ai_calls).toBe(10);
    expect(DEFAULT_TIER_LIMITS.pro.daily.total_cost_pence).toBe(10_000);
    expect(DEFAULT_TIER_LIMITS.starter.monthly.sms).toBeUndefined();
  });

  it('applies per-tenant overrides window by window and rejects unknown counters', () => {
    const limits = resolveLimits('starter', { daily: { emails: 80 }, hourly: { sms: 2 } });
    expect(limits.daily).toEqual({ emails: 80, total_cost_pence: 500 });
    expect(limits.hourly).toEqual({ emails: 10, api_calls: 100, sms: 2 });
    expect(() => resolveLimits('starter', { daily: { faxes: 1 } })).toThrow();
    expect(() => resolveLimits('starter', { weekly: {} })).toThrow();
  });

  it('converts GBP to pence exactly', () => {
    expect(gbpToPence('1.70')).toBe(170);
    expect(gbpToPence('25.00')).toBe(2500);
    expect(gbpToPence('0.1')).toBe(10);
    expect(gbpToPence(0.1 + 0.2)).toBe(30);
    expect(() => gbpToPence('1.234')).toThrow();
  });
});

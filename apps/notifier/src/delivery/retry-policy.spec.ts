import { classifyFailure, retryDelayMs } from './retry-policy';

describe('retryDelayMs', () => {
  it('doubles per retry with jitter between half and the full step', () => {
    expect(retryDelayMs(1, 1000, undefined, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, undefined, () => 1)).toBe(1000);
    expect(retryDelayMs(3, 1000, undefined, () => 1)).toBe(4000);
    expect(retryDelayMs(3, 1000, undefined, () => 0)).toBe(2000);
  });

  it('never retries sooner than Retry-After', () => {
    expect(retryDelayMs(1, 1000, 60_000, () => 0.5)).toBe(60_000);
  });

  it('caps the step at an hour', () => {
    expect(retryDelayMs(30, 60_000, undefined, () => 1)).toBe(3_600_000);
  });
});

describe('classifyFailure', () => {
  it('reads a provider DeliveryError by shape and ignores other errors', () => {
    const err = Object.assign(new Error('429'), { name: 'DeliveryError', kind: 'transient', details: { retryAfterMs: 3000, code: '429' } });
    expect(classifyFailure(err)).toEqual({ kind: 'transient', message: '429', retryAfterMs: 3000, code: '429', answered: false });
    // An HTTP status means the provider answered, so it refused this send and holds nothing for it.
    const answered = Object.assign(new Error('503'), { name: 'DeliveryError', kind: 'transient', details: { status: 503 } });
    expect(classifyFailure(answered)).toMatchObject({ kind: 'transient', answered: true });
    expect(classifyFailure(new Error('boom'))).toBeUndefined();
  });
});

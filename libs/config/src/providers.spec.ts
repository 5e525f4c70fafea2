import { ProviderConfigError, resolveProviders } from './providers';

const twilio = (mode: 'live' | 'sandbox' | undefined, credentials: Record<string, string | undefined>) => ({
  name: 'twilio',
  mode,
  credentials,
});

describe('resolveProviders', () => {
  it('runs a provider without credentials in sandbox mode outside production', () => {
    const [d] = resolveProviders([twilio(undefined, { TWILIO_ACCOUNT_SID: undefined, TWILIO_FROM_NUMBER: undefined })], 'development');
    expect(d).toMatchObject({ name: 'twilio', mode: 'sandbox' });
    expect(d!.reason).toContain('TWILIO_ACCOUNT_SID');
  });

  it('goes live when every credential is present', () => {
    expect(resolveProviders([twilio(undefined, { TWILIO_ACCOUNT_SID: 'AC1', TWILIO_FROM_NUMBER: '+44' })], 'production')[0]!.mode).toBe(
      'live',
    );
  });

  it('refuses half-configured credentials instead of guessing', () => {
    expect(() =>
      resolveProviders([twilio(undefined, { TWILIO_ACCOUNT_SID: 'AC1', TWILIO_FROM_NUMBER: undefined })], 'development'),
    ).toThrow(/missing TWILIO_FROM_NUMBER/);
  });

  it('does not count a webhook secret as intent to go live, but needs it (or an API key) for live', () => {
    const spec = (sid: string | undefined, token: string | undefined) => ({
      name: 'twilio',
      mode: undefined,
      credentials: { TWILIO_ACCOUNT_SID: sid, TWILIO_FROM_NUMBER: sid && '+447700900000' },
      alsoNeeds: { 'TWILIO_AUTH_TOKEN or TWILIO_API_KEY_SECRET': token },
    });
    expect(resolveProviders([spec(undefined, 'webhook-secret-only')], 'development')[0]!.mode).toBe('sandbox');
    expect(resolveProviders([spec('AC1', 'token')], 'development')[0]!.mode).toBe('live');
    expect(() => resolveProviders([spec('AC1', undefined)], 'development')).toThrow(/TWILIO_AUTH_TOKEN or TWILIO_API_KEY_SECRET/);
  });

  it('refuses an inferred sandbox in production but accepts an explicit one', () => {
    expect(() => resolveProviders([twilio(undefined, { TWILIO_ACCOUNT_SID: undefined })], 'production')).toThrow(ProviderConfigError);
    expect(resolveProviders([twilio('sandbox', { TWILIO_ACCOUNT_SID: undefined })], 'production')[0]!.mode).toBe('sandbox');
  });

  it('refuses live mode without credentials, naming them', () => {
    expect(() => resolveProviders([twilio('live', { TWILIO_ACCOUNT_SID: undefined })], 'development')).toThrow(
      /TWILIO_MODE=live needs TWILIO_ACCOUNT_SID/,
    );
  });
});

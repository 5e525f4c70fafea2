import { z } from 'zod';
import { ConfigError, parseEnv } from './env';
import { baseEnv, port, stripeEnv, twilioEnv } from './fragments';

const schema = z.object({ ...baseEnv, PORT: port(8000), ...twilioEnv, ...stripeEnv });

describe('parseEnv', () => {
  it('applies defaults for an empty environment', () => {
    const config = parseEnv('svc', schema, {});
    expect(config.PORT).toBe(8000);
    expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/recoup');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('coerces numbers from strings', () => {
    expect(parseEnv('svc', schema, { PORT: '9000' }).PORT).toBe(9000);
  });

  it('rejects PORT=abc with a one-line message naming the variable', () => {
    expect(() => parseEnv('svc', schema, { PORT: 'abc' })).toThrow(ConfigError);
    try {
      parseEnv('svc', schema, { PORT: 'abc' });
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  it('lists every invalid variable at once', () => {
    let error: ConfigError | undefined;
    try {
      parseEnv('svc', schema, { PORT: '70000', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', TWILIO_FROM_NUMBER: '0770' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'TWILIO_FROM_NUMBER']);
    expect(error?.message).toContain('TWILIO_FROM_NUMBER (expected an E.164 number such as +447700900123)');
  });

  it('never echoes a value, so a malformed secret does not reach the logs', () => {
    const secret = 'sk_wrong_0123456789abcdef';
    try {
      parseEnv('svc', schema, { STRIPE_SECRET_KEY: secret, TWILIO_AUTH_TOKEN: 'short' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('STRIPE_SECRET_KEY');
      expect(message).toContain('TWILIO_AUTH_TOKEN');
      expect(message).not.toContain(secret);
      expect(message).not.toContain('short');
    }
  });

  it('treats blank values as unset', () => {
    expect(parseEnv('svc', schema, { PORT: '', TWILIO_ACCOUNT_SID: '' }).TWILIO_ACCOUNT_SID).toBeUndefined();
  });
});

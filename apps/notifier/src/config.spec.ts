import { loadConfig } from './config';

const base = { NODE_ENV: 'test', DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/recoup', REDIS_URL: 'redis://127.0.0.1:6379' };
const live = {
  SENDGRID_API_KEY: 'SG.test',
  SENDGRID_FROM_EMAIL: 'billing@recoup.example',
  TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32),
  TWILIO_FROM_NUMBER: '+441000000000',
  TWILIO_AUTH_TOKEN: 'test-twilio-auth-token-0123456789',
};
const fail = (message: string): never => {
  throw new Error(message);
};
const linkBase = (env: NodeJS.ProcessEnv) => loadConfig({ ...base, ...env }, fail).config.NOTIFIER_LINK_BASE_URL;

describe('NOTIFIER_LINK_BASE_URL', () => {
  it("in sandbox defaults to the gateway's public URL, so links in the outbox open the local debtor pages", () => {
    expect(linkBase({})).toBe('http://127.0.0.1:8000');
    expect(linkBase({ COLLECTIONS_API_PUBLIC_URL: 'http://localhost:9000/' })).toBe('http://localhost:9000');
  });

  it('with live providers defaults to the short https origin', () => {
    expect(linkBase(live)).toBe('https://pay.recoup.example');
  });

  it('an explicit value wins, in sandbox or live', () => {
    expect(linkBase({ NOTIFIER_LINK_BASE_URL: 'https://pay.acme.example' })).toBe('https://pay.acme.example');
    expect(linkBase({ ...live, NOTIFIER_LINK_BASE_URL: 'https://pay.acme.example' })).toBe('https://pay.acme.example');
  });

  it('refuses http once a provider is live, and a base too long for the 53-character links', () => {
    expect(() => linkBase({ ...live, NOTIFIER_LINK_BASE_URL: 'http://pay.acme.example' })).toThrow(/must be https/);
    expect(() => linkBase({ COLLECTIONS_API_PUBLIC_URL: 'https://collections.a-long-company-name.example' })).toThrow(
      /longer than 28 characters/,
    );
    expect(() => linkBase({ NOTIFIER_LINK_BASE_URL: 'https://pay.a-long-company-name.example' })).toThrow(/NOTIFIER_LINK_BASE_URL/);
  });
});

import { z } from 'zod';
import { baseEnv, port, providerSpecs, stripeEnv } from '@recoup/config';
import { loadServiceConfig } from './config';

const schema = z.object({ ...baseEnv, PORT: port(8000), ...stripeEnv });
const fail = (message: string): never => {
  throw new Error(`exit: ${message}`);
};

describe('loadServiceConfig', () => {
  it('returns the frozen config and each provider decision', () => {
    const { config, providers } = loadServiceConfig('svc', schema, (c) => [providerSpecs.stripe(c)], { PORT: '9100' }, fail);
    expect(config.PORT).toBe(9100);
    expect(providers).toEqual([{ name: 'stripe', mode: 'sandbox', reason: 'no credentials (STRIPE_SECRET_KEY)' }]);
  });

  it('reports a bad variable as one line through the failure path', () => {
    expect(() => loadServiceConfig('svc', schema, () => [], { PORT: 'abc' }, fail)).toThrow(
      'exit: svc: invalid environment: PORT (expected number)',
    );
  });

  it('reports a provider problem, such as an implicit sandbox in production, the same way', () => {
    expect(() => loadServiceConfig('svc', schema, (c) => [providerSpecs.stripe(c)], { NODE_ENV: 'production' }, fail)).toThrow(
      'exit: svc: provider configuration: stripe has no credentials; set STRIPE_MODE=sandbox to run without it',
    );
  });
});

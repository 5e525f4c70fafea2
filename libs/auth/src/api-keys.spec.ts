import { TEST_API_KEY_PREFIX, generateApiKey, hashApiKey, keyPrefix, looksLikeApiKey, secretsEqual } from './api-keys';

describe('API keys', () => {
  it('are random, recognisable and hash to 64 hex characters', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
    for (const k of keys) expect(looksLikeApiKey(k)).toBe(true);
    const [first] = [...keys] as [string];
    expect(hashApiKey(first)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyPrefix(first)).toHaveLength(13);
  });

  it('says rcp_test_ for a sandbox stack, and both kinds are recognised', () => {
    const test = generateApiKey(TEST_API_KEY_PREFIX);
    expect(test).toMatch(/^rcp_test_[0-9A-Za-z]{32}$/);
    expect(looksLikeApiKey(test)).toBe(true);
    expect(keyPrefix(test)).toBe(test.slice(0, 13));
    expect(looksLikeApiKey(`rcp_prod_${'a'.repeat(32)}`)).toBe(false);
  });

  it('compares secrets of different lengths without throwing', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
  });
});

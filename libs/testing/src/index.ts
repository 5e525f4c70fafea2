export { adminUrl, createEmptyDatabase, createTestDatabase } from './postgres';
export type { TestDatabase } from './postgres';
export { freePort } from './ports';
export { DisposableRedis, deletePrefix, testQueuePrefix, testRedisUrl } from './redis';
export { waitFor } from './wait';
export { describeServiceContract } from './service-contract';
export type { ServiceUnderTest } from './service-contract';

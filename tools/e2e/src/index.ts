export { ServiceStack, SERVICES, ROOT } from './stack';
export type { ServiceName, StackOptions, StackSecrets } from './stack';
export { DisposablePostgres } from './disposable-postgres';
export { PersistentRedis } from './persistent-redis';

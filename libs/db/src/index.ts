export { createDatabase, pingDatabase } from './client';
export type { Database } from './client';
export { ensureDatabase, migrateDatabase, runPrisma, MIGRATIONS_DIR, PRISMA_SCHEMA } from './migrate';
export { Prisma } from './generated/client';
export type * from './generated/models';
export * from './generated/enums';
export { TurnBatcher } from './turn-batcher';
export { SandboxOutbox, type SandboxOutboxMessage, type SandboxOutboxRecord } from './sandbox-outbox';
export { hotQuery, type RawQueryable } from './hot-query';

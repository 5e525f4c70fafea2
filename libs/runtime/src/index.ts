export { loadServiceConfig } from './config';
export type { ServiceConfig } from './config';
export { createCoreDeps } from './core';
export type { CoreConfig, CoreDeps } from './core';
export { runMain, startService } from './start';
export type { BackgroundWorker, StartOptions } from './start';

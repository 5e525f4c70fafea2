export * from './http/common.schema';
export * from './http/health.schema';
export * from './http/prediction.schema';
export * from './http/problem.schema';
export * from './http/voice.schema';
export * from './jobs/call.schema';
export * from './jobs/notification.schema';

import type { z } from 'zod';
import { PlaceAiCallJob, PlaceIvrCallJob, SendEmailJob, SendLetterJob, SendSmsJob, SendStatementJob } from '@recoup/contracts';

export const QUEUES = {
  notifications: 'notifications',
  aiCalls: 'ai-calls',
  ivrCalls: 'ivr-calls',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  queue: QueueName;
  schema: S;
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
}

const define = <S extends z.ZodType>(d: JobDefinition<S>) => d;

/**
 * Every job the platform runs: its queue, payload schema and retry policy. Producer and
 * consumer share this, and the worker validates every payload it takes.
 */
export const JOB_CATALOG = {
  'email.send': define({ queue: QUEUES.notifications, schema: SendEmailJob, attempts: 5, backoff: { type: 'exponential', delay: 30_000 } }),
  'sms.send': define({ queue: QUEUES.notifications, schema: SendSmsJob, attempts: 5, backoff: { type: 'exponential', delay: 30_000 } }),
  'statement.send': define({
    queue: QUEUES.notifications,
    schema: SendStatementJob,
    attempts: 5,
    backoff: { type: 'exponential', delay: 30_000 },
  }),
  'letter.send': define({
    queue: QUEUES.notifications,
    schema: SendLetterJob,
    attempts: 3,
    backoff: { type: 'exponential', delay: 300_000 },
  }),
  'ai-call.place': define({ queue: QUEUES.aiCalls, schema: PlaceAiCallJob, attempts: 2, backoff: { type: 'fixed', delay: 600_000 } }),
  'ivr-call.place': define({ queue: QUEUES.ivrCalls, schema: PlaceIvrCallJob, attempts: 2, backoff: { type: 'fixed', delay: 600_000 } }),
} as const;

export type JobName = keyof typeof JOB_CATALOG;
export type JobData<N extends JobName> = z.infer<(typeof JOB_CATALOG)[N]['schema']>;
export type JobsOn<Q extends QueueName> = { [N in JobName]: (typeof JOB_CATALOG)[N]['queue'] extends Q ? N : never }[JobName];

import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { SendStatementJob } from '@recoup/contracts';
import type { Logger } from '@recoup/observability';
import type { StatementDelivery } from '../statements/statement-delivery';
import type { DeliveryService, NotificationJob } from './delivery.service';
import type { NotificationHandler } from './notification-worker';

/**
 * The notifications queue's handler: every job (email.send, sms.send, letter.send) goes through
 * DeliveryService. A job that fails its last BullMQ attempt on an unexpected error is dead-lettered.
 */
export function notificationProcessors(
  delivery: DeliveryService,
  logger: Logger,
  /** statement.send (one message for several invoices of a debtor): apps/notifier/src/statements. */
  statements?: Pick<StatementDelivery, 'deliver'>,
): NotificationHandler {
  return async (name, data, job: Job) => {
    try {
      if (name === 'statement.send' && !statements) throw new UnrecoverableError('statement.send: no statement delivery configured');
      const outcome =
        name === 'statement.send' && statements
          ? await statements.deliver(data as SendStatementJob, job)
          : await delivery.deliver(data as NotificationJob, job);
      logger.debug({ jobId: job.id, job: name, status: outcome.status }, 'notification processed');
      return outcome;
    } catch (err) {
      if (err instanceof DelayedError || err instanceof UnrecoverableError) throw err;
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (last)
        await delivery
          .exhausted(job, err as Error)
          .catch((e: Error) => logger.error({ jobId: job.id, err: { message: e.message } }, 'could not dead-letter job'));
      throw err;
    }
  };
}

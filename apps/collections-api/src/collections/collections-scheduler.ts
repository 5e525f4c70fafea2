import { Queue, Worker, type Job } from 'bullmq';
import { DateTime } from 'luxon';
import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';

export const SCAN_QUEUE = 'collections-scan';

export interface ScanHandlers {
  /** The daily pass over every overdue invoice. */
  scanAll(): Promise<unknown>;
  /** One invoice, on the day after its due date. */
  scanInvoice(invoiceId: string): Promise<unknown>;
  /** An instalment's grace period has passed: paid, or missed. */
  checkInstalment(installmentId: string): Promise<unknown>;
}

/**
 * The automatic pipeline's own BullMQ queue: a repeatable daily scan (cron, Europe/London), a
 * delayed scan of each invoice the day after it falls due, and delayed instalment checks.
 */
export class CollectionsScheduler {
  readonly queue: Queue;
  private worker?: Worker;

  constructor(private readonly options: { producer: Redis; workerConnection: Redis; prefix: string; logger: Logger }) {
    this.queue = new Queue(SCAN_QUEUE, { connection: options.producer, prefix: options.prefix });
    this.queue.on('error', () => undefined);
  }

  async scheduleDaily(pattern: string): Promise<void> {
    if (pattern === 'off') return;
    await this.queue.upsertJobScheduler(
      'daily-scan',
      { pattern, tz: 'Europe/London' },
      { name: 'scan', opts: { removeOnComplete: 50, removeOnFail: 50 } },
    );
  }

  /**
   * Scan this invoice at 09:00 London time the day after its due date (dueDate is a UTC-midnight
   * date). An invoice entered already past that moment waits for the daily scan instead, so a
   * backlog import does not send reminders the minute it lands.
   */
  async scheduleDueDate(invoiceId: string, dueDate: Date, now = Date.now()): Promise<boolean> {
    const at = DateTime.fromISO(dueDate.toISOString().slice(0, 10), { zone: 'Europe/London' })
      .plus({ days: 1 })
      .set({ hour: 9 })
      .toMillis();
    if (at <= now) return false;
    await this.queue.add(
      'scan-invoice',
      { invoice_id: invoiceId },
      { jobId: `due-${invoiceId}-${dueDate.toISOString().slice(0, 10)}`, delay: at - now, removeOnComplete: true, removeOnFail: 100 },
    );
    return true;
  }

  async scheduleInstalmentCheck(installmentId: string, at: Date, now = Date.now()): Promise<void> {
    await this.queue.add(
      'instalment-check',
      { installment_id: installmentId },
      { jobId: `inst-${installmentId}`, delay: Math.max(at.getTime() - now, 0), removeOnComplete: true, removeOnFail: 100 },
    );
  }

  start(handlers: ScanHandlers): Worker {
    const worker = new Worker(
      SCAN_QUEUE,
      async (job: Job) => {
        const data = job.data as Record<string, string | undefined>;
        if (job.name === 'scan') return handlers.scanAll();
        if (job.name === 'scan-invoice' && data.invoice_id) return handlers.scanInvoice(data.invoice_id);
        if (job.name === 'instalment-check' && data.installment_id) return handlers.checkInstalment(data.installment_id);
        return undefined;
      },
      { connection: this.options.workerConnection, prefix: this.options.prefix, concurrency: 1, autorun: false },
    );
    worker.on('error', (err) => this.options.logger.warn({ err: { message: err.message } }, 'collections-scan worker error'));
    worker.on('failed', (job, err) =>
      this.options.logger.warn({ jobId: job?.id, err: { message: err.message } }, 'collections-scan job failed'),
    );
    this.worker = worker;
    void worker.run();
    return worker;
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}

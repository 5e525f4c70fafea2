import { Queue, Worker } from 'bullmq';
import { Counter, type Registry } from 'prom-client';
import { applyRetention, type ProviderRecordings } from '@recoup/collections';
import type { RetentionReport } from '@recoup/contracts';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { Redis } from '@recoup/queue';

export const RETENTION_QUEUE = 'data-retention';
const SCHEDULER_ID = 'daily-retention';

/**
 * Runs the retention job for every tenant and reports it: one log line per tenant with the counts, and
 * `recoup_retention_removed_total{kind}` / `recoup_retention_runs_total{result}` on /metrics.
 */
export class RetentionRunner {
  private readonly removedTotal: Counter<'kind'>;
  private readonly runsTotal: Counter<'result'>;

  constructor(
    private readonly options: { db: Database; recordings: ProviderRecordings; logger: Logger; registry: Registry; clock?: () => Date },
  ) {
    this.removedTotal = new Counter({
      name: 'recoup_retention_removed_total',
      help: 'Records removed by the retention job, by kind (stored_recordings, provider_recordings, transcripts, call_turns, ivr_transcripts, sent_messages, inbound_messages, provider_recording_failures)',
      labelNames: ['kind'] as const,
      registers: [options.registry],
    });
    this.runsTotal = new Counter({
      name: 'recoup_retention_runs_total',
      help: 'Retention runs per tenant, by result (completed, failed)',
      labelNames: ['result'] as const,
      registers: [options.registry],
    });
    // Every kind shows on /metrics from the start (0), so a dashboard can tell "nothing removed" from "never ran".
    for (const kind of REMOVED_KINDS) this.removedTotal.inc({ kind }, 0);
  }

  async runTenant(tenantId: string, actor = 'system'): Promise<RetentionReport> {
    const { db, recordings, logger } = this.options;
    const now = this.options.clock?.() ?? new Date();
    try {
      const report = await applyRetention({ db, logger, recordings }, { tenantId, now, actor });
      for (const [kind, n] of Object.entries(report.removed)) this.removedTotal.inc({ kind }, n);
      this.runsTotal.inc({ result: 'completed' });
      logger.info({ tenantId, requestId: report.request_id, periods: report.periods, removed: report.removed }, 'retention applied');
      return report;
    } catch (err) {
      this.runsTotal.inc({ result: 'failed' });
      logger.error({ tenantId, err: { message: (err as Error).message } }, 'retention failed');
      throw err;
    }
  }

  /** Every tenant in turn; one tenant's failure is logged and counted and the others still run. */
  async runAll(actor = 'system'): Promise<RetentionReport[]> {
    const tenants = await this.options.db.tenant.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } });
    const reports: RetentionReport[] = [];
    for (const t of tenants) {
      try {
        reports.push(await this.runTenant(t.id, actor));
      } catch {
        // logged and counted in runTenant
      }
    }
    return reports;
  }
}

const REMOVED_KINDS = [
  'stored_recordings',
  'provider_recordings',
  'provider_recording_failures',
  'transcripts',
  'call_turns',
  'ivr_transcripts',
  'sent_messages',
  'inbound_messages',
] as const;

/** The retention job's own BullMQ queue with one job scheduler (cron, Europe/London); the job carries no data. */
export class RetentionScheduler {
  readonly queue: Queue;
  private worker?: Worker;

  constructor(private readonly options: { producer: Redis; workerConnection: Redis; prefix: string; logger: Logger }) {
    this.queue = new Queue(RETENTION_QUEUE, { connection: options.producer, prefix: options.prefix });
    this.queue.on('error', () => undefined);
  }

  /** `off` removes the schedule (a previous deployment's one included). */
  async scheduleDaily(pattern: string): Promise<void> {
    if (pattern === 'off') {
      await this.queue.removeJobScheduler(SCHEDULER_ID);
      return;
    }
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { pattern, tz: 'Europe/London' },
      { name: 'retention', opts: { removeOnComplete: 30, removeOnFail: 30 } },
    );
  }

  start(run: () => Promise<unknown>): Worker {
    const worker = new Worker(
      RETENTION_QUEUE,
      async (job) => {
        if (job.name !== 'retention') return undefined;
        const reports = (await run()) as unknown[];
        return { tenants: Array.isArray(reports) ? reports.length : 0 };
      },
      { connection: this.options.workerConnection, prefix: this.options.prefix, concurrency: 1, autorun: false },
    );
    worker.on('error', (err) => this.options.logger.warn({ err: { message: err.message } }, 'retention worker error'));
    worker.on('failed', (job, err) => this.options.logger.warn({ jobId: job?.id, err: { message: err.message } }, 'retention job failed'));
    this.worker = worker;
    void worker.run();
    return worker;
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}

import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Express } from 'express';
import { adminAuth } from './admin-auth';

export const BOARD_PATH = '/admin/queues';

/** bull-board for the notifications queue and its dead-letter queue, behind admin auth. */
export function mountQueueBoard(app: Express, queues: { notifications: Queue; dead: Queue }, adminKey: string | undefined): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  // @bull-board/express 9.10.1 carries its own copy of @bull-board/api 9.10.1 (ours is 9.10.2): same shape, separate declarations.
  createBullBoard({
    queues: [new BullMQAdapter(queues.notifications), new BullMQAdapter(queues.dead)],
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'Recoup notifier' } },
  });
  app.use(BOARD_PATH, adminAuth(adminKey, 'Recoup queues'), serverAdapter.getRouter());
}

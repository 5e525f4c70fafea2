import type { Channel } from '@recoup/db';
import { QUEUES, type QueueName } from '@recoup/queue';

const QUEUE_OF_CHANNEL: Record<Channel, QueueName> = {
  email: QUEUES.notifications,
  sms: QUEUES.notifications,
  letter: QUEUES.notifications,
  ai_call: QUEUES.aiCalls,
  ivr_call: QUEUES.ivrCalls,
};

/** The queue whose jobs send a channel's contacts. */
export function queueOfChannel(channel: Channel): QueueName {
  return QUEUE_OF_CHANNEL[channel];
}

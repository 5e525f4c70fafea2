import { emptyUsage, type RealtimeUsage, type RealtimeVoiceSession } from '@recoup/providers/realtime-voice';
import type { ConversationLog } from './conversation-log';

export const RECONNECT_NOTE =
  'The connection to the assistant dropped for a moment and was restored. The conversation so far is above. ' +
  'Apologise briefly for the interruption and carry on from where the call was.';
export const WRAP_UP_NOTE =
  'About 15 seconds of this call remain. Wrap up now: confirm anything agreed in one sentence, say goodbye and end the call.';
export const APOLOGY = 'Sorry, we are having technical difficulties and have to end this call. We will be in touch again soon. Goodbye.';

/** Realtime legs reopened per call after a drop; after that the call ends with the apology. */
export const MAX_RECONNECTS = 1;

/** A reopened Realtime session is given the call so far as items, told what happened, and asked to go on. */
export function resumeConversation(session: RealtimeVoiceSession, log: ConversationLog): void {
  for (const message of log.replay()) session.addMessage(message);
  session.addMessage({ role: 'system', text: RECONNECT_NOTE });
  session.requestResponse();
}

export function sumUsage(a: RealtimeUsage, b: RealtimeUsage): RealtimeUsage {
  const sum = emptyUsage();
  for (const k of Object.keys(sum) as Array<keyof RealtimeUsage>) sum[k] = a[k] + b[k];
  return sum;
}

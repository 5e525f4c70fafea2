import type { CallModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { RealtimeUsage, RealtimeVoiceConnector } from '@recoup/providers/realtime-voice';
import type { CallTools } from '../calls/call-tools';
import type { CallBridge } from './call-bridge';

/** What the bridge knows at the end of a call that the call's record and cost need. */
export interface BridgeResult {
  /** Realtime token usage summed over every session of the call (response.done), for the cost. */
  usage: RealtimeUsage;
  /** Realtime sessions reopened after a drop (0 or 1). */
  reconnects: number;
  /** Caller frames dropped (pre-open buffer overflow or a socket that could not keep up) and agent chunks dropped. */
  droppedAudioFrames: number;
  /** Digits the caller keyed, in order. */
  keyed: string[];
}

export interface BridgeDeps {
  connector: RealtimeVoiceConnector;
  tools: CallTools;
  logger: Logger;
  voice: string;
  maxCallSeconds: number;
  /** Stores one transcript turn (off the per-frame path). An agent turn is what the caller heard of the item. */
  saveTurn(callId: string, speaker: 'ai' | 'user', text: string, itemId: string): Promise<void>;
  /** Both legs are down: finalise the Call row (with the usage for its cost). */
  onEnded(callId: string, reason: string, result: BridgeResult): Promise<void>;
  /** The Realtime leg opened while ringing failed before the phone joined: forget it (the stream will open a new one). */
  onAbandoned?(callId: string, reason: string): void;
  /** Ends the phone call itself (REST hang-up), by our call id. */
  hangup(callId: string): Promise<void>;
  /**
   * The agent cannot go on (the Realtime leg dropped twice): have Twilio say `text` and hang up (a call update with
   * `<Say>` + `<Hangup/>`). Without it the call is simply hung up.
   */
  sayAndHangUp?(callId: string, text: string): Promise<void>;
  /**
   * A key the caller pressed (Twilio `dtmf`), before the model hears of it: the tool layer's hook (identity digits,
   * "press 0 for a person"). Returning true keeps the key from the model (the hook acted on it).
   */
  onDtmf?(call: CallModel, digit: string, bridge: CallBridge): boolean | void;
}

/** mu-law 8 kHz: 8 bytes per millisecond of audio. */
export const MULAW_BYTES_PER_MS = 8;

/** Decoded length of a base64 string without decoding it (the per-chunk path). */
export function base64Bytes(b64: string): number {
  const len = b64.length;
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return ((len * 3) >> 2) - pad;
}

/** One agent conversation item as the phone plays it. */
export interface PlaybackItem {
  readonly itemId: string;
  responseId?: string;
  /** Audio bytes sent to Twilio. */
  sentBytes: number;
  /** Audio bytes Twilio confirmed as played (mark echoes). */
  playedBytes: number;
  /** All of the item's audio was generated (response.output_audio.done). */
  audioDone: boolean;
  /** The item's transcript as generated so far (deltas), or in full once `transcriptDone`. */
  transcript: string;
  transcriptDone: boolean;
  /** Cut by the caller (barge-in, hang-up, a lost leg): what played is all that was heard. */
  interrupted: boolean;
  /** Its stored turn was written (or there was nothing to write). */
  settled: boolean;
}

export interface Truncation {
  item: PlaybackItem;
  /** What the caller heard of it: conversation.item.truncate's audio_end_ms. */
  audioEndMs: number;
}

/**
 * What the caller heard of an item's words: its transcript cut in proportion to the audio that played. A partly
 * played character counts as heard (ceil). With an item cut while still generating, the transcript so far is set
 * against the audio so far, which is what was sent.
 */
export function heardText(item: Pick<PlaybackItem, 'transcript' | 'sentBytes' | 'playedBytes'>): string {
  const text = item.transcript;
  if (item.sentBytes <= 0 || item.playedBytes >= item.sentBytes) return text.trim();
  if (item.playedBytes <= 0) return '';
  return text.slice(0, Math.ceil((text.length * item.playedBytes) / item.sentBytes)).trim();
}

/**
 * Playback of agent audio on the phone, from Twilio mark echoes. Each chunk sent is followed by a mark
 * "<item>:<bytes of the item sent so far>"; its echo says that much has played. On barge-in every item with audio
 * not yet played is cut at its played position, and everything of the interrupted items and responses that still
 * arrives (marks Twilio flushes after `clear`, late deltas of the cancelled generation) is ignored.
 */
export class PlaybackTracker {
  /** Items whose audio has not all played yet, in the order they started. */
  private readonly playing = new Map<string, PlaybackItem>();
  /** Every item seen and not settled yet (its turn still to store). */
  private readonly items = new Map<string, PlaybackItem>();
  private readonly discardedItems = new Set<string>();
  private readonly discardedResponses = new Set<string>();

  private item(itemId: string): PlaybackItem {
    let item = this.items.get(itemId);
    if (!item) {
      item = {
        itemId,
        sentBytes: 0,
        playedBytes: 0,
        audioDone: false,
        transcript: '',
        transcriptDone: false,
        interrupted: false,
        settled: false,
      };
      this.items.set(itemId, item);
    }
    return item;
  }

  /** Whether audio of this item (or response) must be dropped: it belongs to an interrupted response. */
  isDiscarded(itemId: string, responseId?: string): boolean {
    return this.discardedItems.has(itemId) || (responseId !== undefined && this.discardedResponses.has(responseId));
  }

  /** A chunk of `bytes` is being sent: the mark name to send after it (null: drop it, the response was interrupted). */
  audioSent(itemId: string, bytes: number, responseId?: string): string | null {
    if (this.isDiscarded(itemId, responseId)) return null;
    const item = this.item(itemId);
    if (responseId) item.responseId = responseId;
    item.sentBytes += bytes;
    this.playing.set(itemId, item);
    return itemId + ':' + item.sentBytes;
  }

  /** A mark echo: returns the item when this echo finished its playback. Flushed and unknown marks are ignored. */
  markPlayed(name: string): PlaybackItem | null {
    const at = name.lastIndexOf(':');
    if (at < 0) return null;
    const item = this.playing.get(name.slice(0, at));
    if (!item) return null; // interrupted (flushed by clear), or unknown
    const bytes = Number(name.slice(at + 1));
    if (bytes > item.playedBytes) item.playedBytes = bytes;
    return this.finishIfPlayed(item);
  }

  /** All audio of the item was generated: returns it when that also means it has all played. */
  audioDone(itemId: string, responseId?: string): PlaybackItem | null {
    if (this.isDiscarded(itemId, responseId)) return null;
    const item = this.item(itemId);
    item.audioDone = true;
    return this.finishIfPlayed(item);
  }

  transcriptDelta(itemId: string, delta: string): void {
    if (this.discardedItems.has(itemId)) return;
    const item = this.item(itemId);
    if (!item.transcriptDone) item.transcript += delta;
  }

  /** The item's full transcript: returns the item (its turn may now be storable). */
  transcriptDone(itemId: string, text: string): PlaybackItem {
    const item = this.item(itemId);
    item.transcript = text;
    item.transcriptDone = true;
    return item;
  }

  private finishIfPlayed(item: PlaybackItem): PlaybackItem | null {
    if (!item.audioDone || item.playedBytes < item.sentBytes || !this.playing.has(item.itemId)) return null;
    this.playing.delete(item.itemId);
    return item;
  }

  /** All of the item's audio was generated and has played. */
  hasPlayed(item: PlaybackItem): boolean {
    return item.audioDone && !this.playing.has(item.itemId) && item.playedBytes >= item.sentBytes;
  }

  /**
   * The agent turn to store for an item: the whole transcript once it all played, what played of it (cut in
   * proportion) marked [interrupted] when it was cut short, '' when nothing of it was heard; undefined while that
   * cannot be known yet (still playing, or cut after it was fully generated and its final transcript is on its way).
   * `final`: the call is over, store what is known.
   */
  turnText(item: PlaybackItem, final = false): string | undefined {
    if (item.interrupted) {
      if (!item.transcriptDone && item.audioDone && !final) return undefined;
      const heard = heardText(item);
      return heard ? `${heard} [interrupted]` : '';
    }
    if (this.hasPlayed(item) && item.transcriptDone) return item.transcript.trim();
    if (!final) return undefined;
    const heard = heardText(item);
    return heard && item.playedBytes < item.sentBytes ? `${heard} [interrupted]` : heard;
  }

  /** Nothing sent is waiting to be played and no item is still generating audio. */
  get idle(): boolean {
    return this.playing.size === 0;
  }

  /** Audio sent but not yet confirmed played, in ms (for how long a goodbye may still take). */
  get unplayedMs(): number {
    let bytes = 0;
    for (const item of this.playing.values()) bytes += item.sentBytes - item.playedBytes;
    return bytes / MULAW_BYTES_PER_MS;
  }

  /**
   * The caller barged in (or playback is abandoned): every item still playing is cut at what was heard; its later
   * marks and audio, and any audio of `activeResponseId`, are ignored from now on.
   */
  interrupt(activeResponseId?: string | null): Truncation[] {
    if (activeResponseId) this.discardedResponses.add(activeResponseId);
    const cuts: Truncation[] = [];
    for (const item of this.playing.values()) {
      item.interrupted = true;
      this.discardedItems.add(item.itemId);
      if (item.responseId) this.discardedResponses.add(item.responseId);
      cuts.push({ item, audioEndMs: Math.floor(item.playedBytes / MULAW_BYTES_PER_MS) });
    }
    this.playing.clear();
    return cuts;
  }

  /** Items whose turn is not stored yet (at the end of the call). */
  unsettled(): PlaybackItem[] {
    return [...this.items.values()].filter((i) => !i.settled);
  }

  /** Its turn was stored: forget it. */
  settle(item: PlaybackItem): void {
    item.settled = true;
    this.items.delete(item.itemId);
  }
}

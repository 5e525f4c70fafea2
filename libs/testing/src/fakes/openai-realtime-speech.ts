/**
 * "Speech" for the loopback fakes: text carried inside G.711 mu-law frames. 0xFF is mu-law silence
 * and never occurs in UTF-8, so a frame's non-0xFF bytes are the words said in it. A scripted
 * debtor (fake Twilio) and the fake Realtime server talk through the real bridge this way, with
 * real 160-byte 20 ms frames, and each side can "hear" the other.
 */
export const FRAME_BYTES = 160;
export const FRAME_MS = 20;
const SILENCE = Buffer.alloc(FRAME_BYTES, 0xff);
export const SILENCE_FRAME = SILENCE.toString('base64');

/** Text to base64 frames, `charsPerFrame` bytes of text per 20 ms frame. */
export function encodeSpeech(text: string, charsPerFrame = 2): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const frames: string[] = [];
  for (let i = 0; i < bytes.length; i += charsPerFrame) {
    const frame = Buffer.alloc(FRAME_BYTES, 0xff);
    bytes.copy(frame, 0, i, Math.min(bytes.length, i + charsPerFrame));
    frames.push(frame.toString('base64'));
  }
  return frames;
}

/** The text bytes of a frame (empty for silence). */
export function speechBytes(payload: string | Buffer): Buffer {
  const buf = typeof payload === 'string' ? Buffer.from(payload, 'base64') : payload;
  let n = 0;
  for (const b of buf) if (b !== 0xff) n++;
  if (n === 0) return Buffer.alloc(0);
  const out = Buffer.alloc(n);
  let j = 0;
  for (const b of buf) if (b !== 0xff) out[j++] = b;
  return out;
}

export function isSilent(payload: string): boolean {
  return payload === SILENCE_FRAME || speechBytes(payload).length === 0;
}

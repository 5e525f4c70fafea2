/**
 * SMS length as carriers bill it (3GPP TS 23.038 / 23.040):
 * - GSM-7: 160 septets in one message, 153 per part when concatenated (the UDH takes 7);
 *   characters of the extension table (^ { } [ ] ~ \ | € and form feed) take two septets
 *   (escape + char) and an escape pair is never split across parts.
 * - UCS-2 (anything outside GSM-7): 70 UTF-16 units, 67 per part; a surrogate pair is never split.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';
const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units left in the last part before another part is needed. */
  remaining: number;
  /** Characters that forced UCS-2, if any (useful to fix a template). */
  nonGsmCharacters: string[];
}

export function smsEncoding(text: string): SmsEncoding {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENDED.has(ch)) return 'UCS-2';
  return 'GSM-7';
}

export function countSmsSegments(text: string): SmsSegmentCount {
  const nonGsm = [...new Set([...text].filter((ch) => !BASIC.has(ch) && !EXTENDED.has(ch)))];
  const encoding: SmsEncoding = nonGsm.length ? 'UCS-2' : 'GSM-7';
  // Each character's size in units: GSM-7 septets, or UTF-16 units (2 for a surrogate pair).
  const sizes = [...text].map((ch) => (encoding === 'GSM-7' ? (EXTENDED.has(ch) ? 2 : 1) : ch.length));
  const units = sizes.reduce((a, b) => a + b, 0);
  const single = encoding === 'GSM-7' ? 160 : 70;
  const part = encoding === 'GSM-7' ? 153 : 67;
  if (units <= single) return { encoding, units, segments: units === 0 ? 0 : 1, remaining: single - units, nonGsmCharacters: nonGsm };
  // Pack greedily: a character that does not fit whole starts the next part.
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding, units, segments, remaining: part - used, nonGsmCharacters: nonGsm };
}
